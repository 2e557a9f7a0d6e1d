"""The stored cost roll-ups equal pricing every hour (issue 26), however the data arrives.

The reference is the on-the-fly computation the kr views used before (``priced_hourly=True``,
``hour_costs``). The world: March 2025 in Europe/Oslo, a grid company whose tariff changes on
16 March (tests/services/cost_world.py), summer time from 30 March (a 23-hour day), a metering
point in NO1 whose consumption varies by the hour, spot prices that vary by the hour. Readings
reach the database as the ingestion worker stores them: a batch, then ``refresh_consumption`` in
a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import (
    CostDay,
    CostMonth,
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
    TaxKind,
)
from app.services.caller import CLI_CALLER, Caller
from app.services.consumption import tariffs
from app.services.consumption.cost import CostPoint, costs_by_day, hour_costs
from app.services.consumption.cost_rollups import rebuild_all_costs, stored_day_costs, stored_day_hours
from app.services.consumption.local_time import HOUR
from app.services.consumption.prices import import_spot_prices
from app.services.consumption.rollups import refresh_consumption
from app.services.customer.consumption.cost import day_cost, month_cost, year_cost
from app.services.readings import insert_readings
from tests.services.cost_world import add_march_tariffs_and_taxes

OSLO = ZoneInfo("Europe/Oslo")
MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)
AFTER = datetime(2026, 1, 1, tzinfo=UTC)  # "now" for views of March as a month gone by


def local(*args: int) -> int:
    return int(datetime(*args, tzinfo=OSLO).timestamp())


def kwh_of(hour_start: int) -> float:
    """The hour's consumption: 0.4-1.3 kWh by the hour, and evenings of 6.5 kWh on 25, 26 and 27
    March (the three daily peaks that lift the month's capacity basis over the 5 kW step)."""
    local_hour = datetime.fromtimestamp(hour_start, OSLO)
    if local_hour.month == 3 and local_hour.day in (25, 26, 27) and 17 <= local_hour.hour < 20:
        return 6.5
    return 0.4 + (hour_start // HOUR * 7 % 10) / 10


def price_of(hour_start: int) -> str:
    return f"{0.5 + (hour_start // HOUR * 13 % 17) / 20:.5f}"


@dataclass
class World:
    engine: Engine
    meter_id: int
    relationship_id: int
    grid_id: int
    tmp_path: Path

    def register_at(self, ts: int) -> float:
        start = local(2025, 3, 10)
        return 1000.0 + sum(kwh_of(t) for t in range(start, ts, HOUR))

    def feed(self, instants: Iterable[int]) -> None:
        """One batch of register readings, stored and folded as the ingestion worker does."""
        stamps = list(instants)
        rows = [
            (self.meter_id, "1-0:1.8.0", ts, round(self.register_at(ts), 3), "kWh", "collected")
            for ts in stamps
        ]
        with self.engine.begin() as connection:
            insert_readings(connection, rows)
        with self.engine.begin() as connection:
            refresh_consumption(connection, self.meter_id, min(stamps))

    def import_prices(self, hours: Iterable[int]) -> None:
        lines = ["zone,start,end,price,currency,unit"]
        for at in hours:
            start = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%MZ")
            end = datetime.fromtimestamp(at + HOUR, UTC).strftime("%Y-%m-%dT%H:%MZ")
            lines.append(f"NO1,{start},{end},{price_of(at)},NOK,kWh")
        path = self.tmp_path / f"spot-{len(lines)}-{min(hours, default=0)}.csv"
        path.write_text("\n".join(lines) + "\n")
        with Session(self.engine) as db:
            assert import_spot_prices(db, CLI_CALLER, path).errors == []
            db.commit()

    def caller(self) -> Caller:
        return Caller(role=Role.CUSTOMER, session_id=1, relationship_id=self.relationship_id)

    def stored_days(self) -> dict[date, tuple]:
        with Session(self.engine) as db:
            return {
                row.day: (row.priced_hours, row.spot, row.grid, row.taxes)
                for row in db.exec(select(CostDay).where(CostDay.meter_id == self.meter_id))
            }


def day_instants(day: date) -> list[int]:
    start = local(day.year, day.month, day.day)
    end = int(datetime.combine(day + timedelta(days=1), datetime.min.time(), OSLO).timestamp())
    return list(range(start, end, HOUR))


def _build(engine: Engine, tmp_path: Path) -> World:
    with Session(engine, expire_on_commit=False) as db:
        grid = Organisation(name="Rullnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345699")
        customer = Customer(name="Rut", mobile="+4740000099")
        meter = Meter(serial="ROLL00001", manufacturer="Aidon", model="6525", medium=Medium.ELECTRICITY)
        db.add_all([grid, customer, meter])
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=grid.id,
            installation_number="6001",
            metering_point_id="707057500000006001",
            address="Rullveien 1",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
            bidding_zone="NO1",
        )
        db.add(relationship)
        db.flush()
        add_march_tariffs_and_taxes(db, grid.id or 0)
        db.commit()
        world = World(engine, meter.id or 0, relationship.id or 0, grid.id or 0, tmp_path)
    return world


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    engine = make_engine(database_url)
    yield _build(engine, tmp_path)
    engine.dispose()


def march_hours(skip_days: Iterable[date] = ()) -> list[int]:
    skipped = {t for d in skip_days for t in day_instants(d)}
    return [t for t in range(local(2025, 3, 1), local(2025, 4, 1), HOUR) if t not in skipped]


def assert_stored_equals_priced_hourly(world: World, *, now: datetime = AFTER) -> None:
    """Every kr view that reads the roll-ups shows what pricing every hour shows, to the øre, and
    each stored day is that day's exact sum (to 1e-18 kr: the hours' shares of a monthly part are
    28-digit quotients, summed in another order)."""
    caller = world.caller()
    with Session(world.engine) as db:
        stored = month_cost(db, caller, world.meter_id, MARCH, now=now)
        reference = month_cost(db, caller, world.meter_id, MARCH, now=now, priced_hourly=True)
        assert stored.rows == reference.rows
        assert stored.total == reference.total
        if reference.estimate is not None:
            assert stored.estimate is not None
            assert stored.estimate.estimate == reference.estimate.estimate
            assert stored.estimate.so_far.shown() == reference.estimate.so_far.shown()
            assert stored.estimate.so_far.hours == reference.estimate.so_far.hours
        assert year_cost(db, caller, world.meter_id, 2025) == year_cost(
            db, caller, world.meter_id, 2025, priced_hourly=True
        )
        point = CostPoint(world.meter_id, world.grid_id, Medium.ELECTRICITY, "NO1")
        assert_days_priced_as_every_hour(db, world, [MARCH + timedelta(days=n) for n in range(32)])
        exact = costs_by_day(hour_costs(db, point, MARCH, APRIL, zone=OSLO), MARCH, APRIL, OSLO)
        rolled = stored_day_costs(db, point, MARCH, APRIL, OSLO)
        assert rolled.fresh
        assert set(rolled.by_period) == {d for d, s in exact.items() if s.priced}
        for day, summed in rolled.by_period.items():
            expected = exact[day]
            assert (summed.hours, summed.period_hours) == (expected.hours, expected.period_hours)
            for part in ("spot", "grid", "taxes", "energy_kwh", "vat_kwh"):
                assert abs(getattr(summed, part) - getattr(expected, part)) < Decimal("1e-18"), (day, part)


def assert_days_priced_as_every_hour(db: Session, world: World, days: Iterable[date]) -> None:
    """The kr day view (each hour priced from the day's stored rates, its kWh and spot prices)
    shows what pricing every hour from the tariffs, taxes and peaks shows, to the øre; and every
    stored day was priced the short way (``stored_day_hours`` could say)."""
    caller = world.caller()
    point = CostPoint(world.meter_id, world.grid_id, Medium.ELECTRICITY, "NO1")
    stored = world.stored_days()
    for day in days:
        assert day_cost(db, caller, world.meter_id, day) == day_cost(
            db, caller, world.meter_id, day, priced_hourly=True
        ), day
        if day in stored:
            assert stored_day_hours(db, point, day, OSLO) == hour_costs(
                db, point, day, day + timedelta(days=1), zone=OSLO
            ), day


def test_worker_batches_over_a_tariff_change_and_a_23_hour_day_store_what_every_hour_costs(world):
    world.import_prices(march_hours())
    for day in range(10, 32):
        world.feed(day_instants(date(2025, 3, day)))
    world.feed([local(2025, 4, 1)])
    assert_stored_equals_priced_hourly(world)
    days = world.stored_days()
    # 30 March is 23 hours long; the month is priced from the 10th (the first reading) on.
    assert days[date(2025, 3, 30)][0] == 23 and min(days) == date(2025, 3, 10)
    # The current month: the days before today as stored, today's hours before now priced.
    assert_stored_equals_priced_hourly(world, now=datetime(2025, 3, 30, 12, 30, tzinfo=OSLO))


def test_a_reading_arriving_late_reprices_its_day_and_a_new_peak_the_whole_month(world):
    world.import_prices(march_hours())
    late_reading = local(2025, 3, 12, 8)
    peak_day = date(2025, 3, 27)
    for day in range(10, 32):
        if day != 27:
            world.feed([t for t in day_instants(date(2025, 3, day)) if t != late_reading])
    assert_stored_equals_priced_hourly(world)
    before = world.stored_days()
    world.feed([late_reading])
    assert_stored_equals_priced_hourly(world)
    after = world.stored_days()
    assert after[date(2025, 3, 12)] != before[date(2025, 3, 12)]  # its hours were estimated, now measured
    assert after[date(2025, 3, 20)] == before[date(2025, 3, 20)]  # another day: not rewritten
    # 27 March's readings come last, its evening peak lifts the basis over 5 kW: the capacity
    # step of every priced day of the month changes, so every day is repriced.
    world.feed(day_instants(peak_day))
    assert_stored_equals_priced_hourly(world)
    lifted = world.stored_days()
    assert lifted[date(2025, 3, 20)][2] > after[date(2025, 3, 20)][2]  # grid: the dearer step
    with Session(world.engine) as db:
        month = db.get(CostMonth, (world.meter_id, MARCH))
        assert month is not None and month.capacity_basis_kw is not None and month.capacity_basis_kw > 5


def test_a_late_price_import_prices_the_days_already_measured(world):
    late_day = date(2025, 3, 20)
    world.import_prices(march_hours(skip_days=[late_day]))
    for day in range(18, 23):
        world.feed(day_instants(date(2025, 3, day)))
    assert late_day not in world.stored_days()  # no price: no cost, not 0 kr
    assert_stored_equals_priced_hourly(world)
    world.import_prices(day_instants(late_day))
    assert world.stored_days()[late_day][0] == 24
    assert_stored_equals_priced_hourly(world)
    # A corrected price for one hour of an earlier day reprices that day only.
    before = world.stored_days()
    corrected = world.tmp_path / "corrected.csv"
    hour = local(2025, 3, 19, 9)
    corrected.write_text(
        "zone,start,end,price,currency,unit\n"
        f"NO1,{datetime.fromtimestamp(hour, UTC):%Y-%m-%dT%H:%MZ},"
        f"{datetime.fromtimestamp(hour + HOUR, UTC):%Y-%m-%dT%H:%MZ},2.00000,NOK,kWh\n"
    )
    with Session(world.engine) as db:
        import_spot_prices(db, CLI_CALLER, corrected)
        db.commit()
    after = world.stored_days()
    assert after[date(2025, 3, 19)][1] > before[date(2025, 3, 19)][1]
    assert {d: v for d, v in after.items() if d != date(2025, 3, 19)} == {
        d: v for d, v in before.items() if d != date(2025, 3, 19)
    }
    assert_stored_equals_priced_hourly(world)


def test_a_tariff_or_tax_from_a_date_reprices_that_date_on_and_never_a_day_before(world):
    world.import_prices(march_hours())
    for day in range(18, 32):
        world.feed(day_instants(date(2025, 3, day)))
    before = world.stored_days()
    with Session(world.engine) as db:
        tariffs.add_tariff_period(
            db,
            CLI_CALLER,
            utility_id=world.grid_id,
            valid_from="2025-03-25",
            fixed_monthly_kr="200.00",
            capacity_steps="0: 400.00\n5: 800.00",
            energy_winter_day="0.60",
            energy_winter_night="0.45",
            energy_summer_day="0.40",
            energy_summer_night="0.30",
        )
        db.commit()
    after = world.stored_days()
    change = date(2025, 3, 25)
    assert {d: v for d, v in after.items() if d < change} == {d: v for d, v in before.items() if d < change}
    assert all(after[d] != before[d] for d in before if d >= change)
    assert_stored_equals_priced_hourly(world)
    with Session(world.engine) as db:
        tariffs.add_tax_rate(
            db, CLI_CALLER, kind=TaxKind.ELECTRICITY_TAX, valid_from="2025-03-28", rate="0.1200"
        )
        db.commit()
    taxed = world.stored_days()
    assert {d: v for d, v in taxed.items() if d < date(2025, 3, 28)} == {
        d: v for d, v in after.items() if d < date(2025, 3, 28)
    }
    assert taxed[date(2025, 3, 28)][3] > after[date(2025, 3, 28)][3]
    assert_stored_equals_priced_hourly(world)


def test_a_markup_is_added_to_the_stored_sums_as_pricing_each_hour_with_it_does(world):
    world.import_prices(march_hours())
    for day in range(28, 32):
        world.feed(day_instants(date(2025, 3, day)))
    with Session(world.engine) as db:
        relationship = db.get(CustomerRelationship, world.relationship_id)
        assert relationship is not None
        relationship.supplier_markup_kr_per_kwh = Decimal("0.04900")
        db.add(relationship)
        db.commit()
    assert_stored_equals_priced_hourly(world)
    with Session(world.engine) as db:
        view = month_cost(db, world.caller(), world.meter_id, MARCH, now=AFTER)
        assert view.markup_known and view.total.markup is not None and view.total.markup > 0


def test_a_rebuild_stores_what_the_worker_stored(world):
    world.import_prices(march_hours())
    for day in range(26, 32):
        world.feed(day_instants(date(2025, 3, day)))
    incremental = world.stored_days()
    with Session(world.engine) as db:
        rebuild_all_costs(db)
        db.commit()
    assert world.stored_days() == incremental


def test_on_postgresql_the_exact_sums_survive_numeric_and_equal_every_hour_priced(postgres_url, tmp_path):
    upgrade_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        world = _build(engine, tmp_path)
        world.import_prices(march_hours())
        for day in (25, 26, 28, 29, 30, 31):
            world.feed(day_instants(date(2025, 3, day)))
        world.feed(day_instants(date(2025, 3, 27)))  # late, with the third peak
        assert_stored_equals_priced_hourly(world)
        assert world.stored_days()[date(2025, 3, 30)][0] == 23
    finally:
        engine.dispose()


def test_a_25_hour_day_is_priced_from_its_stored_rates_as_every_hour(world):
    """26 October 2025: 02:00-03:00 local twice (night band both times), 25 hours."""
    october = [t for d in (25, 26, 27) for t in day_instants(date(2025, 10, d))]
    world.import_prices(october)
    for d in (25, 26, 27):
        world.feed(day_instants(date(2025, 10, d)))
    world.feed([local(2025, 10, 28)])
    assert world.stored_days()[date(2025, 10, 26)][0] == 25
    with Session(world.engine) as db:
        assert_days_priced_as_every_hour(db, world, [date(2025, 10, d) for d in (25, 26, 27, 28)])
        view = day_cost(db, world.caller(), world.meter_id, date(2025, 10, 26))
        assert len(view.rows) == 25 and view.total.priced_hours == 25


def test_the_kr_day_view_reads_no_tariff_tax_or_peak_and_falls_back_when_its_row_cannot_say(world):
    world.import_prices(march_hours())
    for day in range(18, 22):
        world.feed(day_instants(date(2025, 3, day)))
    day = date(2025, 3, 19)
    now = datetime(2025, 3, 19, 15, 30, tzinfo=OSLO)
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    with Session(world.engine) as db:
        reference_day = day_cost(db, world.caller(), world.meter_id, day, priced_hourly=True)
        reference_month = month_cost(db, world.caller(), world.meter_id, MARCH, now=now, priced_hourly=True)
        event.listen(world.engine, "before_cursor_execute", note)
        try:
            assert day_cost(db, world.caller(), world.meter_id, day) == reference_day
            month = month_cost(db, world.caller(), world.meter_id, MARCH, now=now)
        finally:
            event.remove(world.engine, "before_cursor_execute", note)
        assert month.estimate is not None and reference_month.estimate is not None
        assert month.estimate.estimate == reference_month.estimate.estimate
        # The day view: who may see it, the day's stored rates, its hours with their spot prices;
        # the current month adds its stored days (today's hours as the day view prices them).
        read = " ".join(seen)
        for table in ("tariff_period", "tariff_energy_rate", "tax_rate", "consumption_day"):
            assert table not in read, table
        assert len(seen) <= 3 + 4
        # A row priced before the rates were kept, or for another zone: the day is priced afresh.
        db.connection().exec_driver_sql("UPDATE cost_day SET vat_rate = NULL")
        assert day_cost(db, world.caller(), world.meter_id, day) == reference_day
        db.connection().exec_driver_sql("UPDATE cost_day SET bidding_zone = 'NO2'")
        assert day_cost(db, world.caller(), world.meter_id, day) == reference_day
        db.rollback()
