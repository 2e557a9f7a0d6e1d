"""The installer portal (issue 15): firms authorised for grid companies, pre-notifications and
their processing, the installation register the look-up API serves, and the API's tokens.

Personal and organisation numbers are stored sealed (AES-256-GCM under the master key), never
in clear: see app/services/installer/sealed_numbers.py.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class NotificationStatus(StrEnum):
    NOT_SENT = "not_sent"
    FOR_APPROVAL = "for_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_CHANGES = "needs_changes"
    COMPLETED = "completed"


class PartyKind(StrEnum):
    PRIVATE = "private"
    COMPANY = "company"


class InstallerAuthorisation(SQLModel, table=True):
    """An installer firm may send pre-notifications to this grid company."""

    __tablename__ = "installer_authorisation"
    __table_args__ = (
        UniqueConstraint("installer_firm_id", "grid_company_id", name="uq_installer_authorisation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    installer_firm_id: int = Field(foreign_key="organisation.id", index=True)
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    created_at: datetime = timestamp_field(default_now=True)


class InstallationType(SQLModel, table=True):
    """New installation, service change, fuse change, ...; its name is UI text (``installer.type.<code>``)."""

    __tablename__ = "installation_type"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    sort_order: int = Field(default=0)


class JobType(SQLModel, table=True):
    """A job a grid company offers for one installation type, named by the grid company."""

    __tablename__ = "job_type"

    id: int | None = Field(default=None, primary_key=True)
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    installation_type_id: int = Field(foreign_key="installation_type.id", index=True)
    # The name in bokmål, and in Swedish and English ("" shows the bokmål name): each reader
    # sees it in their own language.
    name: str = Field(max_length=120)
    name_sv: str = Field(default="", max_length=120)
    name_en: str = Field(default="", max_length=120)
    sort_order: int = Field(default=0)
    active: bool = Field(default=True)


class GridArea(SQLModel, table=True):
    __tablename__ = "grid_area"
    __table_args__ = (UniqueConstraint("grid_company_id", "code", name="uq_grid_area_code"),)

    id: int | None = Field(default=None, primary_key=True)
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=120)


class PreNotification(SQLModel, table=True):
    """An installer's announcement of work on an installation, and its processing."""

    __tablename__ = "pre_notification"

    id: int | None = Field(default=None, primary_key=True)
    installer_firm_id: int = Field(foreign_key="organisation.id", index=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    installation_type_id: int = Field(foreign_key="installation_type.id")
    job_type_id: int = Field(foreign_key="job_type.id")
    grid_area_id: int = Field(foreign_key="grid_area.id", index=True)
    status: str = Field(default=NotificationStatus.NOT_SENT, max_length=20, index=True)
    # Raised by every change of the form's values, so the page re-renders its uncontrolled fields.
    version: int = Field(default=0)
    # installation
    installation_address: str = Field(default="", max_length=200)
    installation_postcode: str = Field(default="", max_length=10)
    installation_city: str = Field(default="", max_length=100)
    meter_number: str = Field(default="", max_length=40, index=True)
    ean: str = Field(default="", max_length=18, index=True)
    technical_number: str = Field(default="", max_length=40)
    # property owner
    owner_kind: str = Field(default=PartyKind.PRIVATE, max_length=10)
    owner_surname: str = Field(default="", max_length=120)
    owner_first_name: str = Field(default="", max_length=120)
    owner_care_of: str = Field(default="", max_length=120)
    owner_address: str = Field(default="", max_length=200)
    owner_postcode: str = Field(default="", max_length=10)
    owner_city: str = Field(default="", max_length=100)
    owner_id_number_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    owner_phone: str = Field(default="", max_length=30)
    owner_email: str = Field(default="", max_length=254)
    owner_invoice_reference: str = Field(default="", max_length=120)
    # billing party
    billing_kind: str = Field(default=PartyKind.PRIVATE, max_length=10)
    billing_surname: str = Field(default="", max_length=120)
    billing_first_name: str = Field(default="", max_length=120)
    billing_care_of: str = Field(default="", max_length=120)
    billing_address: str = Field(default="", max_length=200)
    billing_postcode: str = Field(default="", max_length=10)
    billing_city: str = Field(default="", max_length=100)
    billing_id_number_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    billing_phone: str = Field(default="", max_length=30)
    billing_email: str = Field(default="", max_length=254)
    billing_invoice_reference: str = Field(default="", max_length=120)
    # the work
    meter_placement: str = Field(default="", max_length=200)
    main_fuse_before: str = Field(default="", max_length=10)
    main_fuse_after: str = Field(default="", max_length=10)
    description: str = Field(default="", max_length=2000)
    reject_reason: str = Field(default="", max_length=1000)
    created_at: datetime = timestamp_field(default_now=True)
    updated_at: datetime = timestamp_field(default_now=True)
    sent_at: datetime | None = timestamp_field(nullable=True)


class NotificationNote(SQLModel, table=True):
    __tablename__ = "notification_note"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="pre_notification.id", index=True)
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    author_role: str = Field(max_length=32)
    text: str = Field(max_length=2000)
    created_at: datetime = timestamp_field(default_now=True)


class NotificationTransition(SQLModel, table=True):
    """Every change of a notification's status: from, to, who, when, and why."""

    __tablename__ = "notification_transition"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="pre_notification.id", index=True)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(max_length=32)
    reason: str = Field(default="", max_length=1000)
    at: datetime = timestamp_field(default_now=True)


class Installation(SQLModel, table=True):
    """The grid company's installation register, as the look-up API serves it."""

    id: int | None = Field(default=None, primary_key=True)
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    meter_number: str = Field(max_length=40, unique=True, index=True)
    ean: str = Field(max_length=18, unique=True, index=True)
    technical_number: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=100)
    owner_surname: str = Field(default="", max_length=120)
    owner_first_name: str = Field(default="", max_length=120)
    owner_address: str = Field(default="", max_length=200)
    owner_postcode: str = Field(default="", max_length=10)
    owner_city: str = Field(default="", max_length=100)
    owner_phone: str = Field(default="", max_length=30)
    meter_placement: str = Field(default="", max_length=200)
    main_fuse: str = Field(default="", max_length=10)


class InstallerApiToken(SQLModel, table=True):
    """A bearer token of one installer firm for the installation API; only its SHA-256 is stored."""

    __tablename__ = "installer_api_token"

    id: int | None = Field(default=None, primary_key=True)
    installer_firm_id: int = Field(foreign_key="organisation.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(default="", max_length=60)
    # The grid company whose administrator issued it (issue 24): the token looks up only that
    # company's installations. None: the portal's own token, or one the platform issued.
    grid_company_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_at: datetime = timestamp_field(default_now=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)


class InstallationApiCall(SQLModel, table=True):
    """Every call of the installation API, answered or refused.

    Calls without a valid token are counted, not listed: one row per client address and
    answer per hour, ``repeats`` times (the first call's query), so bad tokens cannot grow
    the log without bound.
    """

    __tablename__ = "installation_api_call"

    id: int | None = Field(default=None, primary_key=True)
    token_id: int | None = Field(default=None, foreign_key="installer_api_token.id", index=True)
    installer_firm_id: int | None = Field(default=None, foreign_key="organisation.id")
    query: str = Field(default="", max_length=80)
    status_code: int
    client_address: str | None = Field(default=None, max_length=64, index=True)
    at: datetime = timestamp_field(default_now=True)
    repeats: int = Field(default=1)
    last_at: datetime | None = timestamp_field(nullable=True)
