"""Consumption: hourly interval values from cumulative registers, local-time roll-ups, chart queries.

The worker stores cumulative register readings, and grid-company files bring hourly interval
values; `refresh_consumption` turns both into hourly values (energy, mean and max power,
quality) and keeps the daily and monthly roll-ups in local time up to date, so a chart request
reads at most a few dozen rows of one primary-key range. Only billing-grade sources count (demo,
collected); the customer's own HAN reader never does.

Where an hour has both a stated interval value and register readings around it, a measured
value wins over an estimated one, and between two of the same status the stated interval value
wins (it is what the grid company settles).

Every query function takes the caller's Principal and the meter asked for, and refuses a meter
that is not the one of the principal's customer relationship.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.clock import local_now
from app.config import settings
from app.models import (
    BILLING_GRADE_SOURCES,
    ConsumptionDay,
    ConsumptionHour,
    ConsumptionMonth,
    CustomerRelationship,
    IntervalQuality,
    Medium,
    Meter,
    Organisation,
    Role,
)
from app.services.errors import AccessDenied
from app.services.sessions import Principal

HOUR = 3600
# Cumulative energy registers, most preferred first (a meter normally has exactly one of them).
ENERGY_REGISTERS = ("1-0:1.8.0", "1-0:1.8.0.255", "heat_energy")
UNIT_TO_KWH = {"kWh": 1.0, "Wh": 0.001, "MWh": 1000.0, "GJ": 1000.0 / 3.6}
# A boundary value is interpolated only between readings this close: across one lost
# hourly reading the estimate is good, across a longer outage it would be invented.
ESTIMATE_SPAN = 2 * HOUR
# Months are compared year on year only when both cover at least this share of their hours.
COMPARABLE_COVERAGE = 0.95
MEASURED, ESTIMATED, MISSING = (q.value for q in IntervalQuality)

# Capacity-tariff steps (kW lower bounds; the last step is open-ended). Grid companies set
# their own: CAPACITY_STEPS_<org number>="0,2,5,10,15,20,25,50,75,100", or CAPACITY_STEPS.
DEFAULT_CAPACITY_STEPS_KW: tuple[float, ...] = (0, 2, 5, 10, 15, 20, 25, 50, 75, 100)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def _floor_hour(ts: int) -> int:
    return ts - ts % HOUR


def _ceil_hour(ts: int) -> int:
    return -(-ts // HOUR) * HOUR


# --------------------------------------------------------------------------------------------
# Deriving hourly values from register readings
# --------------------------------------------------------------------------------------------

# (meter_id, hour_start, energy_kwh, power_mean_kw, power_max_kw, quality)
HourRow = tuple[int, int, float | None, float | None, float | None, str]


def derive_hours(
    meter_id: int, points: Sequence[tuple[int, float]], from_hour: int | None = None,
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
    hour = _ceil_hour(first_ts)
    if from_hour is not None and from_hour > hour:
        hour = _ceil_hour(from_hour)
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
    while hour + HOUR <= last_ts:
        # Fast path, nearly every hour: readings exactly on both boundaries, register not reset.
        while j + 1 < count and times[j + 1] <= hour:
            j += 1
        if (
            times[j] == hour and j + 1 < count and times[j + 1] == hour + HOUR
            and values[j + 1] >= values[j]
        ):
            energy = round(values[j + 1] - values[j], 6)
            append((meter_id, hour, energy, energy, energy, MEASURED))
            hour += HOUR
            continue
        start_value, start_segment, start_exact = boundary(hour)
        first_inside = j + 1  # points strictly after the hour's start
        end_value, end_segment, end_exact = boundary(hour + HOUR)
        if start_value is None or end_value is None or start_segment != end_segment:
            append((meter_id, hour, None, None, None, MISSING))
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
            append((meter_id, hour, energy, energy, peak, quality))
        hour += HOUR
    return _mark_estimated(rows, estimated)


def _mark_estimated(rows: list[HourRow], estimated: frozenset[int]) -> list[HourRow]:
    """An hour that starts or ends on an estimated register reading is itself estimated."""
    if not estimated:
        return rows
    return [
        (*row[:5], ESTIMATED)
        if row[5] == MEASURED and (row[1] in estimated or row[1] + HOUR in estimated) else row
        for row in rows
    ]  # type: ignore[misc]


# An hourly value as a grid company states it: hour start -> (kWh, measured | estimated).
IntervalValues = dict[int, tuple[float, str]]
_PREFERENCE = {MEASURED: 2, ESTIMATED: 1}


def combine_hours(
    meter_id: int, register_hours: Sequence[HourRow], intervals: IntervalValues,
    from_hour: int | None = None,
) -> list[HourRow]:  # fmt: skip
    """Hours derived from registers and stated interval values, merged hour by hour.

    Every hour from the first to the last one either kind covers is listed; an hour neither
    covers is MISSING. A measured value beats an estimated one; at equal status the stated
    interval value beats the derived one.
    """
    if not intervals:
        return list(register_hours)
    by_hour = {row[1]: row for row in register_hours}
    first = min(min(intervals), min(by_hour, default=min(intervals)))
    last = max(max(intervals), max(by_hour, default=max(intervals)))
    if from_hour is not None:
        first = max(first, from_hour)
    rows: list[HourRow] = []
    for hour in range(first, last + HOUR, HOUR):
        derived = by_hour.get(hour)
        stated = intervals.get(hour)
        derived_rank = _PREFERENCE.get(derived[5], 0) if derived is not None else 0
        if stated is not None and _PREFERENCE[stated[1]] >= derived_rank:
            kwh = stated[0]
            rows.append((meter_id, hour, kwh, kwh, kwh, stated[1]))
        elif derived is not None:
            rows.append(derived)
        else:
            rows.append((meter_id, hour, None, None, None, MISSING))
    return rows


@dataclass(frozen=True)
class LocalDay:
    day: date
    start: int  # UTC epoch of local midnight
    end: int  # UTC epoch of the next local midnight

    @property
    def hours(self) -> int:
        return (self.end - self.start) // HOUR


def local_day_of(ts: int, zone: ZoneInfo | None = None) -> LocalDay:
    zone = zone or local_zone()
    day = datetime.fromtimestamp(ts, zone).date()
    return local_day(day, zone)


def local_day(day: date, zone: ZoneInfo | None = None) -> LocalDay:
    zone = zone or local_zone()
    start = int(datetime.combine(day, time(), zone).timestamp())
    end = int(datetime.combine(day + timedelta(days=1), time(), zone).timestamp())
    return LocalDay(day, start, end)


# (meter_id, day, energy, hours, measured, estimated, missing, max_hour_kwh, max_hour_start,
#  power_max_kw, peak_hour_start)
DayRow = tuple[int, date, float | None, int, int, int, int, float | None, int | None,
               float | None, int | None]
# (meter_id, month, energy, hours, measured, estimated, missing, power_max_kw, peak_hour_start)
MonthRow = tuple[int, date, float | None, int, int, int, int, float | None, int | None]


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
            days.append((
                meter, span.day, round(energy, 6) if covered else None, span.hours,
                measured, estimated, missing, max_hour, max_hour_at, power_max, peak_at,
            ))

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


def _month_hours(month: date, zone: ZoneInfo) -> int:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    start = datetime.combine(month, time(), zone).timestamp()
    return int(datetime.combine(following, time(), zone).timestamp() - start) // HOUR


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
            months.append((
                key[0], key[1], round(energy, 6) if has_energy else None,
                _month_hours(key[1], zone), measured, estimated, missing, power_max, peak_at,
            ))

    for row in days:
        meter_id, day = row[0], row[1]
        month = day.replace(day=1)
        if key != (meter_id, month):
            close()
            key = (meter_id, month)
            energy, has_energy = 0.0, False
            measured = estimated = missing = 0
            power_max = peak_at = None
        if row[2] is not None:
            energy += row[2]
            has_energy = True
        measured += row[4]
        estimated += row[5]
        missing += row[6]
        if row[9] is not None and (power_max is None or row[9] > power_max):
            power_max, peak_at = row[9], row[10]
    close()
    return months


# --------------------------------------------------------------------------------------------
# Storing: full rebuild (demo, repair) and incremental refresh (the worker, after each batch)
# --------------------------------------------------------------------------------------------

def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _marks(mark: str, values: Sequence[object] | range) -> str:
    return ", ".join([mark] * len(values))


# Only placeholder marks are ever formatted into these statements.
_SELECT_POINTS = (
    "SELECT ts, value, unit, status FROM reading WHERE meter_id = {m} "
    "AND register_code = {m} AND source IN ({sources})"
)
# Two billing-grade sources may hold the same instant (collected and demo): "collected" sorts first.
_BEFORE = " AND ts < {m} ORDER BY ts DESC, source LIMIT 1"
_FROM = " AND ts >= {m} ORDER BY ts, source"
_SELECT_INTERVALS = (
    "SELECT period_start, value, unit, status FROM interval_reading WHERE meter_id = {m} "
    "AND register_code IN ({registers}) AND period_seconds = 3600 AND source IN ({sources}) "
    "AND period_start >= {m} ORDER BY period_start"
)
_SELECT_PREVIOUS_TS = (
    "SELECT max(ts) FROM reading WHERE meter_id = {m} AND ts < {m} "
    "AND register_code IN ({registers}) AND source IN ({sources})"
)
_INSERT_HOURS = (
    "INSERT INTO consumption_hour (meter_id, hour_start, energy_kwh, power_mean_kw, "
    "power_max_kw, quality) VALUES ({marks})"
)
_INSERT_DAYS = (
    "INSERT INTO consumption_day (meter_id, day, energy_kwh, hours, measured_hours, "
    "estimated_hours, missing_hours, max_hour_kwh, max_hour_start, power_max_kw, "
    "peak_hour_start) VALUES ({marks})"
)
_INSERT_MONTHS = (
    "INSERT INTO consumption_month (meter_id, month, energy_kwh, hours, measured_hours, "
    "estimated_hours, missing_hours, power_max_kw, peak_hour_start) VALUES ({marks})"
)


def _date_param(connection: Connection, day: date) -> object:
    # Raw DB-API inserts: SQLite keeps Date as ISO text (what SQLAlchemy reads back).
    return day.isoformat() if connection.dialect.name == "sqlite" else day


@dataclass(frozen=True)
class RegisterPoints:
    points: list[tuple[int, float]]  # (ts, kWh), one per ts, sorted
    estimated: frozenset[int]  # timestamps of readings stated as estimated


def _load_points(
    connection: Connection, meter_id: int, from_ts: int | None
) -> RegisterPoints:
    """Billing-grade energy register points of one meter, in kWh, from the last one before
    ``from_ts`` on (all of them when ``from_ts`` is None).

    One register per meter: the first of ENERGY_REGISTERS that has readings. A query per
    register keeps to the unique index's order (no sort of 26,000 rows).
    """
    mark = _mark(connection)
    base = _SELECT_POINTS.format(m=mark, sources=_marks(mark, BILLING_GRADE_SOURCES))
    cursor = connection.connection.cursor()
    try:
        for register in ENERGY_REGISTERS:
            params: list[object] = [meter_id, register, *BILLING_GRADE_SOURCES]
            rows: list[tuple[int, float, str, str]] = []
            if from_ts is not None:
                cursor.execute(base + _BEFORE.format(m=mark), [*params, from_ts])
                rows.extend(cursor.fetchall())
                cursor.execute(base + _FROM.format(m=mark), [*params, from_ts])
            else:
                cursor.execute(base + " ORDER BY ts, source", params)
            rows.extend(cursor.fetchall())
            if rows:
                break
    finally:
        cursor.close()
    points: list[tuple[int, float]] = []
    estimated: set[int] = set()
    previous_ts = None
    for ts, value, unit, status in rows:
        if ts == previous_ts:
            continue  # the same instant from a second billing-grade source
        previous_ts = ts
        points.append((ts, value if unit == "kWh" else value * UNIT_TO_KWH.get(unit, 1.0)))
        if status == ESTIMATED:
            estimated.add(ts)
    return RegisterPoints(points, frozenset(estimated))


def _load_intervals(connection: Connection, meter_id: int, from_ts: int | None) -> IntervalValues:
    """Billing-grade hourly interval values of one meter in kWh, from ``from_ts`` on."""
    mark = _mark(connection)
    statement = _SELECT_INTERVALS.format(
        m=mark, registers=_marks(mark, ENERGY_REGISTERS), sources=_marks(mark, BILLING_GRADE_SOURCES)
    )
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement, [meter_id, *ENERGY_REGISTERS, *BILLING_GRADE_SOURCES,
                                   from_ts if from_ts is not None else -(2**62)])  # fmt: skip
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return {start: (value * UNIT_TO_KWH.get(unit, 1.0), status) for start, value, unit, status in rows}


def _insert_rows(
    connection: Connection, statement: str, width: int, rows: Sequence[Sequence[object]]
) -> None:
    """Plain inserts of derived rows (their range was deleted first, so nothing conflicts).

    PostgreSQL takes them by COPY (ten times executemany's rate); SQLite by executemany in C.
    """
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            head = statement.split(" VALUES ", 1)[0].removeprefix("INSERT INTO ")
            with cursor.copy(f"COPY {head} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(statement.format(marks=_marks(_mark(connection), range(width))), rows)
    finally:
        cursor.close()


def _insert_hours(connection: Connection, rows: Sequence[HourRow]) -> None:
    if not rows:
        return
    _insert_rows(connection, _INSERT_HOURS, 6, rows)


def _insert_days(connection: Connection, rows: Sequence[DayRow]) -> None:
    if not rows:
        return
    _insert_rows(connection, _INSERT_DAYS, 11, [(r[0], _date_param(connection, r[1]), *r[2:]) for r in rows])


def _insert_months(connection: Connection, rows: Sequence[MonthRow]) -> None:
    if not rows:
        return
    _insert_rows(connection, _INSERT_MONTHS, 9, [(r[0], _date_param(connection, r[1]), *r[2:]) for r in rows])


def _hour_rows(connection: Connection, meter_id: int, start: int, end: int) -> list[HourRow]:
    hour = ConsumptionHour.__table__.c
    result = connection.execute(
        select(hour.meter_id, hour.hour_start, hour.energy_kwh, hour.power_mean_kw,
               hour.power_max_kw, hour.quality)
        .where(hour.meter_id == meter_id, hour.hour_start >= start, hour.hour_start < end)
        .order_by(hour.hour_start)
    )
    return [tuple(row) for row in result]  # type: ignore[misc]


def _day_rows(connection: Connection, meter_id: int, first: date, last: date) -> list[DayRow]:
    day = ConsumptionDay.__table__.c
    result = connection.execute(
        select(day.meter_id, day.day, day.energy_kwh, day.hours, day.measured_hours,
               day.estimated_hours, day.missing_hours, day.max_hour_kwh, day.max_hour_start,
               day.power_max_kw, day.peak_hour_start)
        .where(day.meter_id == meter_id, day.day >= first, day.day <= last)
        .order_by(day.day)
    )
    return [tuple(row) for row in result]  # type: ignore[misc]


def refresh_consumption(connection: Connection, meter_id: int, since_ts: int) -> None:
    """Bring one meter's hourly values and roll-ups up to date after readings from ``since_ts``.

    The ingestion worker calls this after each stored batch, in the batch's transaction.
    Hours from the hour before the first new reading are recomputed (a new reading also
    changes the hour it closes, and may fill or estimate a gap behind it), then the local days
    and months those hours touch.
    """
    zone = local_zone()
    # The hour before the batch, extended back to the reading before it (a gap it closes).
    mark = _mark(connection)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(
            _SELECT_PREVIOUS_TS.format(m=mark, registers=_marks(mark, ENERGY_REGISTERS),
                                       sources=_marks(mark, BILLING_GRADE_SOURCES)),
            [meter_id, since_ts, *ENERGY_REGISTERS, *BILLING_GRADE_SOURCES],
        )
        (previous_ts,) = cursor.fetchone() or (None,)
    finally:
        cursor.close()
    from_hour = _floor_hour(since_ts - HOUR)
    if previous_ts is not None:
        from_hour = min(from_hour, _floor_hour(int(previous_ts)))
    loaded = _load_points(connection, meter_id, from_hour)
    derived = derive_hours(meter_id, loaded.points, from_hour, loaded.estimated)
    hours = combine_hours(
        meter_id, [row for row in derived if row[1] >= from_hour],
        _load_intervals(connection, meter_id, from_hour), from_hour,
    )
    hour_table = ConsumptionHour.__table__
    connection.execute(
        delete(hour_table).where(
            hour_table.c.meter_id == meter_id, hour_table.c.hour_start >= from_hour
        )
    )
    _insert_hours(connection, hours)

    # Roll-ups: every local day from the first touched hour to the last stored one.
    last_hour = hours[-1][1] if hours else from_hour
    first_day = local_day_of(from_hour, zone)
    last_day = local_day_of(max(last_hour, from_hour), zone)
    day_hours = _hour_rows(connection, meter_id, first_day.start, last_day.end)
    days = roll_up_days(day_hours, zone)
    day_table = ConsumptionDay.__table__
    connection.execute(
        delete(day_table).where(
            day_table.c.meter_id == meter_id,
            day_table.c.day >= first_day.day,
            day_table.c.day <= last_day.day,
        )
    )
    _insert_days(connection, days)

    first_month = first_day.day.replace(day=1)
    month_end = _next_month(last_day.day.replace(day=1)) - timedelta(days=1)
    months = roll_up_months(_day_rows(connection, meter_id, first_month, month_end), zone)
    month_table = ConsumptionMonth.__table__
    connection.execute(
        delete(month_table).where(
            month_table.c.meter_id == meter_id,
            month_table.c.month >= first_month,
            month_table.c.month <= last_day.day,
        )
    )
    _insert_months(connection, months)


def consumption_rows(
    meter_id: int, points: Sequence[tuple[int, float]], zone: ZoneInfo,
    intervals: IntervalValues | None = None, estimated: frozenset[int] = frozenset(),
) -> tuple[list[HourRow], list[DayRow], list[MonthRow]]:
    """Hourly values and their daily and monthly roll-ups from a meter's register points and
    stated interval values.

    Pure computation, so a caller may run it in another process (the demo generator does).
    """
    hours = combine_hours(meter_id, derive_hours(meter_id, points, None, estimated), intervals or {})
    days = roll_up_days(hours, zone)
    return hours, days, roll_up_months(days, zone)


def insert_consumption(
    connection: Connection, rows: tuple[list[HourRow], list[DayRow], list[MonthRow]]
) -> None:
    hours, days, months = rows
    _insert_hours(connection, hours)
    _insert_days(connection, days)
    _insert_months(connection, months)


def rebuild_all_consumption(engine: Engine) -> None:
    """Recompute every meter's hourly values and roll-ups from the stored readings."""
    zone = local_zone()
    with engine.begin() as connection:
        meters = [m for (m,) in connection.exec_driver_sql("SELECT id FROM meter ORDER BY id")]
        for table in (ConsumptionMonth, ConsumptionDay, ConsumptionHour):
            connection.execute(delete(table.__table__))
        for meter_id in meters:
            loaded = _load_points(connection, meter_id, None)
            intervals = _load_intervals(connection, meter_id, None)
            insert_consumption(connection, consumption_rows(
                meter_id, loaded.points, zone, intervals, loaded.estimated
            ))  # fmt: skip


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --------------------------------------------------------------------------------------------
# Who may see which meter
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerMeter:
    """The meter of the principal's customer relationship, as the charts need it."""

    meter_id: int
    medium: str
    relationship_id: int
    utility_id: int
    metering_point_id: str

    @property
    def is_heat(self) -> bool:
        return self.medium == Medium.HEAT


def customer_meter(db: Session, principal: Principal) -> CustomerMeter:
    """The meter the signed-in customer may see; AccessDenied when there is none."""
    if principal.role is not Role.CUSTOMER or principal.relationship_id is None:
        raise AccessDenied("auth.denied")
    # A tap runs one transaction (one Session) in which several chart queries each check the
    # meter: read the relationship once per Session, not once per query.
    cache_key = ("customer_meter", principal.relationship_id)
    known = db.info.get(cache_key)
    if known is not None:
        return known
    relationship = CustomerRelationship.__table__.c
    meter = Meter.__table__.c
    # One Core query rather than two ORM loads: it runs before every chart query.
    row = db.connection().execute(
        select(relationship.id, relationship.meter_id, relationship.utility_id,
               relationship.metering_point_id, meter.medium)
        .join_from(CustomerRelationship.__table__, Meter.__table__, meter.id == relationship.meter_id)
        .where(relationship.id == principal.relationship_id, relationship.active.is_(True))
    ).first()
    if row is None:
        raise AccessDenied("auth.denied")
    meter = CustomerMeter(
        meter_id=row.meter_id,
        medium=row.medium,
        relationship_id=row.id,
        utility_id=row.utility_id,
        metering_point_id=row.metering_point_id,
    )
    db.info[cache_key] = meter
    return meter


def _authorised(db: Session, principal: Principal, meter_id: int) -> CustomerMeter:
    meter = customer_meter(db, principal)
    if meter.meter_id != meter_id:
        raise AccessDenied("auth.denied")
    return meter


# --------------------------------------------------------------------------------------------
# Chart queries
# --------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class YearSeries:
    year: int
    months: list[Period | None]  # twelve entries, None where the month has no data
    total_kwh: float
    # Change against the previous year over the months both cover (percent), and which.
    change_percent: float | None = None
    compared_months: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class YearOverview:
    meter: CustomerMeter
    years: list[YearSeries]

    @property
    def empty(self) -> bool:
        return not any(series.total_kwh or any(series.months) for series in self.years)


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


def year_overview(
    db: Session, principal: Principal, meter_id: int, *, years: int = 3, today: date | None = None
) -> YearOverview:
    """Monthly totals of up to the last ``years`` local calendar years."""
    meter = _authorised(db, principal, meter_id)
    zone = local_zone()
    today = today or local_now(zone).date()
    first_year = today.year - years + 1
    month = ConsumptionMonth.__table__.c
    rows = db.connection().execute(
        select(month.month, month.energy_kwh, month.hours, month.measured_hours,
               month.estimated_hours, month.power_max_kw, month.peak_hour_start)
        .where(month.meter_id == meter_id, month.month >= date(first_year, 1, 1))
        .order_by(month.month)
    ).all()
    by_year: dict[int, list[Period | None]] = {y: [None] * 12 for y in range(first_year, today.year + 1)}
    for first_day, energy, hours, measured, estimated, power_max, peak_at in rows:
        if first_day.year not in by_year:
            continue
        covered = measured + estimated
        by_year[first_day.year][first_day.month - 1] = Period(
            key=first_day.isoformat(),
            start=int(datetime.combine(first_day, time(), zone).timestamp()),
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
        previous = by_year.get(year - 1)
        change, compared = None, []
        if previous and any(previous):
            compared = [
                i + 1 for i, (now, then) in enumerate(zip(months, previous, strict=True))
                if now and then and now.energy_kwh is not None and then.energy_kwh
                and now.coverage >= COMPARABLE_COVERAGE and then.coverage >= COMPARABLE_COVERAGE
            ]
            if compared:
                now_sum = sum(months[i - 1].energy_kwh or 0.0 for i in compared)  # type: ignore[union-attr]
                then_sum = sum(previous[i - 1].energy_kwh or 0.0 for i in compared)  # type: ignore[union-attr]
                change = round((now_sum - then_sum) / then_sum * 100, 1) if then_sum else None
        series.append(YearSeries(year, months, total, change, compared))
    return YearOverview(meter, series)


def month_view(db: Session, principal: Principal, meter_id: int, month: date) -> MonthView:
    """Daily totals of one local month, every day of it listed."""
    meter = _authorised(db, principal, meter_id)
    zone = local_zone()
    first = month.replace(day=1)
    following = _next_month(first)
    day = ConsumptionDay.__table__.c
    rows = {
        row.day: row
        for row in db.connection().execute(
            select(day.day, day.energy_kwh, day.hours, day.measured_hours, day.estimated_hours,
                   day.power_max_kw, day.peak_hour_start)
            .where(day.meter_id == meter_id, day.day >= first, day.day < following)
        )
    }
    days: list[Period] = []
    current = first
    while current < following:
        span = local_day(current, zone)
        row = rows.get(current)
        if row is None:
            days.append(Period(current.isoformat(), span.start, current.isoformat(), None, None,
                               None, None, MISSING, span.hours, 0))
        else:
            covered = row.measured_hours + row.estimated_hours
            days.append(Period(
                current.isoformat(), span.start, current.isoformat(), row.energy_kwh,
                _mean_power(row.energy_kwh, covered), row.power_max_kw, row.peak_hour_start,
                _period_quality(span.hours, row.measured_hours, row.estimated_hours),
                span.hours, covered,
            ))
        current += timedelta(days=1)
    return MonthView(meter, first, days, _total(days), _peak(days))


def _hour_label(start: int, zone: ZoneInfo, repeated: set[int]) -> str:
    moment = datetime.fromtimestamp(start, zone)
    label = f"{moment.hour:02d}"
    # On the autumn DST day one local hour comes twice: name the offset to tell them apart.
    return f"{label} {moment.tzname()}" if moment.hour in repeated else label


def day_view(db: Session, principal: Principal, meter_id: int, day: date) -> DayView:
    """The 23, 24 or 25 hours of one local day, labelled in local time."""
    meter = _authorised(db, principal, meter_id)
    zone = local_zone()
    span = local_day(day, zone)
    hour = ConsumptionHour.__table__.c
    rows = {
        row.hour_start: row
        for row in db.connection().execute(
            select(hour.hour_start, hour.energy_kwh, hour.power_mean_kw, hour.power_max_kw,
                   hour.quality)
            .where(hour.meter_id == meter_id, hour.hour_start >= span.start,
                   hour.hour_start < span.end)
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
            hours.append(Period(str(start), start, label, row.energy_kwh, row.power_mean_kw,
                                row.power_max_kw, start, row.quality, 1, 1))
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


def data_until(db: Session, principal: Principal, meter_id: int) -> datetime | None:
    """The end of the newest hour with a value: what the freshness line shows."""
    _authorised(db, principal, meter_id)
    hour = ConsumptionHour.__table__.c
    newest = db.connection().execute(
        select(hour.hour_start)
        .where(hour.meter_id == meter_id, hour.quality != MISSING)
        .order_by(hour.hour_start.desc())
        .limit(1)
    ).scalar()
    return datetime.fromtimestamp(newest + HOUR, UTC) if newest is not None else None


@dataclass(frozen=True)
class HourValue:
    start: int
    energy_kwh: float | None
    quality: str


def hourly_values(
    db: Session, principal: Principal, meter_id: int, start: int, end: int
) -> list[HourValue]:
    """Every hour in [start, end) with its value or as missing: the basis of hourly exports."""
    _authorised(db, principal, meter_id)
    hour = ConsumptionHour.__table__.c
    rows = {
        row.hour_start: row
        for row in db.connection().execute(
            select(hour.hour_start, hour.energy_kwh, hour.quality)
            .where(hour.meter_id == meter_id, hour.hour_start >= start, hour.hour_start < end)
        )
    }
    newest = max(rows, default=start - HOUR)
    values = []
    # Hours after the newest stored one have not arrived yet: not listed as missing.
    for at in range(_floor_hour(start), min(end, newest + HOUR), HOUR):
        row = rows.get(at)
        if row is None or row.energy_kwh is None:
            values.append(HourValue(at, None, MISSING))
        else:
            values.append(HourValue(at, row.energy_kwh, row.quality))
    return values


# --------------------------------------------------------------------------------------------
# Capacity tariff (Norway, from 1 July 2022)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CapacityStep:
    lower_kw: float
    upper_kw: float | None  # None: open-ended top step

    @property
    def label(self) -> str:
        lower = f"{self.lower_kw:g}"
        return f"{lower}–{self.upper_kw:g} kW" if self.upper_kw is not None else f"> {lower} kW"


@dataclass(frozen=True)
class CapacityBasis:
    month: date
    # The highest hour of each of the (up to) three days with the highest such hour.
    top_hours: list[tuple[int, float]]
    basis_kw: float | None
    step: CapacityStep | None


def capacity_steps(org_number: str | None = None) -> list[CapacityStep]:
    """The grid company's steps: CAPACITY_STEPS_<org number>, else CAPACITY_STEPS, else defaults."""
    raw = (org_number and os.environ.get(f"CAPACITY_STEPS_{org_number}")) or os.environ.get(
        "CAPACITY_STEPS", ""
    )
    return _steps(tuple(float(v) for v in raw.split(",") if v.strip()) if raw else None)


@lru_cache(maxsize=32)
def _steps(bounds: tuple[float, ...] | None) -> list[CapacityStep]:
    bounds = tuple(sorted(bounds or DEFAULT_CAPACITY_STEPS_KW))
    return [
        CapacityStep(lower, bounds[i + 1] if i + 1 < len(bounds) else None)
        for i, lower in enumerate(bounds)
    ]


def capacity_step_for(basis_kw: float, steps: Sequence[CapacityStep]) -> CapacityStep:
    for step in steps:
        if (step.upper_kw is None or basis_kw < step.upper_kw) and basis_kw >= step.lower_kw:
            return step
    return steps[0] if basis_kw < steps[0].lower_kw else steps[-1]


def capacity_basis_from_days(
    month: date, day_maxima: Iterable[tuple[int | None, float | None]], steps: Sequence[CapacityStep]
) -> CapacityBasis:
    """The average of the three highest hourly energies on three different days.

    ``day_maxima`` holds each day's highest hour (start, kWh); one hour per day, so three
    hours on one cold evening count once.
    """
    top = sorted(
        ((at, kwh) for at, kwh in day_maxima if at is not None and kwh is not None),
        key=lambda item: item[1],
        reverse=True,
    )[:3]
    if not top:
        return CapacityBasis(month, [], None, None)
    # kWh in one hour is the hour's mean power in kW.
    basis = round(sum(kwh for _at, kwh in top) / len(top), 3)
    return CapacityBasis(month, top, basis, capacity_step_for(basis, steps))


def capacity_tariff_basis(
    db: Session, principal: Principal, meter_id: int, month: date
) -> CapacityBasis:
    meter = _authorised(db, principal, meter_id)
    first = month.replace(day=1)
    day = ConsumptionDay.__table__.c
    maxima = db.connection().execute(
        select(day.max_hour_start, day.max_hour_kwh)
        .where(day.meter_id == meter_id, day.day >= first, day.day < _next_month(first))
    ).all()
    utility = db.get(Organisation, meter.utility_id)
    org_number = utility.org_number if utility else None
    return capacity_basis_from_days(first, [tuple(row) for row in maxima], capacity_steps(org_number))


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportTable:
    """What a chart shows, as rows: header texts come from the caller (its language)."""

    title: str
    columns: list[str]
    rows: list[list[str | float | None]]


def table_csv(table: ExportTable) -> str:
    """Plain CSV: comma separated, decimal point, empty cell for a missing value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue()


def table_xlsx(table: ExportTable) -> bytes:
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31] or "Sheet1"
    sheet.append(table.columns)
    for row in table.rows:
        sheet.append(row)
    for column, header in zip(sheet.columns, table.columns, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(header) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _decimal_comma(value: float | None, decimals: int = 3) -> str:
    return "" if value is None else f"{value:.{decimals}f}".replace(".", ",")


def grid_company_hourly_csv(metering_point_id: str, hours: Sequence[HourValue]) -> str:
    """The hourly-value layout of Norwegian grid companies' downloads: semicolons, decimal comma,
    local "dd.mm.yyyy HH:MM" from/to, one row per hour (25 on the autumn DST day)."""
    zone = local_zone()
    quality_names = {MEASURED: "Målt", ESTIMATED: "Estimert", MISSING: "Mangler"}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Målepunkt-ID", "Fra", "Til", "Volum", "Enhet", "Kvalitet"])
    for value in hours:
        start = datetime.fromtimestamp(value.start, zone)
        end = datetime.fromtimestamp(value.start + HOUR, zone)
        writer.writerow([
            metering_point_id,
            start.strftime("%d.%m.%Y %H:%M"),
            end.strftime("%d.%m.%Y %H:%M"),
            _decimal_comma(value.energy_kwh),
            "kWh",
            quality_names.get(value.quality, value.quality),
        ])
    return out.getvalue()


def period_bounds(level: str, key: str) -> tuple[int, int]:
    """UTC [start, end) of a shown period: a year ("2025"), month or day (ISO date)."""
    zone = local_zone()
    if level == "year":
        year = int(key)
        first, following = date(year, 1, 1), date(year + 1, 1, 1)
    elif level == "month":
        first = date.fromisoformat(key).replace(day=1)
        following = _next_month(first)
    else:
        first = date.fromisoformat(key)
        following = first + timedelta(days=1)
    return (
        int(datetime.combine(first, time(), zone).timestamp()),
        int(datetime.combine(following, time(), zone).timestamp()),
    )

