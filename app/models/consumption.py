"""Consumption served to the charts: hourly interval values and their local-time roll-ups.

Derived from the billing-grade cumulative registers (see app/services/consumption/);
never written by hand. Each chart request reads one short primary-key range.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Date
from sqlmodel import Field, SQLModel

from app.models.base import ExactMoney

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


class CostDay(SQLModel, table=True):
    """What one local day of a meter's consumption cost (issue 26), stored so the kr views read
    a few rows instead of pricing every hour: the exact (unrounded) sum of the day's priced hours
    by component, kept by app/services/consumption/cost_rollups.py.

    Priced without the supplier's mark-up (it is the relationship's and may change without a
    recomputation): the view adds ``markup x energy_kwh`` and its VAT ``markup x vat_kwh``.
    A row only for a day with at least one priced hour; no row: no cost (a gap, never 0 kr).
    """

    __tablename__ = "cost_day"
    __table_args__ = _CLUSTERED

    meter_id: int = Field(primary_key=True)
    day: date = Field(sa_type=Date, primary_key=True)
    # What the day was priced as: a view for another grid company or zone prices afresh.
    utility_id: int
    bidding_zone: str = Field(default="", max_length=3)
    priced_hours: int
    energy_kwh: Decimal = Field(sa_type=ExactMoney)  # of the priced hours
    vat_kwh: Decimal = Field(sa_type=ExactMoney)  # sum of kWh x the VAT rate of the hour's day
    spot: Decimal = Field(sa_type=ExactMoney)  # heat: the energy price part
    grid: Decimal = Field(sa_type=ExactMoney)
    taxes: Decimal = Field(sa_type=ExactMoney)  # duties and VAT
    # What each hour of the day was priced at, but its kWh and spot price (``DayRates`` in
    # app/services/consumption/cost.py): the kr day view prices the day's hours from these, the
    # hours' kWh and the zone's spot prices, in two short reads. None: priced before they were kept.
    energy_rate_day: Decimal | None = Field(default=None, sa_type=ExactMoney)  # heat: kr/MWh
    energy_rate_night: Decimal | None = Field(default=None, sa_type=ExactMoney)
    day_band_from: int | None = None  # local hours [from, to) are the day band; (0, 0): none
    day_band_to: int | None = None
    capacity_kr: Decimal | None = Field(default=None, sa_type=ExactMoney)  # the month's step, kr/month
    fixed_kr: Decimal | None = Field(default=None, sa_type=ExactMoney)  # kr/month
    duty_rate: Decimal | None = Field(default=None, sa_type=ExactMoney)  # el. tax + Enova, kr/kWh
    vat_rate: Decimal | None = Field(default=None, sa_type=ExactMoney)


class CostMonth(SQLModel, table=True):
    """A local month's cost: the sum of its ``cost_day`` rows, and the capacity basis its days
    were priced with (a new peak that moves it reprices the whole month). A row for every month
    with consumption, ``priced_hours`` 0 when none of it has a cost."""

    __tablename__ = "cost_month"
    __table_args__ = _CLUSTERED

    meter_id: int = Field(primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)
    utility_id: int
    bidding_zone: str = Field(default="", max_length=3)
    capacity_basis_kw: float | None = None
    priced_hours: int
    energy_kwh: Decimal = Field(sa_type=ExactMoney)
    vat_kwh: Decimal = Field(sa_type=ExactMoney)
    spot: Decimal = Field(sa_type=ExactMoney)
    grid: Decimal = Field(sa_type=ExactMoney)
    taxes: Decimal = Field(sa_type=ExactMoney)
