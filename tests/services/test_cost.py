"""The cost of an hour, a day and a month, computed by hand to the øre (issue 26).

The world, on SQLite and on PostgreSQL: a grid company whose tariff changes on 16 March 2025, the
taxes of 2025, a metering point in NO1 using exactly 1 kWh every hour, a spot price of 0.80
kr/kWh every hour. March 2025 has 743 hours (30 March is 23 hours long), October 745 (26 October
is 25). Every hour's basis is 1 kW, so the month's capacity step is the lowest one.

    period A, from 1 March:  fixed 124.00 kr/month, step 0-5 kW 248.00 kr/month,
                             winter day 0.40, winter night 0.30 kr/kWh (day 06-22 on weekdays)
    period B, from 16 March: fixed 186.00, step 0-5 kW 372.00, winter day 0.50, winter night 0.40,
                             summer day 0.45, summer night 0.35
    taxes: electricity tax 0.1000, Enova fee 0.0100 kr/kWh, VAT 25 %
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import (
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
)
from app.services.caller import CLI_CALLER, Caller
from app.services.consumption.cost import (
    CostPoint,
    costs_by_day,
    costs_by_month,
    hour_costs,
    month_estimate,
    to_ore,
)
from app.services.consumption.local_time import HOUR
from app.services.consumption.prices import import_spot_prices
from app.services.consumption.rollups import rebuild_all_consumption
from app.services.customer.consumption.cost import day_cost, month_cost, year_cost
from app.services.errors import AccessDenied
from app.services.readings import insert_readings
from tests.services.cost_world import add_march_tariffs_and_taxes

OSLO = ZoneInfo("Europe/Oslo")


def local(*args: int) -> int:
    return int(datetime(*args, tzinfo=OSLO).timestamp())


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = request.getfixturevalue("database_url")
    else:
        url = request.getfixturevalue("postgres_url")
        upgrade_to_head(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _readings(engine: Engine, meter_id: int, start: int, hours: int) -> None:
    value, rows = 1000.0, []
    for hour in range(hours + 1):
        rows.append((meter_id, "1-0:1.8.0", start + hour * HOUR, value, "kWh", "collected"))
        value += 1.0
    with engine.begin() as connection:
        insert_readings(connection, rows)


def _spot(db: Session, tmp_path: Path, start: int, hours: int, skip: set[int] = frozenset()) -> None:
    lines = ["zone,start,end,price,currency,unit"]
    for hour in range(hours):
        at = start + hour * HOUR
        if at in skip:
            continue
        iso = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%MZ")
        end = datetime.fromtimestamp(at + HOUR, UTC).strftime("%Y-%m-%dT%H:%MZ")
        lines.append(f"NO1,{iso},{end},0.80,NOK,kWh")
    path = tmp_path / f"spot-{start}.csv"
    path.write_text("\n".join(lines) + "\n")
    assert import_spot_prices(db, CLI_CALLER, path).errors == []


@pytest.fixture
def world(any_engine: Engine, tmp_path: Path):
    with Session(any_engine, expire_on_commit=False) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
        customer = Customer(name="Kari", mobile="+4740000001")
        meter = Meter(serial="COST00001", manufacturer="Aidon", model="6525", medium=Medium.ELECTRICITY)
        db.add_all([grid, customer, meter])
        db.flush()
        db.add(
            CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid.id,
                installation_number="5001",
                metering_point_id="707057500000000001",
                address="Storgata 1",
                postcode="7010",
                city="Trondheim",
                meter_id=meter.id,
                bidding_zone="NO1",
            )
        )
        add_march_tariffs_and_taxes(db, grid.id or 0)
        march, october = local(2025, 3, 1), local(2025, 10, 26)
        # No spot price for 10 March 12:00: that hour is a gap.
        _spot(db, tmp_path, march, 743, skip={local(2025, 3, 11, 12)})
        _spot(db, tmp_path, october, 25)
        db.commit()
        point = CostPoint(meter.id or 0, grid.id or 0, Medium.ELECTRICITY, "NO1")
    _readings(any_engine, point.meter_id, march, 743)
    _readings(any_engine, point.meter_id, october, 25)
    rebuild_all_consumption(any_engine)
    with Session(any_engine, expire_on_commit=False) as db:
        yield db, point


def _day(db: Session, point: CostPoint, day: date):
    costs = hour_costs(db, point, day, day + timedelta(days=1), zone=OSLO)
    return costs, costs_by_day(costs, day, day + timedelta(days=1), OSLO)[day]


def test_a_weekday_under_the_first_period_to_the_ore(world):
    db, point = world
    costs, day = _day(db, point, date(2025, 3, 10))  # a Monday, 24 hours
    # 07:00, day band: 0.80 + 0.40 + (248 + 124) / 743 + 0.11 = 1.810672948; x 1.25 = 2.263341184.
    assert to_ore(costs[local(2025, 3, 10, 7)].total) == Decimal("2.26")
    # spot 24 x 0.80 = 19.20; grid 16 x 0.40 + 8 x 0.30 + 24 x 372 / 743 = 20.816150740;
    # duties 24 x 0.11 = 2.64; VAT 0.25 x 42.656150740 = 10.664037685; taxes 13.304037685.
    assert day.shown() == {
        "spot": Decimal("19.20"),
        "markup": None,
        "grid": Decimal("20.82"),
        "taxes": Decimal("13.30"),
        "total": Decimal("53.32"),
    }
    assert day.complete and day.hours == 24


def test_the_23_hour_day_after_the_tariff_change_to_the_ore(world):
    db, point = world
    costs, day = _day(db, point, date(2025, 3, 30))  # Sunday, summer time begins: 23 hours, night band
    assert len(costs) == 23 and day.period_hours == 23
    # 03:00+02:00: 0.80 + 0.40 + (372 + 186) / 743 + 0.11 = 2.061009421; x 1.25 = 2.576261777.
    assert to_ore(costs[local(2025, 3, 30, 3)].total) == Decimal("2.58")
    # spot 18.40; grid 23 x 0.40 + 23 x 558 / 743 = 26.473216689; duties 2.53;
    # VAT 0.25 x 47.403216689 = 11.850804172; taxes 14.380804172; total 59.254020861.
    assert day.shown() == {
        "spot": Decimal("18.40"),
        "markup": None,
        "grid": Decimal("26.47"),
        "taxes": Decimal("14.38"),
        "total": Decimal("59.25"),
    }


def test_the_25_hour_day_in_summer_prices_to_the_ore(world):
    db, point = world
    costs, day = _day(db, point, date(2025, 10, 26))  # Sunday, summer time ends: 25 hours
    assert len(costs) == 25
    # spot 20.00; grid 25 x 0.35 + 25 x 558 / 745 = 27.474832215; duties 2.75;
    # VAT 0.25 x 50.224832215 = 12.556208054; taxes 15.306208054; total 62.781040268.
    assert day.shown() == {
        "spot": Decimal("20.00"),
        "markup": None,
        "grid": Decimal("27.47"),
        "taxes": Decimal("15.31"),
        "total": Decimal("62.78"),
    }


def test_an_hour_without_a_spot_price_is_a_gap_not_zero(world):
    db, point = world
    costs, day = _day(db, point, date(2025, 3, 11))
    assert local(2025, 3, 11, 12) not in costs
    assert day.hours == 23 and day.period_hours == 24 and not day.complete


def test_the_month_spanning_the_change_prices_each_day_at_its_own_period(world):
    db, point = world
    costs = hour_costs(db, point, date(2025, 3, 1), date(2025, 4, 1), zone=OSLO)
    month = costs_by_month(costs, [date(2025, 3, 1)], OSLO)[date(2025, 3, 1)]
    assert month.hours == 742 and month.period_hours == 743
    # Energy part, period A (1-15 March): 10 weekdays x (16 x 0.40 + 8 x 0.30) + 5 weekend days
    # x 24 x 0.30 - the gap hour's 0.40 = 123.60; period B (16-31 March): 11 weekdays x (16 x 0.50
    # + 8 x 0.40) + (4 x 24 + 23) weekend hours x 0.40 = 170.80; together 294.40.
    # Capacity and fixed parts: 359 hours of A at 372/743 and 383 of B at 558/743 = 467.378196501.
    # Grid 761.778196501; spot 742 x 0.80 = 593.60; duties 742 x 0.11 = 81.62;
    # VAT 0.25 x 1436.998196501 = 359.249549125; taxes 440.869549125; total 1796.247745626.
    assert month.shown() == {
        "spot": Decimal("593.60"),
        "markup": None,
        "grid": Decimal("761.78"),
        "taxes": Decimal("440.87"),
        "total": Decimal("1796.25"),
    }


def test_a_known_markup_is_shown_apart_and_bears_vat(world):
    db, point = world
    with_markup = CostPoint(point.meter_id, point.utility_id, point.medium, "NO1", Decimal("0.05"))
    _costs, day = _day(db, with_markup, date(2025, 3, 10))
    # 24 x 0.05 = 1.20 kr mark-up, and 25 % VAT on it: taxes 13.304037685 + 0.30 = 13.604037685.
    assert day.shown() == {
        "spot": Decimal("19.20"),
        "markup": Decimal("1.20"),
        "grid": Decimal("20.82"),
        "taxes": Decimal("13.60"),
        "total": Decimal("54.82"),
    }


def test_the_current_month_so_far_and_its_estimate(world):
    db, point = world
    now = datetime(2025, 3, 3, 0, tzinfo=OSLO)  # two whole days of March (48 of 743 hours) gone
    estimate = month_estimate(db, point, date(2025, 3, 1), now, OSLO)
    assert estimate.so_far.hours == 48 and estimate.elapsed_hours == 48 and estimate.month_hours == 743
    # 1 and 2 March 2025 are a weekend: night band all day. Each hour: (0.80 + 0.30 + 372/743
    # + 0.11) x 1.25 = 2.138341184...; 48 hours = 102.640376850; x 743 / 48 = 1588.787500...
    assert to_ore(estimate.so_far.total) == Decimal("102.64")
    assert estimate.estimate == Decimal("1588.79")


def test_every_chart_level_shows_the_same_kroner_and_only_to_the_meters_customer(world):
    db, point = world
    relationship = db.exec(
        select(CustomerRelationship).where(CustomerRelationship.meter_id == point.meter_id)
    ).one()
    caller = Caller(role=Role.CUSTOMER, session_id=1, relationship_id=relationship.id)
    month = month_cost(db, caller, point.meter_id, date(2025, 3, 1), now=datetime(2026, 1, 1, tzinfo=OSLO))
    assert len(month.rows) == 31 and month.estimate is None and not month.markup_known
    assert month.total.total == Decimal("1796.25") and month.total.priced_hours == 742
    assert [r.total for r in month.rows if r.key == "2025-03-30"] == [Decimal("59.25")]
    assert month.rows[0].key == "2025-03-01" and month.rows[0].hours == 24
    year = year_cost(db, caller, point.meter_id, 2025)
    assert [r.total for r in year.rows][1:3] == [None, Decimal("1796.25")]  # February: no cost, not 0
    day = day_cost(db, caller, point.meter_id, date(2025, 3, 30))
    assert len(day.rows) == 23 and day.total.total == Decimal("59.25")
    assert day.rows[2].key == str(local(2025, 3, 30, 3)) and day.rows[2].total == Decimal("2.58")
    current = month_cost(db, caller, point.meter_id, date(2025, 3, 1), now=datetime(2025, 3, 3, tzinfo=OSLO))
    assert current.estimate is not None and current.estimate.estimate == Decimal("1588.79")
    stranger = Caller(role=Role.CUSTOMER, session_id=2, relationship_id=relationship.id + 1)
    with pytest.raises(AccessDenied):
        day_cost(db, stranger, point.meter_id, date(2025, 3, 30))
