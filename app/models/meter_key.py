"""The meter-key table: each meter's or concentrator's keys, encrypted at rest.

Every key is sealed with its own data key (AES-256-GCM); the data key is stored wrapped by the
master key from settings. Only `app/services/keys/sealing.py` reads or writes these columns. Read rights
and transfers (the encryption-key service) attach to `owner_id` and the row id later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class KeyKind(StrEnum):
    METER = "meter"
    CONCENTRATOR = "concentrator"


class MeterKey(SQLModel, table=True):
    __tablename__ = "meter_key"

    id: int | None = Field(default=None, primary_key=True)
    # The device serial as the portal names it (Meter.serial / Concentrator.serial) or as the
    # meter sends it (wireless M-Bus id); looked up exactly.
    serial: str = Field(max_length=40, unique=True, index=True)
    # DLMS system title (8 bytes, hex lower-case) of HAN meters that encrypt their push.
    system_title: str | None = Field(default=None, max_length=16, unique=True, index=True)
    kind: str = Field(default=KeyKind.METER.value, max_length=16, index=True)
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
