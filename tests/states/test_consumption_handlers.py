"""The consumption handlers, called directly as another customer, never show someone else's meter."""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine import Engine
from sqlmodel import Session

import app.db
from app.models import (
    Customer,
    CustomerRelationship,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
)
from app.services.consumption.rollups import rebuild_all_consumption
from app.services.errors import AccessDenied
from app.services.readings import insert_readings
from app.states.customer import consumption as consumption_state
from app.states.customer.consumption import ConsumptionState
from tests.handler_callers import session_token, state_as

HOUR = 3600
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def private_app_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Handlers use their own database here, so the shared app database stays untouched."""
    monkeypatch.setattr(app.db, "get_engine", lambda: engine)
    yield engine


def _customer(db: Session, grid_id: int, n: int, kwh_per_hour: float, engine: Engine, now: datetime) -> int:
    customer = Customer(name=f"Kunde {n}", mobile=f"+4741000{n:03d}")
    meter = Meter(serial=f"XLEAK{n:04d}", manufacturer="Aidon", model="6525", medium="electricity")
    db.add_all([customer, meter])
    db.flush()
    relationship = CustomerRelationship(
        customer_id=customer.id,
        utility_id=grid_id,
        installation_number=f"{9000 + n}",
        metering_point_id=f"7070575000099{n:05d}",
        address="Elvegata 2",
        postcode="7010",
        city="Trondheim",
        meter_id=meter.id,
    )
    db.add(relationship)
    db.commit()
    # 80 days of hourly readings up to the current hour: the previous month is always whole.
    end = int(now.timestamp()) // HOUR * HOUR
    start = end - 80 * 24 * HOUR
    rows = [
        (meter.id, "1-0:1.8.0", ts, 1000.0 + kwh_per_hour * (ts - start) / HOUR, "kWh", "collected")
        for ts in range(start, end + HOUR, HOUR)
    ]
    with engine.begin() as connection:
        insert_readings(connection, rows)
    return relationship.id or 0


@pytest.fixture
def two_customers(private_app_db: Engine, fixed_now: datetime) -> dict[str, int]:
    with Session(private_app_db, expire_on_commit=False) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
        db.add(grid)
        db.commit()
        mine = _customer(db, grid.id or 0, 1, 1.0, private_app_db, fixed_now)
        theirs = _customer(db, grid.id or 0, 2, 5.0, private_app_db, fixed_now)
    rebuild_all_consumption(private_app_db)
    return {"mine": mine, "theirs": theirs}


def _state(token: str) -> ConsumptionState:
    return state_as(ConsumptionState, token)


def _token(engine: Engine, role: Role, relationship_id: int | None = None) -> str:
    return session_token(role, relationship_id, engine)


def _run(handler, state: ConsumptionState, *args) -> list:
    result = handler.fn(state, *args)
    if inspect.iscoroutine(result):
        return [asyncio.run(result)]
    if inspect.isasyncgen(result):

        async def drain() -> list:
            return [item async for item in result]

        return asyncio.run(drain())
    return list(result) if hasattr(result, "__next__") else [result]


def _hour_values(state: ConsumptionState) -> set[float]:
    return {float(r["energy_value"]) for r in state.table_rows if r["energy_value"]}


def test_each_customer_sees_only_their_own_meter(two_customers, private_app_db, fixed_now, monkeypatch):
    mine = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    theirs = _state(_token(private_app_db, Role.CUSTOMER, two_customers["theirs"]))
    _run(ConsumptionState.load, mine)
    _run(ConsumptionState.load, theirs)
    assert mine.table_rows and theirs.table_rows
    month_key = mine.table_rows[-2]["key"]

    # The other customer drills into exactly the keys my browser shows: their data, not mine.
    _run(ConsumptionState.show_month, theirs, month_key)
    # A whole local day inside the 80 days of readings, whatever the hour of the clock.
    three_days_ago = (fixed_now.astimezone(OSLO) - timedelta(days=3)).date().isoformat()
    _run(ConsumptionState.show_day, theirs, three_days_ago)
    assert _hour_values(theirs) == {5.0}
    _run(ConsumptionState.show_day, mine, three_days_ago)
    assert _hour_values(mine) == {1.0}

    _run(ConsumptionState.chart_clicked, theirs, [])
    _run(ConsumptionState.show_month, theirs, month_key)
    _run(ConsumptionState.chart_clicked, theirs, [{"x": "15", "curveNumber": 0, "pointIndex": 14}])
    assert theirs.level == "day" and _hour_values(theirs) <= {5.0}

    exported: list[str] = []
    original = consumption_state.grid_company_hourly_csv

    def capture(metering_point_id, hours):
        exported.append(original(metering_point_id, hours))
        return exported[-1]

    monkeypatch.setattr(consumption_state, "grid_company_hourly_csv", capture)
    _run(ConsumptionState.download_grid_csv, theirs)
    rows = list(csv.reader(io.StringIO(exported[0]), delimiter=";"))[1:]
    assert len(rows) == 24 or len(rows) in (23, 25)
    assert {r[0] for r in rows} == {"707057500009900002"}
    assert {r[3] for r in rows} == {"5,000"}


def test_a_customer_session_without_a_meter_is_refused(two_customers, private_app_db):
    state = _state(_token(private_app_db, Role.CUSTOMER, None))
    with pytest.raises(AccessDenied):
        _run(ConsumptionState.load, state)


def test_exports_are_read_from_the_database_for_the_caller(two_customers, private_app_db, monkeypatch):
    """Issue 10 item 12: an export was built from the rows cached in the tab's state."""
    mine = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    theirs = _state(_token(private_app_db, Role.CUSTOMER, two_customers["theirs"]))
    _run(ConsumptionState.load, mine)
    _run(ConsumptionState.load, theirs)
    exported: list = []
    monkeypatch.setattr(consumption_state, "table_csv", lambda table: exported.append(table) or "")
    monkeypatch.setattr(consumption_state, "table_xlsx", lambda table: exported.append(table) or b"")

    _run(ConsumptionState.download_csv, theirs)
    own_rows = exported[-1].rows
    # The tab still holds another person's rows (a previous session, a stale state).
    theirs.table_rows = list(mine.table_rows)
    _run(ConsumptionState.download_csv, theirs)
    _run(ConsumptionState.download_xlsx, theirs)
    assert exported[-2].rows == own_rows and exported[-1].rows == own_rows
    assert own_rows != ConsumptionState._export_table(mine).rows


def test_a_tap_is_one_transaction_reading_the_relationship_once(two_customers, private_app_db):
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    month_key = state.table_rows[-2]["key"]
    statements: list[str] = []
    begins: list[object] = []

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def on_begin(connection) -> None:
        begins.append(connection)

    sqlalchemy_event.listen(private_app_db, "before_cursor_execute", on_execute)
    sqlalchemy_event.listen(private_app_db, "begin", on_begin)
    try:
        _run(ConsumptionState.show_month, state, month_key)
    finally:
        sqlalchemy_event.remove(private_app_db, "before_cursor_execute", on_execute)
        sqlalchemy_event.remove(private_app_db, "begin", on_begin)
    assert state.level == "month"
    assert len(begins) == 1
    assert sum("FROM customer_relationship" in s for s in statements) == 1
    # The session was seen less than a minute ago: no UPDATE of last_seen_at on this tap.
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)


def test_a_slow_query_does_not_stall_the_event_loop(two_customers, private_app_db, monkeypatch):
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    month_key = state.table_rows[-2]["key"]
    original = consumption_state.month_view

    def slow_month_view(*args, **kwargs):
        time.sleep(0.5)  # a database that takes its time
        return original(*args, **kwargs)

    monkeypatch.setattr(consumption_state, "month_view", slow_month_view)

    async def tap_while_ticking() -> int:
        ticks = 0
        tap = asyncio.ensure_future(ConsumptionState.show_month.fn(state, month_key))
        while not tap.done():
            await asyncio.sleep(0.01)
            ticks += 1
        await tap
        return ticks

    # Other browsers' events keep running on the loop while this tap waits for the database.
    assert asyncio.run(tap_while_ticking()) >= 10
    assert state.level == "month"


@pytest.mark.parametrize("handler", ["download_csv", "download_xlsx", "download_grid_csv"])
def test_an_export_reading_a_slow_database_does_not_stall_the_event_loop(
    handler, two_customers, private_app_db, monkeypatch
):
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    original_view, original_hours = consumption_state.year_overview, consumption_state.hourly_values

    def slow(original):
        def run(*args, **kwargs):
            time.sleep(0.5)  # a database that takes its time
            return original(*args, **kwargs)

        return run

    monkeypatch.setattr(consumption_state, "year_overview", slow(original_view))
    monkeypatch.setattr(consumption_state, "hourly_values", slow(original_hours))

    async def export_while_ticking() -> tuple[int, object]:
        ticks = 0
        export = asyncio.ensure_future(getattr(ConsumptionState, handler).fn(state))
        while not export.done():
            await asyncio.sleep(0.01)
            ticks += 1
        return ticks, await export

    ticks, download = asyncio.run(export_while_ticking())
    assert ticks >= 10
    assert download is not None  # the file, sent to the browser


@pytest.mark.parametrize(("language", "separators"), [("nb", ",\u00a0"), ("en", ".,")])
def test_chart_tooltips_write_numbers_in_the_tabs_language(
    language, separators, two_customers, private_app_db
):
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    state.language = language
    _run(ConsumptionState.load, state)
    assert state.figure["layout"]["separators"] == separators
    _run(ConsumptionState.show_month, state, state.table_rows[-2]["key"])
    assert state.figure["layout"]["separators"] == separators


def test_exports_are_built_from_typed_rows_not_from_the_shown_texts(two_customers, private_app_db):
    """Issue 11 item 2: the export parsed the table's display strings back into numbers."""
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    _run(ConsumptionState.show_month, state, state.table_rows[-2]["key"])
    expected = ConsumptionState._export_table(state).rows
    assert any(row[1] is not None for row in expected)
    # What the browser shows is text in the reader's language; the export never reads it back.
    state.table_rows = [{**row, "energy_value": "9,99", "mean_value": "x"} for row in state.table_rows]
    assert ConsumptionState._export_table(state).rows == expected


def test_a_month_tap_reads_its_days_once_and_the_capacity_basis_from_them(two_customers, private_app_db):
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    month_key = state.table_rows[-2]["key"]
    statements: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sqlalchemy_event.listen(private_app_db, "before_cursor_execute", on_execute)
    try:
        _run(ConsumptionState.show_month, state, month_key)
    finally:
        sqlalchemy_event.remove(private_app_db, "before_cursor_execute", on_execute)
    # The session, the meter with its grid company, the month's days, and the grid company's
    # capacity steps in force that month (tariffs are data with validity periods): nothing else.
    assert len(statements) == 4
    assert sum("FROM consumption_day" in s for s in statements) == 1
    assert sum("FROM tariff_capacity_step" in s for s in statements) == 1
    assert state.capacity["basis"] and state.capacity["hours"]


def test_a_phone_taps_echo_does_not_skip_the_month(two_customers, private_app_db, fixed_now):
    """A tap on a year's bar reached the server as two chart clicks: the second opened a day."""
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    assert state.level == "year"
    month_of_data = (fixed_now.astimezone(OSLO) - timedelta(days=3)).date()
    latest_year = len(state._trace_years) - 1
    bar = {"x": state._categories[month_of_data.month - 1], "curveNumber": latest_year, "pointIndex": 0}
    echo = {"x": "1", "curveNumber": 0, "pointIndex": 0}

    _run(ConsumptionState.chart_clicked, state, [bar])
    _run(ConsumptionState.chart_clicked, state, [echo])
    assert state.level == "month"

    state._chart_drilled_at -= 1  # a second tap, a moment later, is the person's own
    _run(ConsumptionState.chart_clicked, state, [echo])
    assert state.level == "day"


def test_the_plain_year_bars_carry_the_tables_keys_and_values(two_customers, private_app_db):
    """Issue 28: the bars drawn before plotly has loaded show exactly the table's numbers."""
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    bars = re.findall(r'<rect data-bar="" data-key="([^"]+)" data-value="([^"]+)"', state.year_bars)
    table = [(row["key"], row["energy_value"]) for row in state.table_rows if row["energy_value"]]
    assert bars and sorted(bars) == sorted(table)
    heights = [float(h) for h in re.findall(r' height="([0-9.]+)"', state.year_bars)]
    assert max(heights) <= 100 and all(h >= 0 for h in heights)
    # A month tap leaves the year's markup alone: no extra work per tap.
    markup = state.year_bars
    _run(ConsumptionState.show_month, state, state.table_rows[-2]["key"])
    assert state.year_bars == markup


def test_the_kr_views_export_has_its_tables_columns_and_no_price_stays_empty(
    two_customers, private_app_db, monkeypatch
):
    """Issue 26: the kr view's exports carry the kr table's columns; without prices (none stored
    here) every cost cell is empty, never 0 kr."""
    state = _state(_token(private_app_db, Role.CUSTOMER, two_customers["mine"]))
    _run(ConsumptionState.load, state)
    _run(ConsumptionState.show_month, state, state.table_rows[-2]["key"])
    exported: list = []
    monkeypatch.setattr(consumption_state, "table_csv", lambda table: exported.append(table) or "")
    _run(ConsumptionState.download_csv, state)
    assert len(exported[-1].columns) == 5  # the energy view's export: no cost columns
    _run(ConsumptionState.set_mode, state, "kr")
    _run(ConsumptionState.download_csv, state)
    table = exported[-1]
    names = ("spot", "grid", "taxes", "total")
    assert table.columns[5:] == [f"{state._text(f'cost.{c}')} (kr)" for c in names]
    assert any(row[1] is not None for row in table.rows)
    assert all(row[5:] == [None, None, None, None] for row in table.rows)
