"""The meter-key table: each meter's or concentrator's keys, encrypted at rest.

Every key is sealed with its own data key (AES-256-GCM); the data key is stored wrapped by the
master key from settings. Only `app/services/keys/sealing.py` reads or writes these columns. Read rights
and transfers (the encryption-key service) attach to `owner_id` and the row id later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class KeyKind(StrEnum):
    METER = "meter"
    CONCENTRATOR = "concentrator"


class MeterKey(SQLModel, table=True):
    __tablename__ = "meter_key"
    # The key list pages an organisation's units filtered and sorted by any column: one index per
    # sort column behind the owner, so a page is an index range scan, not a sort of 20,000 rows.
    __table_args__ = (
        Index("ix_meter_key_owner_serial", "owner_id", "serial"),
        Index("ix_meter_key_owner_kind", "owner_id", "kind", "serial"),
        Index("ix_meter_key_owner_model", "owner_id", "model", "serial"),
        Index("ix_meter_key_owner_medium", "owner_id", "medium", "serial"),
        Index("ix_meter_key_owner_readers", "owner_id", "reader_count", "serial"),
        Index("ix_meter_key_owner_updated", "owner_id", "updated_at", "serial"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The device serial as the portal names it (Meter.serial / Concentrator.serial) or as the
    # meter sends it (wireless M-Bus id); looked up exactly.
    serial: str = Field(max_length=40, unique=True, index=True)
    # DLMS system title (8 bytes, hex lower-case) of HAN meters that encrypt their push.
    system_title: str | None = Field(default=None, max_length=16, unique=True, index=True)
    # A wireless M-Bus meter's version and device type (its header's bytes), when its key file
    # names them: the worker's look-up then matches them too (None: any).
    wmbus_version: int | None = Field(default=None)
    wmbus_device_type: int | None = Field(default=None)
    kind: str = Field(default=KeyKind.METER.value, max_length=16, index=True)
    # "KAM" for Kamstrup; other makers' prefixes as their serials carry them.
    manufacturer: str = Field(default="", max_length=8)
    model: str = Field(default="", max_length=60)
    # electricity, district_heating, water, gas, ... (free text as key files name it)
    medium: str = Field(default="", max_length=32)
    # How many accounts hold a read right on this unit: kept by the read-right service in the same
    # transaction, so the list sorts and filters (assigned/unassigned) without counting per page.
    reader_count: int = Field(default=0)
    owner_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    meter_id: int | None = Field(default=None, foreign_key="meter.id", index=True)
    # nonce (12) + AES-256-GCM ciphertext and tag, under the row's data key
    encryption_key_sealed: bytes = Field(sa_type=LargeBinary)
    authentication_key_sealed: bytes | None = Field(default=None, sa_type=LargeBinary, nullable=True)
    # nonce (12) + the 32-byte data key sealed under the master key
    wrapped_data_key: bytes = Field(sa_type=LargeBinary)
    # Which master key wrapped it (first 8 bytes of its SHA-256, hex): rotation finds old rows.
    master_key_id: str = Field(max_length=16, index=True)
    created_at: datetime = timestamp_field(default_now=True)
    updated_at: datetime = timestamp_field(default_now=True)


class KeyReadRight(SQLModel, table=True):
    """An account may see (and download) the keys of one unit."""

    __tablename__ = "key_read_right"
    __table_args__ = (UniqueConstraint("unit_id", "user_id", name="uq_key_read_right"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meter_key.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(foreign_key="user.id", index=True)
    granted_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    granted_at: datetime = timestamp_field(default_now=True)


class ImportBatchStatus(StrEnum):
    STAGED = "staged"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class KeyImportBatch(SQLModel, table=True):
    """A key file read and checked, waiting for the distributor to confirm or cancel it."""

    __tablename__ = "key_import_batch"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    filename: str = Field(default="", max_length=255)
    file_kind: str = Field(max_length=8)  # kem | csv
    status: str = Field(default=ImportBatchStatus.STAGED.value, max_length=16)
    good: int = Field(default=0)
    bad: int = Field(default=0)
    created_at: datetime = timestamp_field(default_now=True)
    decided_at: datetime | None = timestamp_field(nullable=True)


class KeyImportRow(SQLModel, table=True):
    """One line of a staged import. Good rows hold their keys sealed exactly as `meter_key` does
    (bound to the serial), so confirming copies them without opening them; bad rows hold none."""

    __tablename__ = "key_import_row"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("key_import_batch.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    line: int
    serial: str = Field(default="", max_length=40)
    manufacturer: str = Field(default="", max_length=8)
    kind: str = Field(default=KeyKind.METER.value, max_length=16)
    model: str = Field(default="", max_length=60)
    medium: str = Field(default="", max_length=32)
    system_title: str | None = Field(default=None, max_length=16)
    wmbus_version: int | None = Field(default=None)
    wmbus_device_type: int | None = Field(default=None)
    problem: str = Field(default="", max_length=64)
    encryption_key_sealed: bytes | None = Field(default=None, sa_type=LargeBinary, nullable=True)
    authentication_key_sealed: bytes | None = Field(default=None, sa_type=LargeBinary, nullable=True)
    wrapped_data_key: bytes | None = Field(default=None, sa_type=LargeBinary, nullable=True)
    master_key_id: str = Field(default="", max_length=16)
