"""What a chart tap reads: a year of months, a month of days, a day of hours, and the rules
that pick what the charts point out (the peak, the year-on-year change).

Every function takes the caller and the meter asked for, and refuses a meter that is not the
one of the caller's customer relationship. Statements are built once at import: building a
select per tap cost as much as running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.clock import local_now
from app.models import ConsumptionDay, ConsumptionHour, ConsumptionMonth
from app.services.caller import Caller
from app.services.consumption.derivation import ESTIMATED, MEASURED, MISSING
from app.services.consumption.local_time import (
    HOUR,
    local_day,
    local_midnight,
    local_zone,
    next_month,
)
from app.services.customer.consumption.access import CustomerMeter, authorised_meter
from app.sql_rows import all_rows

# Months are compared year on year only when both cover at least this share of their hours.
COMPARABLE_COVERAGE = 0.95


@dataclass(frozen=True)
class Period:
    """One bar or point: a month, a day or an hour."""

    key: str  # ISO date (month, day) or UTC epoch (hour), for drilling down
    start: int  # UTC epoch of the period's start
    label: str  # local label: "2025-01", "2025-01-31", "02" / "02 CET"
    energy_kwh: float | None
    power_mean_kw: float | None
    power_max_kw: float | None
    peak_at: int | None  # UTC epoch of the hour with power_max_kw
    quality: str  # measured | estimated | missing | partial (some hours without data)
    hours: int = 1
    covered_hours: int = 0

    @property
    def coverage(self) -> float:
        return self.covered_hours / self.hours if self.hours else 0.0

    def holds(self, at: int) -> bool:
        return self.start <= at < self.start + self.hours * HOUR


@dataclass(frozen=True)
class YearSeries:
    year: int
    months: list[Period | None]  # twelve entries, None where the month has no data
    total_kwh: float
    # Change against the previous year over the months both cover (percent), and which.
    change_percent: float | None = None
    compared_months: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class MonthPeak:
    """The month with the highest hourly power of the years shown."""

    year: int
    month: int  # 1-12
    power_kw: float


@dataclass(frozen=True)
class YearOverview:
    meter: CustomerMeter
    years: list[YearSeries]

    @property
    def empty(self) -> bool:
        return not any(series.total_kwh or any(series.months) for series in self.years)

    @property
    def peak_month(self) -> MonthPeak | None:
        """The first month (oldest year first) with the highest power of all years shown."""
        best: MonthPeak | None = None
        for series in self.years:
            for index, period in enumerate(series.months):
                if period is None or period.power_max_kw is None:
                    continue
                if best is None or period.power_max_kw > best.power_kw:
                    best = MonthPeak(series.year, index + 1, period.power_max_kw)
        return best


@dataclass(frozen=True)
class Peak:
    power_kw: float
    at: int  # UTC epoch of the hour


@dataclass(frozen=True)
class MonthView:
    meter: CustomerMeter
    month: date
    days: list[Period]  # every local day of the month, missing ones included
    total_kwh: float | None
    peak: Peak | None
    # Each stored day's highest hour (start, kWh): the capacity tariff's basis.
    day_maxima: list[tuple[int | None, float | None]] = field(default_factory=list)


@dataclass(frozen=True)
class DayView:
    meter: CustomerMeter
    day: date
    hours: list[Period]  # 23, 24 or 25 local hours
    total_kwh: float | None
    peak: Peak | None


def _period_quality(hours: int, measured: int, estimated: int) -> str:
    covered = measured + estimated
    if covered == 0:
        return MISSING
    if covered < hours:
        return "partial"
    return ESTIMATED if estimated else MEASURED


def _mean_power(energy: float | None, covered: int) -> float | None:
    return round(energy / covered, 6) if energy is not None and covered else None


_month = ConsumptionMonth.__table__.c
_day = ConsumptionDay.__table__.c
_hour = ConsumptionHour.__table__.c
_METER, _FROM, _UNTIL = bindparam("meter_id"), bindparam("first"), bindparam("until")
_MONTHS = (
    select(
        _month.month,
        _month.energy_kwh,
        _month.hours,
        _month.measured_hours,
        _month.estimated_hours,
        _month.power_max_kw,
        _month.peak_hour_start,
    )
    .where(_month.meter_id == _METER, _month.month >= _FROM)
    .order_by(_month.month)
)
_DAYS = select(
    _day.day,
    _day.energy_kwh,
    _day.hours,
    _day.measured_hours,
    _day.estimated_hours,
    _day.power_max_kw,
    _day.peak_hour_start,
    _day.max_hour_start,
    _day.max_hour_kwh,
).where(_day.meter_id == _METER, _day.day >= _FROM, _day.day < _UNTIL)
_HOURS = select(
    _hour.hour_start, _hour.energy_kwh, _hour.power_mean_kw, _hour.power_max_kw, _hour.quality
).where(_hour.meter_id == _METER, _hour.hour_start >= _FROM, _hour.hour_start < _UNTIL)
_NEWEST_HOUR = (
    select(_hour.hour_start)
    .where(_hour.meter_id == _METER, _hour.quality != MISSING)
    .order_by(_hour.hour_start.desc())
    .limit(1)
)


def year_overview(
    db: Session, caller: Caller, meter_id: int, *, years: int = 3, today: date | None = None
) -> YearOverview:
    """Monthly totals of up to the last ``years`` local calendar years."""
    meter = authorised_meter(db, caller, meter_id)
    zone = local_zone()
    today = today or local_now(zone).date()
    first_year = today.year - years + 1
    rows = all_rows(db.connection(), _MONTHS, {"meter_id": meter_id, "first": date(first_year, 1, 1)})
    by_year: dict[int, list[Period | None]] = {y: [None] * 12 for y in range(first_year, today.year + 1)}
    for first_day, energy, hours, measured, estimated, power_max, peak_at in rows:
        if first_day.year not in by_year:
            continue
        covered = measured + estimated
        by_year[first_day.year][first_day.month - 1] = Period(
            key=first_day.isoformat(),
            start=local_midnight(first_day, zone),
            label=first_day.strftime("%Y-%m"),
            energy_kwh=energy,
            power_mean_kw=_mean_power(energy, covered),
            power_max_kw=power_max,
            peak_at=peak_at,
            quality=_period_quality(hours, measured, estimated),
            hours=hours,
            covered_hours=covered,
        )
    series: list[YearSeries] = []
    for year in sorted(by_year):
        months = by_year[year]
        if year != today.year and not any(months):
            continue
        total = round(sum(m.energy_kwh or 0.0 for m in months if m), 6)
        change, compared = _change(months, by_year.get(year - 1))
        series.append(YearSeries(year, months, total, change, compared))
    return YearOverview(meter, series)


def _change(
    months: list[Period | None], previous: list[Period | None] | None
) -> tuple[float | None, list[int]]:
    """Percent change against the previous year over the months both cover well, and which."""
    if not previous or not any(previous):
        return None, []
    compared = [
        i + 1
        for i, (now, then) in enumerate(zip(months, previous, strict=True))
        if now
        and then
        and now.energy_kwh is not None
        and then.energy_kwh
        and now.coverage >= COMPARABLE_COVERAGE
        and then.coverage >= COMPARABLE_COVERAGE
    ]
    if not compared:
        return None, []
    now_sum = sum(months[i - 1].energy_kwh or 0.0 for i in compared)  # type: ignore[union-attr]
    then_sum = sum(previous[i - 1].energy_kwh or 0.0 for i in compared)  # type: ignore[union-attr]
    return (round((now_sum - then_sum) / then_sum * 100, 1) if then_sum else None), compared


def month_view(db: Session, caller: Caller, meter_id: int, month: date) -> MonthView:
    """Daily totals of one local month, every day of it listed."""
    meter = authorised_meter(db, caller, meter_id)
    zone = local_zone()
    first = month.replace(day=1)
    following = next_month(first)
    rows = {
        row.day: row
        for row in all_rows(
            db.connection(), _DAYS, {"meter_id": meter_id, "first": first, "until": following}
        )
    }
    days: list[Period] = []
    current = first
    while current < following:
        span = local_day(current, zone)
        row = rows.get(current)
        key = current.isoformat()
        if row is None:
            days.append(Period(key, span.start, key, None, None, None, None, MISSING, span.hours, 0))
        else:
            covered = row.measured_hours + row.estimated_hours
            days.append(
                Period(
                    key,
                    span.start,
                    key,
                    row.energy_kwh,
                    _mean_power(row.energy_kwh, covered),
                    row.power_max_kw,
                    row.peak_hour_start,
                    _period_quality(span.hours, row.measured_hours, row.estimated_hours),
                    span.hours,
                    covered,
                )
            )
        current += timedelta(days=1)
    maxima = [(row.max_hour_start, row.max_hour_kwh) for row in rows.values()]
    return MonthView(meter, first, days, _total(days), _peak(days), maxima)


def _hour_label(start: int, zone: ZoneInfo, repeated: set[int]) -> str:
    moment = datetime.fromtimestamp(start, zone)
    label = f"{moment.hour:02d}"
    # On the autumn DST day one local hour comes twice: name the offset to tell them apart.
    return f"{label} {moment.tzname()}" if moment.hour in repeated else label


def day_view(db: Session, caller: Caller, meter_id: int, day: date) -> DayView:
    """The 23, 24 or 25 hours of one local day, labelled in local time."""
    meter = authorised_meter(db, caller, meter_id)
    zone = local_zone()
    span = local_day(day, zone)
    rows = {
        row.hour_start: row
        for row in all_rows(
            db.connection(), _HOURS, {"meter_id": meter_id, "first": span.start, "until": span.end}
        )
    }
    local_hours = [datetime.fromtimestamp(t, zone).hour for t in range(span.start, span.end, HOUR)]
    repeated = {h for h in local_hours if local_hours.count(h) > 1}
    hours: list[Period] = []
    for start in range(span.start, span.end, HOUR):
        row = rows.get(start)
        label = _hour_label(start, zone, repeated)
        if row is None or row.energy_kwh is None:
            hours.append(Period(str(start), start, label, None, None, None, None, MISSING, 1, 0))
        else:
            hours.append(
                Period(
                    str(start),
                    start,
                    label,
                    row.energy_kwh,
                    row.power_mean_kw,
                    row.power_max_kw,
                    start,
                    row.quality,
                    1,
                    1,
                )
            )
    return DayView(meter, day, hours, _total(hours), _peak(hours))


def _total(periods: Sequence[Period]) -> float | None:
    values = [p.energy_kwh for p in periods if p.energy_kwh is not None]
    return round(sum(values), 6) if values else None


def _peak(periods: Sequence[Period]) -> Peak | None:
    best = max(
        (p for p in periods if p.power_max_kw is not None),
        key=lambda p: p.power_max_kw or 0.0,
        default=None,
    )
    if best is None or best.power_max_kw is None:
        return None
    return Peak(best.power_max_kw, best.peak_at if best.peak_at is not None else best.start)


def peak_index(periods: Sequence[Period], peak: Peak | None) -> int | None:
    """Which of ``periods`` holds ``peak`` (where the chart puts its marker)."""
    if peak is None:
        return None
    return next(
        (i for i, p in enumerate(periods) if p.power_max_kw == peak.power_kw and p.holds(peak.at)),
        None,
    )


def data_until(db: Session, caller: Caller, meter_id: int) -> datetime | None:
    """The end of the newest hour with a value: what the freshness line shows."""
    authorised_meter(db, caller, meter_id)
    newest = db.connection().execute(_NEWEST_HOUR, {"meter_id": meter_id}).scalar()
    return datetime.fromtimestamp(newest + HOUR, UTC) if newest is not None else None
