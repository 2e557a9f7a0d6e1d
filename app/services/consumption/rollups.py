"""Storing derived consumption: the full rebuild (demo, repair) and the incremental refresh the
ingestion worker runs after each batch (``refresh_consumption``, handed to its ``ReadingStore``).

Plain DB-API SQL on the worker's connection: a batch touches thousands of rows and the ORM's
per-row cost would dominate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.models import BILLING_GRADE_SOURCES, ConsumptionDay, ConsumptionHour, ConsumptionMonth
from app.services.consumption.cost_rollups import rebuild_all_costs, refresh_costs_on
from app.services.consumption.derivation import (
    ENERGY_REGISTERS,
    ESTIMATED,
    UNIT_TO_KWH,
    ConsumptionRows,
    DayRow,
    HourRow,
    IntervalValues,
    MonthRow,
    combine_hours,
    consumption_rows,
    derive_hours,
    roll_up_days,
    roll_up_months,
)
from app.services.consumption.local_time import (
    HOUR,
    floor_hour,
    local_day_of,
    local_zone,
    next_month,
)
from app.services.consumption.plain_sql import date_param, insert_rows, placeholder, placeholders

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
_HOUR_COLUMNS = "meter_id, hour_start, energy_kwh, power_mean_kw, power_max_kw, quality"
_DAY_COLUMNS = (
    "meter_id, day, energy_kwh, hours, measured_hours, estimated_hours, missing_hours, "
    "max_hour_kwh, max_hour_start, power_max_kw, peak_hour_start"
)
_MONTH_COLUMNS = (
    "meter_id, month, energy_kwh, hours, measured_hours, estimated_hours, missing_hours, "
    "power_max_kw, peak_hour_start"
)


@dataclass(frozen=True)
class RegisterPoints:
    points: list[tuple[int, float]]  # (ts, kWh), one per ts, sorted
    estimated: frozenset[int]  # timestamps of readings stated as estimated


def load_points(connection: Connection, meter_id: int, from_ts: int | None) -> RegisterPoints:
    """Billing-grade energy register points of one meter, in kWh, from the last one before
    ``from_ts`` on (all of them when ``from_ts`` is None).

    One register per meter: the first of ENERGY_REGISTERS that has readings. A query per
    register keeps to the unique index's order (no sort of 26,000 rows).
    """
    mark = placeholder(connection)
    base = _SELECT_POINTS.format(m=mark, sources=placeholders(mark, BILLING_GRADE_SOURCES))
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


def load_intervals(connection: Connection, meter_id: int, from_ts: int | None) -> IntervalValues:
    """Billing-grade hourly interval values of one meter in kWh, from ``from_ts`` on."""
    mark = placeholder(connection)
    statement = _SELECT_INTERVALS.format(
        m=mark,
        registers=placeholders(mark, ENERGY_REGISTERS),
        sources=placeholders(mark, BILLING_GRADE_SOURCES),
    )
    cursor = connection.connection.cursor()
    try:
        cursor.execute(
            statement,
            [
                meter_id,
                *ENERGY_REGISTERS,
                *BILLING_GRADE_SOURCES,
                from_ts if from_ts is not None else -(2**62),
            ],
        )
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return {start: (value * UNIT_TO_KWH.get(unit, 1.0), status) for start, value, unit, status in rows}


def insert_hours(connection: Connection, rows: Sequence[HourRow]) -> None:
    insert_rows(connection, "consumption_hour", _HOUR_COLUMNS, rows)


def insert_days(connection: Connection, rows: Sequence[DayRow]) -> None:
    insert_rows(
        connection,
        "consumption_day",
        _DAY_COLUMNS,
        [row._replace(day=date_param(connection, row.day)) for row in rows],
    )


def insert_months(connection: Connection, rows: Sequence[MonthRow]) -> None:
    insert_rows(
        connection,
        "consumption_month",
        _MONTH_COLUMNS,
        [row._replace(month=date_param(connection, row.month)) for row in rows],
    )


def insert_consumption(connection: Connection, rows: ConsumptionRows) -> None:
    insert_hours(connection, rows.hours)
    insert_days(connection, rows.days)
    insert_months(connection, rows.months)


def _hour_rows(connection: Connection, meter_id: int, start: int, end: int) -> list[HourRow]:
    hour = ConsumptionHour.__table__.c
    result = connection.execute(
        select(
            hour.meter_id,
            hour.hour_start,
            hour.energy_kwh,
            hour.power_mean_kw,
            hour.power_max_kw,
            hour.quality,
        )
        .where(hour.meter_id == meter_id, hour.hour_start >= start, hour.hour_start < end)
        .order_by(hour.hour_start)
    )
    return [HourRow(*row) for row in result]


def _day_rows(connection: Connection, meter_id: int, first: date, last: date) -> list[DayRow]:
    day = ConsumptionDay.__table__.c
    result = connection.execute(
        select(
            day.meter_id,
            day.day,
            day.energy_kwh,
            day.hours,
            day.measured_hours,
            day.estimated_hours,
            day.missing_hours,
            day.max_hour_kwh,
            day.max_hour_start,
            day.power_max_kw,
            day.peak_hour_start,
        )
        .where(day.meter_id == meter_id, day.day >= first, day.day <= last)
        .order_by(day.day)
    )
    return [DayRow(*row) for row in result]


def _previous_reading_ts(connection: Connection, meter_id: int, since_ts: int) -> int | None:
    mark = placeholder(connection)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(
            _SELECT_PREVIOUS_TS.format(
                m=mark,
                registers=placeholders(mark, ENERGY_REGISTERS),
                sources=placeholders(mark, BILLING_GRADE_SOURCES),
            ),
            [meter_id, since_ts, *ENERGY_REGISTERS, *BILLING_GRADE_SOURCES],
        )
        (previous_ts,) = cursor.fetchone() or (None,)
    finally:
        cursor.close()
    return int(previous_ts) if previous_ts is not None else None


# The first key of the roll-ups' advisory locks (the second is the meter id): "mprf".
_ROLLUP_LOCK_SPACE = 0x6D707266


def lock_meter_rollups(connection: Connection, meter_id: int) -> None:
    """Hold this meter's roll-up lock until the transaction ends (PostgreSQL).

    Several workers store readings of the same meter (a shared subscription hands messages out
    round robin, not by meter); each recomputes from what is committed, so the folds are right
    in any order, but two at once would delete and insert the same rows. SQLite has one writer.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :meter)"),
            {"space": _ROLLUP_LOCK_SPACE, "meter": meter_id},
        )


def refresh_consumption(connection: Connection, meter_id: int, since_ts: int) -> None:
    """Bring one meter's hourly values and roll-ups up to date after readings from ``since_ts``.

    The ingestion worker calls this after each stored batch, in a transaction of its own.
    Hours from the hour before the first new reading are recomputed (a new reading also
    changes the hour it closes, and may fill or estimate a gap behind it), then the local days
    and months those hours touch.
    """
    lock_meter_rollups(connection, meter_id)
    zone = local_zone()
    # The hour before the batch, extended back to the reading before it (a gap it closes).
    from_hour = floor_hour(since_ts - HOUR)
    previous_ts = _previous_reading_ts(connection, meter_id, since_ts)
    if previous_ts is not None:
        from_hour = min(from_hour, floor_hour(previous_ts))
    loaded = load_points(connection, meter_id, from_hour)
    derived = derive_hours(meter_id, loaded.points, from_hour, loaded.estimated)
    hours = combine_hours(
        meter_id,
        [row for row in derived if row.hour_start >= from_hour],
        load_intervals(connection, meter_id, from_hour),
        from_hour,
    )
    hour_table = ConsumptionHour.__table__
    connection.execute(
        delete(hour_table).where(hour_table.c.meter_id == meter_id, hour_table.c.hour_start >= from_hour)
    )
    insert_hours(connection, hours)

    # Roll-ups: every local day from the first touched hour to the last stored one.
    last_hour = hours[-1].hour_start if hours else from_hour
    first_day = local_day_of(from_hour, zone)
    last_day = local_day_of(max(last_hour, from_hour), zone)
    days = roll_up_days(_hour_rows(connection, meter_id, first_day.start, last_day.end), zone)
    day_table = ConsumptionDay.__table__
    connection.execute(
        delete(day_table).where(
            day_table.c.meter_id == meter_id,
            day_table.c.day >= first_day.day,
            day_table.c.day <= last_day.day,
        )
    )
    insert_days(connection, days)

    first_month = first_day.day.replace(day=1)
    month_end = next_month(last_day.day.replace(day=1)) - timedelta(days=1)
    months = roll_up_months(_day_rows(connection, meter_id, first_month, month_end), zone)
    month_table = ConsumptionMonth.__table__
    connection.execute(
        delete(month_table).where(
            month_table.c.meter_id == meter_id,
            month_table.c.month >= first_month,
            month_table.c.month <= last_day.day,
        )
    )
    insert_months(connection, months)
    # What those days cost (and the rest of a month whose capacity basis moved).
    refresh_costs_on(connection, meter_id, first_day.day, last_day.day)


def rebuild_all_consumption(engine: Engine, *, costs: bool = True) -> None:
    """Recompute every meter's hourly values and roll-ups, and (unless ``costs`` is False) their
    cost, from the stored readings."""
    zone = local_zone()
    with engine.begin() as connection:
        meters = [m for (m,) in connection.exec_driver_sql("SELECT id FROM meter ORDER BY id")]
        for table in (ConsumptionMonth, ConsumptionDay, ConsumptionHour):
            connection.execute(delete(table.__table__))
        for meter_id in meters:
            loaded = load_points(connection, meter_id, None)
            intervals = load_intervals(connection, meter_id, None)
            insert_consumption(
                connection, consumption_rows(meter_id, loaded.points, zone, intervals, loaded.estimated)
            )
        if costs:
            with Session(bind=connection) as db:
                rebuild_all_costs(db)
