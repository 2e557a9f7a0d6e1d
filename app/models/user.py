"""Users, their roles, and server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class Role(StrEnum):
    CUSTOMER = "customer"
    KEY_READER = "key_reader"
    DISTRIBUTOR = "distributor"
    INSTALLER = "installer"
    GRID_STAFF = "grid_staff"
    # A grid company's administrator (issue 24): its staff's work, and the company's own settings.
    GRID_ADMIN = "grid_admin"
    ADMIN = "admin"
    # An e-mail account with no organisation yet: it may only ask for access (issue 13).
    REGISTERED = "registered"


# The key service's roles. An administrator passes every role check but these: administrators
# manage accounts and organisations, and never read, export or assign keys.
KEY_SERVICE_ROLES = frozenset({Role.DISTRIBUTOR, Role.KEY_READER})


def role_admitted(role: Role | str | None, allowed: frozenset[Role] | set[Role]) -> bool:
    """Whether ``role`` passes a check that allows ``allowed`` (administrators: see above).

    A grid-company administrator is also one of its grid company's staff.
    """
    if role is None:
        return False
    if role == Role.GRID_ADMIN and Role.GRID_STAFF in allowed:
        return True
    return role in allowed or (role == Role.ADMIN and not allowed & KEY_SERVICE_ROLES)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True, index=True)
    mobile: str | None = Field(default=None, max_length=20, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=32, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field(default_now=True)
    # The language of the e-mails the account receives.
    language: str = Field(default="nb", max_length=8)


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of its 256-bit token is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=32)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # A customer signed in by SMS code is a guest of one customer relationship.
    relationship_id: int | None = Field(default=None, foreign_key="customer_relationship.id", index=True)
    # The relationship the session proved itself (invoice data + SMS code): its own, whatever
    # relationship it has switched to since. None for a session that only holds shared access.
    own_relationship_id: int | None = Field(default=None, foreign_key="customer_relationship.id")
    # The mobile an SMS code proved at sign-in (E.164): what access grants are matched on.
    mobile: str | None = Field(default=None, max_length=20)
    client_address: str | None = Field(default=None, max_length=64)
    created_at: datetime = timestamp_field(default_now=True)
    last_seen_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)
    # When the person last proved who they are (sign-in or a repeated password): key exports
    # ask again when this is older than a few minutes.
    authenticated_at: datetime | None = timestamp_field(nullable=True)
