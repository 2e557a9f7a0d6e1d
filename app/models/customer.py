"""Customers and their customer relationships (one installation each)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    mobile: str | None = Field(default=None, max_length=20, index=True)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = timestamp_field(default_now=True)


class CustomerRelationship(SQLModel, table=True):
    """What the invoice names: an installation, its metering point and the utility serving it."""

    __tablename__ = "customer_relationship"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    utility_id: int = Field(foreign_key="organisation.id", index=True)
    installation_number: str = Field(max_length=20, index=True)
    # GSRN / EAN-18 metering point ID, e.g. 707057500012345678.
    metering_point_id: str = Field(max_length=18, unique=True, index=True)
    address: str = Field(max_length=200)
    postcode: str = Field(max_length=10)
    city: str = Field(max_length=100)
    meter_id: int | None = Field(default=None, foreign_key="meter.id", index=True)
    active: bool = Field(default=True)
    # The day-ahead bidding zone of the metering point (NO1-NO5, SE1-SE4); empty: not known, and
    # the portal shows no spot price for it.
    bidding_zone: str = Field(default="", max_length=3, sa_column_kwargs={"server_default": ""})
    # The electricity supplier's mark-up on the spot price, kr/kWh excluding VAT, when known.
    supplier_markup_kr_per_kwh: Decimal | None = Field(default=None, sa_type=Numeric(12, 5))
    # Whether the customer owns the installation (a tenant does not: only owners order HAN ports).
    is_owner: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    # When the relationship ended (moving out); None while it is active.
    ended_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field(default_now=True)


class PrivacyConsent(SQLModel, table=True):
    """A customer's acceptance of the privacy terms ("Personvern og vilkår"): which version, when."""

    __tablename__ = "privacy_consent"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    relationship_id: int = Field(foreign_key="customer_relationship.id", index=True)
    terms_version: str = Field(max_length=20)
    accepted_at: datetime = timestamp_field(default_now=True)
    client_address: str | None = Field(default=None, max_length=64)
