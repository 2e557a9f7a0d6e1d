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


class ReadingStatus(StrEnum):
    # As the grid company (or the meter) states it; estimated values are replaced when measured
    # ones arrive.
    MEASURED = "measured"
    ESTIMATED = "estimated"


class Reading(SQLModel, table=True):
    """One register value at one instant, stored once per (meter, register, ts, source).

    The source is part of the key so that a customer's HAN reading and a billing-grade reading of
    the same instant are both kept: the one that arrives first never takes the other's place.
    ``ts`` is UTC epoch seconds: compact and index-friendly for tens of millions of rows.
    """

    __table_args__ = (UniqueConstraint("meter_id", "register_code", "ts", "source", name="uq_reading_point"),)

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
    status: str = Field(
        default=ReadingStatus.MEASURED.value,
        max_length=10,
        sa_column_kwargs={"server_default": ReadingStatus.MEASURED.value},
    )


class IntervalReading(SQLModel, table=True):
    """Energy in one interval [period_start, period_start + period_seconds) as a grid company
    states it (an hourly value), kept as what it is rather than folded into a register.

    Billing-grade only; stored once per (meter, register, period_start).
    """

    __tablename__ = "interval_reading"
    __table_args__ = (
        UniqueConstraint("meter_id", "register_code", "period_start", name="uq_interval_point"),
    )

    id: int | None = Field(
        default=None, sa_type=BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    meter_id: int = Field(foreign_key="meter.id")
    register_code: str = Field(max_length=32)
    period_start: int = Field(sa_type=BigInteger)  # UTC epoch seconds
    period_seconds: int = Field(default=3600)
    value: float
    unit: str = Field(max_length=8)
    status: str = Field(default=ReadingStatus.MEASURED.value, max_length=10)
    source: str = Field(max_length=16)
