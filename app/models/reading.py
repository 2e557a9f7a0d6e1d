"""Meter readings: cumulative register values as they arrive."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


class ReadingSource(StrEnum):
    # Billing-grade: telegrams, M-Bus polls, grid-company files.
    COLLECTED = "collected"
    # The customer's own HAN reader: not quality-assured, never used for settlement.
    HAN = "han"
    DEMO = "demo"


# What settlement and the consumption charts may use; HAN data never is.
BILLING_GRADE_SOURCES: tuple[str, ...] = (ReadingSource.COLLECTED.value, ReadingSource.DEMO.value)


class Reading(SQLModel, table=True):
    """One register value at one instant, stored once per (meter, register, ts).

    ``ts`` is UTC epoch seconds: compact and index-friendly for tens of millions of rows.
    """

    __table_args__ = (UniqueConstraint("meter_id", "register_code", "ts", name="uq_reading_point"),)

    # INTEGER on SQLite so the id is the rowid (autoincrement); BIGINT elsewhere.
    id: int | None = Field(
        default=None, sa_type=BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    meter_id: int = Field(foreign_key="meter.id")
    register_code: str = Field(max_length=32)
    ts: int = Field(sa_type=BigInteger)
    value: float
    unit: str = Field(max_length=8)
    source: str = Field(max_length=16)
