"""A grid company's own settings (issue 24): its HAN port service and the log of every change a
grid-company administrator made to its settings (who, when, old and new value)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field

DEFAULT_COMPLETION_DAYS = 5


class HanServiceSettings(SQLModel, table=True):
    """The HAN port service as one grid company offers it; a company without a row has the defaults."""

    __tablename__ = "han_service_settings"

    id: int | None = Field(default=None, primary_key=True)
    grid_company_id: int = Field(foreign_key="organisation.id", unique=True, index=True)
    # The postage fee for a HAN module sent by post (NOK, incl. VAT).
    post_fee: Decimal = Field(default=Decimal("0.00"), sa_type=Numeric(10, 2))
    pickup_address: str = Field(default="", max_length=200)
    pickup_hours: str = Field(default="", max_length=200)
    # Working days (no weekends, no Norwegian public holidays) from order to completion.
    completion_days: int = Field(default=DEFAULT_COMPLETION_DAYS)
    updated_at: datetime = timestamp_field(default_now=True)


class SettingChange(SQLModel, table=True):
    """One change of one setting of a grid company: what, old and new value, who, when."""

    __tablename__ = "setting_change"

    id: int | None = Field(default=None, primary_key=True)
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    # "han", "job_type", "grid_area", "authorisation", "api_token", "administrator", "tariff"
    area: str = Field(max_length=20)
    subject: str = Field(default="", max_length=120)
    field: str = Field(max_length=40)
    old_value: str = Field(default="", max_length=300)
    new_value: str = Field(default="", max_length=300)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(max_length=32)
    at: datetime = timestamp_field(default_now=True, index=True)
