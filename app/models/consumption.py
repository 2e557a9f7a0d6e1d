"""Consumption served to the charts: hourly interval values and their local-time roll-ups.

Derived from the billing-grade cumulative registers (see app/services/consumption/);
never written by hand. Each chart request reads one short primary-key range.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import BigInteger, Date
from sqlmodel import Field, SQLModel

# On SQLite the rows are stored in primary-key order (no rowid plus separate index): one
# B-tree to write, and a chart's range read touches neighbouring pages only.
_CLUSTERED = {"sqlite_with_rowid": False}


class IntervalQuality(StrEnum):
    # Both hour boundaries had a register reading.
    MEASURED = "measured"
    # At least one boundary was interpolated between readings close to it.
    ESTIMATED = "estimated"
    # No usable readings: a gap, drawn as a gap and never as zero.
    MISSING = "missing"


class ConsumptionHour(SQLModel, table=True):
    """Energy in the hour [hour_start, hour_start + 1 h), UTC epoch seconds."""

    __tablename__ = "consumption_hour"
    __table_args__ = _CLUSTERED

    meter_id: int = Field(foreign_key="meter.id", primary_key=True)
    hour_start: int = Field(sa_type=BigInteger, primary_key=True)
    energy_kwh: float | None = None
    power_mean_kw: float | None = None
    power_max_kw: float | None = None
    quality: str = Field(max_length=10)


class ConsumptionDay(SQLModel, table=True):
    """One local calendar day (Europe/Oslo): 23, 24 or 25 hours."""

    __tablename__ = "consumption_day"
    __table_args__ = _CLUSTERED

    meter_id: int = Field(foreign_key="meter.id", primary_key=True)
    day: date = Field(sa_type=Date, primary_key=True)
    # Sum of the measured and estimated hours; None when the day has none.
    energy_kwh: float | None = None
    hours: int
    measured_hours: int = 0
    estimated_hours: int = 0
    missing_hours: int = 0
    # The day's largest hourly energy: the capacity tariff is built from these.
    max_hour_kwh: float | None = None
    max_hour_start: int | None = Field(default=None, sa_type=BigInteger)
    power_max_kw: float | None = None
    peak_hour_start: int | None = Field(default=None, sa_type=BigInteger)


class ConsumptionMonth(SQLModel, table=True):
    """One local calendar month; ``month`` is its first day."""

    __tablename__ = "consumption_month"
    __table_args__ = _CLUSTERED

    meter_id: int = Field(foreign_key="meter.id", primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)
    energy_kwh: float | None = None
    hours: int
    measured_hours: int = 0
    estimated_hours: int = 0
    missing_hours: int = 0
    power_max_kw: float | None = None
    peak_hour_start: int | None = Field(default=None, sa_type=BigInteger)
