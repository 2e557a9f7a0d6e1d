"""Hourly interval values from cumulative registers, and their local-day and -month roll-ups.

Pure computation (no database), so the demo generator can run it in other processes. Only
billing-grade sources count (demo, collected); the customer's own HAN reader never does.

Where an hour has both a stated interval value and register readings around it, a measured
value wins over an estimated one, and between two of the same status the stated interval value
wins (it is what the grid company settles).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

from app.models import IntervalQuality
from app.services.consumption.local_time import (
    HOUR,
    LocalDay,
    ceil_hour,
    local_day_of,
    local_zone,
    month_hours,
)

# Cumulative energy registers, most preferred first (a meter normally has exactly one of them).
ENERGY_REGISTERS = ("1-0:1.8.0", "1-0:1.8.0.255", "heat_energy")
UNIT_TO_KWH = {"kWh": 1.0, "Wh": 0.001, "MWh": 1000.0, "GJ": 1000.0 / 3.6}
# A boundary value is interpolated only between readings this close: across one lost
# hourly reading the estimate is good, across a longer outage it would be invented.
ESTIMATE_SPAN = 2 * HOUR
MEASURED, ESTIMATED, MISSING = (q.value for q in IntervalQuality)


class HourRow(NamedTuple):
    """One row of ``consumption_hour``."""

    meter_id: int
    hour_start: int
    energy_kwh: float | None
    power_mean_kw: float | None
    power_max_kw: float | None
    quality: str


class DayRow(NamedTuple):
    """One row of ``consumption_day``."""

    meter_id: int
    day: date
    energy_kwh: float | None
    hours: int
    measured_hours: int
    estimated_hours: int
    missing_hours: int
    max_hour_kwh: float | None
    max_hour_start: int | None
    power_max_kw: float | None
    peak_hour_start: int | None


class MonthRow(NamedTuple):
    """One row of ``consumption_month``."""

    meter_id: int
    month: date
    energy_kwh: float | None
    hours: int
    measured_hours: int
    estimated_hours: int
    missing_hours: int
    power_max_kw: float | None
    peak_hour_start: int | None


class ConsumptionRows(NamedTuple):
    hours: list[HourRow]
    days: list[DayRow]
    months: list[MonthRow]


def _missing(meter_id: int, hour: int) -> HourRow:
    return HourRow(meter_id, hour, None, None, None, MISSING)


def derive_hours(
    meter_id: int,
    points: Sequence[tuple[int, float]],
    from_hour: int | None = None,
    estimated: frozenset[int] = frozenset(),
) -> list[HourRow]:
    """Hourly interval values from cumulative register points (ts, kWh), sorted by ts.

    Only hours that lie wholly between the first and the last point are produced (hours
    from ``from_hour`` on, when given). A register that goes down is a meter replacement or
    a reset: no hour spans it, so those hours are missing rather than negative. Hours without
    a usable boundary value are MISSING with no energy: gaps, never zeros. ``estimated`` holds
    the timestamps of readings the grid company marked estimated: hours on them are estimated.
    """
    count = len(points)
    if count < 2:
        return []
    # A new segment starts wherever the register drops.
    segment = [0] * count
    current = 0
    for i in range(1, count):
        if points[i][1] < points[i - 1][1]:
            current += 1
        segment[i] = current

    first_ts, last_ts = points[0][0], points[-1][0]
    hour = ceil_hour(first_ts)
    if from_hour is not None and from_hour > hour:
        hour = ceil_hour(from_hour)
    rows: list[HourRow] = []
    append = rows.append
    j = 0  # points[j].ts <= boundary < points[j + 1].ts

    def boundary(at: int) -> tuple[float | None, int, bool]:
        """Register value at ``at``: (value, segment, exact)."""
        nonlocal j
        while j + 1 < count and points[j + 1][0] <= at:
            j += 1
        ts, value = points[j]
        if ts == at:
            return value, segment[j], True
        if j + 1 < count and segment[j + 1] == segment[j]:
            next_ts, next_value = points[j + 1]
            if next_ts - ts <= ESTIMATE_SPAN:
                return value + (next_value - value) * (at - ts) / (next_ts - ts), segment[j], False
        return None, -1, False

    if hour + HOUR > last_ts:
        return _mark_estimated(rows, estimated)
    times = [p[0] for p in points]
    values = [p[1] for p in points]
    # The tuple constructor without HourRow.__new__'s keyword handling: millions of rows.
    row = tuple.__new__
    while hour + HOUR <= last_ts:
        # Fast path, nearly every hour: readings exactly on both boundaries, register not reset.
        while j + 1 < count and times[j + 1] <= hour:
            j += 1
        if times[j] == hour and j + 1 < count and times[j + 1] == hour + HOUR and values[j + 1] >= values[j]:
            energy = round(values[j + 1] - values[j], 6)
            append(row(HourRow, (meter_id, hour, energy, energy, energy, MEASURED)))
            hour += HOUR
            continue
        start_value, start_segment, start_exact = boundary(hour)
        first_inside = j + 1  # points strictly after the hour's start
        end_value, end_segment, end_exact = boundary(hour + HOUR)
        if start_value is None or end_value is None or start_segment != end_segment:
            append(_missing(meter_id, hour))
        else:
            energy = round(end_value - start_value, 6)
            peak = energy
            # Readings inside the hour give a finer power curve: its max is the hour's max.
            last_inside = j if not end_exact else j - 1
            if last_inside >= first_inside:
                previous_ts, previous_value = hour, start_value
                for k in range(first_inside, last_inside + 1):
                    ts, value = points[k]
                    peak = max(peak, (value - previous_value) * HOUR / (ts - previous_ts))
                    previous_ts, previous_value = ts, value
                peak = max(peak, (end_value - previous_value) * HOUR / (hour + HOUR - previous_ts))
                peak = round(peak, 6)
            quality = MEASURED if start_exact and end_exact else ESTIMATED
            append(HourRow(meter_id, hour, energy, energy, peak, quality))
        hour += HOUR
    return _mark_estimated(rows, estimated)


def _mark_estimated(rows: list[HourRow], estimated: frozenset[int]) -> list[HourRow]:
    """An hour that starts or ends on an estimated register reading is itself estimated."""
    if not estimated:
        return rows
    return [
        row._replace(quality=ESTIMATED)
        if row.quality == MEASURED and (row.hour_start in estimated or row.hour_start + HOUR in estimated)
        else row
        for row in rows
    ]


# An hourly value as a grid company states it: hour start -> (kWh, measured | estimated).
IntervalValues = dict[int, tuple[float, str]]
_PREFERENCE = {MEASURED: 2, ESTIMATED: 1}


def combine_hours(
    meter_id: int,
    register_hours: Sequence[HourRow],
    intervals: IntervalValues,
    from_hour: int | None = None,
) -> list[HourRow]:
    """Hours derived from registers and stated interval values, merged hour by hour.

    Every hour from the first to the last one either kind covers is listed; an hour neither
    covers is MISSING. A measured value beats an estimated one; at equal status the stated
    interval value beats the derived one.
    """
    if not intervals:
        return list(register_hours)
    by_hour = {row.hour_start: row for row in register_hours}
    first = min(min(intervals), min(by_hour, default=min(intervals)))
    last = max(max(intervals), max(by_hour, default=max(intervals)))
    if from_hour is not None:
        first = max(first, from_hour)
    rows: list[HourRow] = []
    for hour in range(first, last + HOUR, HOUR):
        derived = by_hour.get(hour)
        stated = intervals.get(hour)
        derived_rank = _PREFERENCE.get(derived.quality, 0) if derived is not None else 0
        if stated is not None and _PREFERENCE[stated[1]] >= derived_rank:
            kwh = stated[0]
            rows.append(HourRow(meter_id, hour, kwh, kwh, kwh, stated[1]))
        elif derived is not None:
            rows.append(derived)
        else:
            rows.append(_missing(meter_id, hour))
    return rows


def roll_up_days(hours: Iterable[HourRow], zone: ZoneInfo | None = None) -> list[DayRow]:
    """Local-day totals of hourly rows (sorted by meter and hour)."""
    zone = zone or local_zone()
    days: list[DayRow] = []
    meter = None
    span: LocalDay | None = None
    energy = 0.0
    measured = estimated = missing = 0
    max_hour = max_hour_at = power_max = peak_at = None

    def close() -> None:
        if span is not None and meter is not None:
            covered = measured + estimated
            days.append(
                DayRow(
                    meter,
                    span.day,
                    round(energy, 6) if covered else None,
                    span.hours,
                    measured,
                    estimated,
                    missing,
                    max_hour,
                    max_hour_at,
                    power_max,
                    peak_at,
                )
            )

    for meter_id, hour_start, kwh, _mean, peak, quality in hours:
        if span is None or meter_id != meter or not span.start <= hour_start < span.end:
            close()
            meter = meter_id
            span = local_day_of(hour_start, zone)
            energy = 0.0
            measured = estimated = missing = 0
            max_hour = max_hour_at = power_max = peak_at = None
        if kwh is None:
            missing += 1
            continue
        if quality == MEASURED:
            measured += 1
        else:
            estimated += 1
        energy += kwh
        if max_hour is None or kwh > max_hour:
            max_hour, max_hour_at = kwh, hour_start
        if peak is not None and (power_max is None or peak > power_max):
            power_max, peak_at = peak, hour_start
    close()
    return days


def roll_up_months(days: Iterable[DayRow], zone: ZoneInfo | None = None) -> list[MonthRow]:
    """Local-month totals of daily rows (sorted by meter and day)."""
    zone = zone or local_zone()
    months: list[MonthRow] = []
    key: tuple[int, date] | None = None
    energy = 0.0
    has_energy = False
    measured = estimated = missing = 0
    power_max = peak_at = None

    def close() -> None:
        if key is not None:
            months.append(
                MonthRow(
                    key[0],
                    key[1],
                    round(energy, 6) if has_energy else None,
                    month_hours(key[1], zone),
                    measured,
                    estimated,
                    missing,
                    power_max,
                    peak_at,
                )
            )

    for row in days:
        month = row.day.replace(day=1)
        if key != (row.meter_id, month):
            close()
            key = (row.meter_id, month)
            energy, has_energy = 0.0, False
            measured = estimated = missing = 0
            power_max = peak_at = None
        if row.energy_kwh is not None:
            energy += row.energy_kwh
            has_energy = True
        measured += row.measured_hours
        estimated += row.estimated_hours
        missing += row.missing_hours
        if row.power_max_kw is not None and (power_max is None or row.power_max_kw > power_max):
            power_max, peak_at = row.power_max_kw, row.peak_hour_start
    close()
    return months


def consumption_rows(
    meter_id: int,
    points: Sequence[tuple[int, float]],
    zone: ZoneInfo,
    intervals: IntervalValues | None = None,
    estimated: frozenset[int] = frozenset(),
) -> ConsumptionRows:
    """Hourly values and their daily and monthly roll-ups from a meter's register points and
    stated interval values."""
    hours = combine_hours(meter_id, derive_hours(meter_id, points, None, estimated), intervals or {})
    days = roll_up_days(hours, zone)
    return ConsumptionRows(hours, days, roll_up_months(days, zone))
