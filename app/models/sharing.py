"""A customer relationship shared with another person for a while (Min side, "Share access")."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class GrantScope(StrEnum):
    """What a grant lets the other person see; never the profile, HAN orders or further sharing."""

    CONSUMPTION = "consumption"
    INVOICES = "invoices"


class AccessGrant(SQLModel, table=True):
    """The owner of a relationship lets the holder of ``grantee_mobile`` see part of it until
    ``valid_until``. It ends when revoked (by the owner), given back (by the grantee), expired
    (its end date passed) or ended (the relationship ended): each with its own timestamp."""

    __tablename__ = "access_grant"

    id: int | None = Field(default=None, primary_key=True)
    relationship_id: int = Field(foreign_key="customer_relationship.id", index=True)
    # E.164, NO or SE only.
    grantee_mobile: str = Field(max_length=20, index=True)
    may_see_consumption: bool = Field(default=True)
    may_see_invoices: bool = Field(default=False)
    # The last day (in the utility's zone) the grant is live, and the instant it ends (UTC).
    until_date: date
    valid_until: datetime = timestamp_field()
    granted_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    granted_by_session_id: int | None = Field(default=None, foreign_key="user_session.id")
    created_at: datetime = timestamp_field(default_now=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    given_back_at: datetime | None = timestamp_field(nullable=True)
    expired_at: datetime | None = timestamp_field(nullable=True)
    ended_at: datetime | None = timestamp_field(nullable=True)
    # The grantee's first view on their last day of use (the utility's zone), and when.
    last_seen_on: date | None = Field(default=None)
    last_seen_at: datetime | None = timestamp_field(nullable=True)
