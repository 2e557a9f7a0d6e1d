"""E-mail accounts (issue 13): one-time links, access requests, the dev mail outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class AccountTokenPurpose(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a purpose, not a password)


class AccountToken(SQLModel, table=True):
    """A mailed one-time link. Only the SHA-256 of its token is stored.

    ``user_id`` is empty for an activation of an address that has no account yet: the account
    is created when the link is followed.
    """

    __tablename__ = "account_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    purpose: str = Field(max_length=32)
    email: str = Field(max_length=254, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field()
    used_at: datetime | None = timestamp_field(nullable=True)
    # A newer link for the same address and purpose voids this one.
    voided_at: datetime | None = timestamp_field(nullable=True)


class AccessRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class AccessRequest(SQLModel, table=True):
    """A registered person without an organisation asks for a role in one."""

    __tablename__ = "access_request"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    requested_role: str = Field(max_length=32)
    organisation_name: str = Field(default="", max_length=200)
    customer_number: str = Field(default="", max_length=40)
    status: str = Field(default=AccessRequestStatus.PENDING.value, max_length=16, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    decided_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = timestamp_field(nullable=True)
    decline_reason: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field(default_now=True)
