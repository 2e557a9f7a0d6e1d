"""Ownership transfers of key units between organisations (the key service's "Transfer").

A transfer moves units from one organisation (``from_organisation_id``, their owner) to another
(``to_organisation_id``). It is started by either side: "send" by the owner, "request" by the
one who wants the units; the other side accepts or declines, and the side that started it may
cancel while it is open. A unit is in at most one open transfer: ``KeyTransferUnit.open_unit_id``
holds the unit's id while its transfer is open (NULL afterwards) under a unique constraint, so the
database itself refuses a second open transfer of the same unit, whatever races.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class TransferKind(StrEnum):
    SEND = "send"  # started by the owner
    REQUEST = "request"  # started by the organisation that wants the units


class TransferStatus(StrEnum):
    OPEN = "open"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    # A unit left the owner's hands while the transfer was open: nothing moved.
    FAILED = "failed"


class KeyTransfer(SQLModel, table=True):
    __tablename__ = "key_transfer"
    __table_args__ = (
        Index("ix_key_transfer_from_status", "from_organisation_id", "status", "created_at"),
        Index("ix_key_transfer_to_status", "to_organisation_id", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    status: str = Field(default=TransferStatus.OPEN.value, max_length=16)
    from_organisation_id: int = Field(foreign_key="organisation.id")
    to_organisation_id: int = Field(foreign_key="organisation.id")
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    unit_count: int = Field(default=0)
    created_at: datetime = timestamp_field(default_now=True)
    decided_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = timestamp_field(nullable=True)


class KeyTransferUnit(SQLModel, table=True):
    """One unit of a transfer; its serial is kept so the transfer names it whoever owns it now."""

    __tablename__ = "key_transfer_unit"

    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("key_transfer.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    unit_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meter_key.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    serial: str = Field(max_length=40)
    # The unit's id while the transfer is open, NULL once it closed: unique, so a unit is in at
    # most one open transfer (NULLs never collide on SQLite nor PostgreSQL).
    open_unit_id: int | None = Field(default=None, unique=True)


class KeyOwnership(SQLModel, table=True):
    """A unit changed owner: from, to, by which transfer, when ("who owned this key on a date")."""

    __tablename__ = "key_ownership"
    __table_args__ = (Index("ix_key_ownership_unit_at", "unit_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meter_key.id", ondelete="CASCADE"), nullable=False)
    )
    serial: str = Field(max_length=40, index=True)
    from_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    to_organisation_id: int = Field(foreign_key="organisation.id")
    transfer_id: int | None = Field(default=None, foreign_key="key_transfer.id", index=True)
    changed_at: datetime = timestamp_field(default_now=True)


class TransferCodeStatus(StrEnum):
    LIVE = "live"
    USED = "used"
    DEAD = "dead"  # five wrong tries
    SUPERSEDED = "superseded"  # a newer code went to the same person


class KeyTransferCode(SQLModel, table=True):
    """A 6-digit code mailed to a sender to confirm one send (the units and the recipient it names).

    Only the HMAC of the code is kept (as for the SMS codes); ``subject_digest`` binds it to the
    transfer it confirms, so a code asked for one selection never sends another.
    """

    __tablename__ = "key_transfer_code"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    subject_digest: str = Field(max_length=64)
    code_hash: str = Field(max_length=64)
    status: str = Field(default=TransferCodeStatus.LIVE.value, max_length=16)
    failed_attempts: int = Field(default=0)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field()
    used_at: datetime | None = timestamp_field(nullable=True)


class RobotCheckUse(SQLModel, table=True):
    """A solved robot check (proof of work) that was used once: it is not accepted again."""

    __tablename__ = "robot_check_use"

    id: int | None = Field(default=None, primary_key=True)
    signature: str = Field(max_length=128, unique=True)
    expires_at: datetime = timestamp_field(index=True)
