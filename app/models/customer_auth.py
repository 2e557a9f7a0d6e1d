"""Customer portal sign-in: SMS code challenges, rate-limit hits, account links,
remembered devices and the dev SMS outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class ChallengePurpose(StrEnum):
    FIRST_LOGIN = "first_login"
    PASSWORD_LOGIN = "password_login"  # noqa: S105 (a purpose, not a password)
    # A mobile that a customer relationship was shared with (issue 27).
    SHARED_LOGIN = "shared_login"


class ChallengeStatus(StrEnum):
    LIVE = "live"
    USED = "used"
    # Five wrong tries: the customer must ask for a new code.
    DEAD = "dead"
    # A newer code went to the same mobile.
    SUPERSEDED = "superseded"


class LoginChallenge(SQLModel, table=True):
    """One SMS code sent to one mobile. Only the HMAC of the code is kept."""

    __tablename__ = "login_challenge"

    id: int | None = Field(default=None, primary_key=True)
    # The random id the browser holds between the two screens.
    public_id: str = Field(max_length=64, unique=True, index=True)
    purpose: str = Field(max_length=16)
    status: str = Field(default=ChallengeStatus.LIVE.value, max_length=16, index=True)
    mobile: str = Field(max_length=20, index=True)
    relationship_id: int | None = Field(default=None, foreign_key="customer_relationship.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    # "local": code_hash is checked here; "twilio_verify": Twilio's Verify API checks the code.
    provider: str = Field(default="local", max_length=16)
    code_hash: str | None = Field(default=None, max_length=64)
    failed_attempts: int = Field(default=0)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field()
    resend_available_at: datetime = timestamp_field()
    used_at: datetime | None = timestamp_field(nullable=True)
    client_address: str | None = Field(default=None, max_length=64)


class RateLimitHit(SQLModel, table=True):
    """One counted event in a sliding window; the key is an HMAC, never a phone number."""

    __tablename__ = "rate_limit_hit"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, index=True)
    at: datetime = timestamp_field(index=True)


class AccountRelationship(SQLModel, table=True):
    """A customer account (User) linked to one of its customer relationships."""

    __tablename__ = "account_relationship"
    __table_args__ = (UniqueConstraint("user_id", "relationship_id", name="uq_account_relationship"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    relationship_id: int = Field(foreign_key="customer_relationship.id", index=True)
    linked_at: datetime = timestamp_field(default_now=True)


class RememberedDevice(SQLModel, table=True):
    """A browser that passed an SMS code: it skips the code for 30 days.

    Only the SHA-256 of the signed device token is stored.
    """

    __tablename__ = "remembered_device"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field()
    last_used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
