"""Hourly values from cumulative registers, local-time roll-ups, chart queries, capacity tariff."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import (
    ConsumptionDay,
    ConsumptionHour,
    ConsumptionMonth,
    Customer,
    CustomerRelationship,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
)
from app.services.caller import Caller
from app.services.consumption.capacity_tariff import (
    capacity_basis_from_days,
    default_capacity_steps,
    steps_from_bounds,
)
from app.services.consumption.derivation import derive_hours
from app.services.consumption.local_time import HOUR
from app.services.consumption.rollups import rebuild_all_consumption, refresh_consumption
from app.services.customer.consumption.access import customer_meter
from app.services.customer.consumption.capacity_tariff import capacity_tariff_basis
from app.services.customer.consumption.charts import data_until, day_view, month_view, year_overview
from app.services.customer.consumption.exports import (
    ExportTable,
    grid_company_hourly_csv,
    hourly_values,
    period_bounds,
    table_csv,
    table_xlsx,
)
from app.services.errors import AccessDenied
from app.services.readings import insert_readings

OSLO = ZoneInfo("Europe/Oslo")


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def local(*args: int) -> int:
    return int(datetime(*args, tzinfo=OSLO).timestamp())


@dataclass(frozen=True)
class Installation:
    meter_id: int
    principal: Caller


@pytest.fixture
def install(db: Session) -> Callable[..., Installation]:
    """A customer relationship with its own meter, and the principal of its signed-in customer."""
    grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
    db.add(grid)
    db.flush()
    counter = iter(range(1, 1000))

    def make(medium: str = "electricity") -> Installation:
        n = next(counter)
        customer = Customer(name=f"Kunde {n}", mobile=f"+474000{n:04d}")
        meter = Meter(serial=f"TST{n:05d}", manufacturer="Aidon", model="6525", medium=medium)
        db.add_all([customer, meter])
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=grid.id,
            installation_number=f"{5000 + n}",
            metering_point_id=f"707057500000{n:06d}",
            address="Storgata 1",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
        )
        db.add(relationship)
        db.commit()
        principal = Caller(session_id=n, role=Role.CUSTOMER, user_id=None, relationship_id=relationship.id)
        return Installation(meter.id or 0, principal)

    return make


def store(
    engine: Engine,
    meter_id: int,
    points: Iterable[tuple[int, float]],
    register: str = "1-0:1.8.0",
    source: str = "collected",
    unit: str = "kWh",
) -> None:
    with engine.begin() as connection:
        insert_readings(connection, [(meter_id, register, ts, v, unit, source) for ts, v in points])


def hourly(start: int, kwh_per_hour: Iterable[float], base: float = 1000.0) -> list[tuple[int, float]]:
    """Cumulative readings on the hour from ``start``: one more than there are hours."""
    points = [(start, base)]
    for used in kwh_per_hour:
        base = round(base + used, 6)
        points.append((points[-1][0] + HOUR, base))
    return points


def hour_rows(engine: Engine, meter_id: int) -> list[ConsumptionHour]:
    with Session(engine) as db:
        return list(
            db.exec(
                select(ConsumptionHour)
                .where(ConsumptionHour.meter_id == meter_id)
                .order_by(ConsumptionHour.hour_start)
            ).scalars()
        )


def day_row(engine: Engine, meter_id: int, day: date) -> ConsumptionDay | None:
    with Session(engine) as db:
        return db.get(ConsumptionDay, (meter_id, day))


# -- deriving hours -----------------------------------------------------------------------------


def test_register_differences_become_measured_hours():
    points = hourly(utc(2025, 1, 10, 0), [1.5, 2.25, 0.0, 3.0])
    rows = derive_hours(7, points)
    assert [(r[1], r[2], r[5]) for r in rows] == [
        (utc(2025, 1, 10, 0), 1.5, "measured"),
        (utc(2025, 1, 10, 1), 2.25, "measured"),
        (utc(2025, 1, 10, 2), 0.0, "measured"),  # a real zero stays a zero
        (utc(2025, 1, 10, 3), 3.0, "measured"),
    ]


def test_long_gap_gives_missing_hours_never_zeros():
    points = hourly(utc(2025, 1, 10, 0), [1.0, 1.0])  # 00, 01, 02
    later = hourly(utc(2025, 1, 10, 7), [2.0], base=points[-1][1] + 9.0)  # 07, 08
    rows = derive_hours(1, points + later)
    by_hour = {r[1]: r for r in rows}
    for h in range(2, 7):
        row = by_hour[utc(2025, 1, 10, h)]
        assert row[2] is None and row[3] is None and row[5] == "missing"
    assert by_hour[utc(2025, 1, 10, 7)][2] == 2.0


def test_one_lost_reading_is_bridged_by_an_estimate():
    points = [(utc(2025, 1, 10, 0), 100.0), (utc(2025, 1, 10, 2), 104.0), (utc(2025, 1, 10, 3), 105.0)]
    rows = derive_hours(1, points)
    assert [(r[2], r[5]) for r in rows] == [(2.0, "estimated"), (2.0, "estimated"), (1.0, "measured")]


def test_readings_off_the_hour_are_interpolated_and_give_a_power_maximum():
    # Quarter-hour readings: 1, 1, 1 and 3 kWh -> 6 kWh in the hour, max 12 kW.
    start = utc(2025, 1, 10, 0)
    values = [0.0, 1.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    points = [(start + i * 900, 500 + v) for i, v in enumerate(values)]
    rows = derive_hours(1, points)
    assert rows[0][2] == 6.0 and rows[0][3] == 6.0 and rows[0][4] == 12.0
    assert rows[0][5] == "measured"
    assert rows[1][2] == 4.0 and rows[1][4] == 4.0


def test_meter_replacement_with_register_reset_never_gives_negative_hours():
    old = hourly(utc(2025, 5, 1, 8), [1.0, 1.0], base=48_000.0)  # 08, 09, 10
    new = hourly(utc(2025, 5, 1, 11), [0.5, 0.75], base=0.2)  # new meter: 11, 12, 13
    rows = derive_hours(1, old + new)
    energies = {datetime.fromtimestamp(r[1], UTC).hour: (r[2], r[5]) for r in rows}
    assert energies == {
        8: (1.0, "measured"),
        9: (1.0, "measured"),
        10: (None, "missing"),  # the swap hour: unknown, not -47,999
        11: (0.5, "measured"),
        12: (0.75, "measured"),
    }


def test_reset_is_never_bridged_by_an_estimate():
    points = [
        (utc(2025, 5, 1, 8), 900.0),
        (utc(2025, 5, 1, 9, 30), 901.0),
        (utc(2025, 5, 1, 10), 0.5),
        (utc(2025, 5, 1, 11), 1.5),
    ]
    rows = derive_hours(1, points)
    # 08-09 is estimated within the old meter's readings; 09-10 spans the swap.
    assert [(r[2], r[5]) for r in rows] == [(0.666667, "estimated"), (None, "missing"), (1.0, "measured")]


# -- roll-ups in local time ---------------------------------------------------------------------


def test_spring_dst_day_has_23_hours(engine, install):
    meter = install()
    # 2025-03-30: clocks go from 02:00 to 03:00 in Oslo.
    store(engine, meter.meter_id, hourly(local(2025, 3, 29, 22), [1.0] * 28))
    rebuild_all_consumption(engine)
    row = day_row(engine, meter.meter_id, date(2025, 3, 30))
    assert row is not None
    assert (row.hours, row.measured_hours, row.energy_kwh) == (23, 23, 23.0)
    with Session(engine) as db:
        view = day_view(db, meter.principal, meter.meter_id, date(2025, 3, 30))
    labels = [h.label for h in view.hours]
    assert len(labels) == 23 and "02" not in labels and labels[:3] == ["00", "01", "03"]
    assert view.total_kwh == 23.0


def test_autumn_dst_day_has_25_hours_labelled_apart(engine, install):
    meter = install()
    # 2025-10-26: clocks go from 03:00 back to 02:00.
    store(engine, meter.meter_id, hourly(local(2025, 10, 25, 22), list(range(1, 31))))
    rebuild_all_consumption(engine)
    row = day_row(engine, meter.meter_id, date(2025, 10, 26))
    assert row is not None and row.hours == 25 and row.measured_hours == 25
    assert row.energy_kwh == sum(range(3, 28))  # hours 3..27 after 22:00 the day before
    with Session(engine) as db:
        view = day_view(db, meter.principal, meter.meter_id, date(2025, 10, 26))
    labels = [h.label for h in view.hours]
    assert len(labels) == 25 and len(set(labels)) == 25
    assert labels[2:4] == ["02 CEST", "02 CET"]


def test_missing_hours_are_counted_and_left_out_of_totals(engine, install):
    meter = install()
    first = hourly(local(2025, 2, 3, 0), [1.0] * 6)  # 00..06
    second = hourly(local(2025, 2, 3, 10), [2.0] * 14, base=first[-1][1] + 10.0)  # 10..24
    store(engine, meter.meter_id, first + second)
    rebuild_all_consumption(engine)
    row = day_row(engine, meter.meter_id, date(2025, 2, 3))
    assert row is not None
    assert (row.measured_hours, row.missing_hours, row.energy_kwh) == (20, 4, 6.0 + 28.0)
    with Session(engine) as db:
        view = day_view(db, meter.principal, meter.meter_id, date(2025, 2, 3))
        month = month_view(db, meter.principal, meter.meter_id, date(2025, 2, 1))
    gaps = [h for h in view.hours if h.quality == "missing"]
    assert len(gaps) == 4 and all(h.energy_kwh is None and h.power_max_kw is None for h in gaps)
    assert month.days[2].quality == "partial"
    # Days without readings are listed as missing, with no value.
    assert month.days[0].energy_kwh is None and month.days[0].quality == "missing"


def test_leap_day_belongs_to_february(engine, install):
    meter = install()
    store(engine, meter.meter_id, hourly(local(2024, 2, 28, 0), [1.0] * (3 * 24)))
    rebuild_all_consumption(engine)
    with Session(engine) as db:
        view = month_view(db, meter.principal, meter.meter_id, date(2024, 2, 1))
        february = db.get(ConsumptionMonth, (meter.meter_id, date(2024, 2, 1)))
        march = db.get(ConsumptionMonth, (meter.meter_id, date(2024, 3, 1)))
    assert len(view.days) == 29 and view.days[28].key == "2024-02-29"
    assert view.days[28].energy_kwh == 24.0
    assert february is not None and february.hours == 29 * 24 and february.energy_kwh == 48.0
    assert march is not None and march.energy_kwh == 24.0


def test_han_readings_never_count(engine, install):
    meter = install()
    store(engine, meter.meter_id, hourly(utc(2025, 1, 1, 0), [1.0] * 5), source="han")
    rebuild_all_consumption(engine)
    assert hour_rows(engine, meter.meter_id) == []


def test_watt_hours_and_heat_register_are_read_in_kwh(engine, install):
    meter = install("heat")
    store(
        engine,
        meter.meter_id,
        [(utc(2025, 1, 1, 0), 1_000_000.0), (utc(2025, 1, 1, 1), 1_002_500.0)],
        register="heat_energy",
        unit="Wh",
    )
    rebuild_all_consumption(engine)
    assert hour_rows(engine, meter.meter_id)[0].energy_kwh == 2.5


def _snapshot(engine: Engine, meter_id: int) -> tuple[list, list, list]:
    with Session(engine) as db:
        return tuple(  # type: ignore[return-value]
            [
                tuple(row)
                for row in db.connection().execute(
                    select(table).where(table.c.meter_id == meter_id).order_by(*table.primary_key)
                )
            ]
            for table in (ConsumptionHour.__table__, ConsumptionDay.__table__, ConsumptionMonth.__table__)
        )


def test_incremental_refresh_matches_a_full_rebuild(engine, install):
    meter = install()
    start = local(2025, 3, 28, 5)
    points = hourly(start, [0.5 + (i % 7) * 0.25 for i in range(24 * 9)])
    del points[40:47]  # an outage, and a lost reading
    del points[100]
    batches = [points[:30], points[30:31], points[31:120], points[120:]]
    for batch in batches:
        store(engine, meter.meter_id, batch)
        with engine.begin() as connection:
            refresh_consumption(connection, meter.meter_id, batch[0][0])
    incremental = _snapshot(engine, meter.meter_id)
    rebuild_all_consumption(engine)
    assert incremental == _snapshot(engine, meter.meter_id)
    assert len(incremental[0]) == 24 * 9 and len(incremental[1]) >= 9


def test_late_readings_fill_a_gap(engine, install):
    meter = install()
    points = hourly(utc(2025, 6, 1, 0), [1.0] * 10)
    store(engine, meter.meter_id, points[:3] + points[8:])
    with engine.begin() as connection:
        refresh_consumption(connection, meter.meter_id, points[0][0])
    assert sum(r.quality == "missing" for r in hour_rows(engine, meter.meter_id)) == 6  # 02-08
    store(engine, meter.meter_id, points[3:8])
    with engine.begin() as connection:
        refresh_consumption(connection, meter.meter_id, points[3][0])
    rows = hour_rows(engine, meter.meter_id)
    assert [r.quality for r in rows] == ["measured"] * 10
    assert day_row(engine, meter.meter_id, date(2025, 6, 1)).energy_kwh == 10.0  # type: ignore[union-attr]


# -- who may see what ---------------------------------------------------------------------------


def test_queries_refuse_another_customers_meter(engine, install):
    mine, theirs = install(), install()
    store(engine, theirs.meter_id, hourly(utc(2025, 1, 1, 0), [1.0] * 30))
    rebuild_all_consumption(engine)
    with Session(engine) as db:
        assert customer_meter(db, mine.principal).meter_id == mine.meter_id
        for query in (
            lambda: year_overview(db, mine.principal, theirs.meter_id),
            lambda: month_view(db, mine.principal, theirs.meter_id, date(2025, 1, 1)),
            lambda: day_view(db, mine.principal, theirs.meter_id, date(2025, 1, 1)),
            lambda: data_until(db, mine.principal, theirs.meter_id),
            lambda: hourly_values(db, mine.principal, theirs.meter_id, 0, 2**40),
            lambda: capacity_tariff_basis(db, mine.principal, theirs.meter_id, date(2025, 1, 1)),
        ):
            with pytest.raises(AccessDenied):
                query()


def test_staff_principal_without_relationship_is_refused(engine, install):
    meter = install()
    staff = Caller(session_id=99, role=Role.GRID_STAFF, user_id=1, relationship_id=None)
    with Session(engine) as db, pytest.raises(AccessDenied):
        year_overview(db, staff, meter.meter_id)


# -- chart queries ------------------------------------------------------------------------------


def test_year_overview_compares_months_both_years_cover(engine, install):
    meter = install()
    # January and February of 2024 (1 kWh/h) and January 2025 (1.5 kWh/h).
    store(engine, meter.meter_id, hourly(local(2024, 1, 1, 0), [1.0] * (60 * 24)))
    store(engine, meter.meter_id, hourly(local(2025, 1, 1, 0), [1.5] * (31 * 24), base=10_000.0))
    rebuild_all_consumption(engine)
    with Session(engine) as db:
        overview = year_overview(db, meter.principal, meter.meter_id, today=date(2025, 6, 1))
        freshness = data_until(db, meter.principal, meter.meter_id)
    years = {s.year: s for s in overview.years}
    assert set(years) == {2024, 2025}
    assert years[2024].months[0].energy_kwh == 744.0  # type: ignore[union-attr]
    assert years[2025].total_kwh == 1116.0
    assert years[2025].compared_months == [1]
    assert years[2025].change_percent == 50.0
    assert freshness == datetime.fromtimestamp(local(2025, 2, 1, 0), UTC)


def test_month_view_peak_and_capacity_basis_from_three_different_days(engine, install):
    meter = install()
    per_hour = [1.0] * (31 * 24)
    # Day 3 has the three highest hours of the month; days 10 and 20 the next.
    for hour, kwh in (
        (2 * 24 + 17, 8.0),
        (2 * 24 + 18, 7.5),
        (2 * 24 + 19, 7.0),
        (9 * 24 + 8, 5.0),
        (19 * 24 + 18, 4.0),
    ):
        per_hour[hour] = kwh
    store(engine, meter.meter_id, hourly(local(2025, 1, 1, 0), per_hour))
    rebuild_all_consumption(engine)
    with Session(engine) as db:
        view = month_view(db, meter.principal, meter.meter_id, date(2025, 1, 15))
        basis = capacity_tariff_basis(db, meter.principal, meter.meter_id, date(2025, 1, 1))
    assert view.peak is not None and view.peak.power_kw == 8.0
    assert view.peak.at == local(2025, 1, 3, 17)
    assert basis.basis_kw == pytest.approx((8.0 + 5.0 + 4.0) / 3, abs=1e-3)
    assert [at for at, _ in basis.top_hours] == [
        local(2025, 1, 3, 17),
        local(2025, 1, 10, 8),
        local(2025, 1, 20, 18),
    ]
    assert basis.step is not None and (basis.step.lower_kw, basis.step.upper_kw) == (5, 10)


def test_capacity_basis_with_fewer_days_and_a_companys_own_steps():
    steps = steps_from_bounds([0, 3, 6, 9])
    assert [(s.lower_kw, s.upper_kw) for s in steps] == [(0, 3), (3, 6), (6, 9), (9, None)]
    basis = capacity_basis_from_days(date(2025, 1, 1), [(1, 10.0), (2, None), (None, None)], steps)
    assert basis.basis_kw == 10.0 and basis.step is not None and basis.step.label == "> 9 kW"
    assert capacity_basis_from_days(date(2025, 1, 1), [], steps).basis_kw is None
    assert default_capacity_steps()[0].upper_kw == 2  # the defaults: 0-2, 2-5, 5-10 ...


# -- exports ------------------------------------------------------------------------------------


def test_grid_company_hourly_file_uses_semicolons_and_decimal_commas(engine, install):
    meter = install()
    store(engine, meter.meter_id, hourly(local(2025, 10, 26, 0), [1.25] * 25))
    rebuild_all_consumption(engine)
    start, end = period_bounds("day", "2025-10-26")
    with Session(engine) as db:
        hours = hourly_values(db, meter.principal, meter.meter_id, start, end)
    text = grid_company_hourly_csv("707057500000000001", hours)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Målepunkt-ID", "Fra", "Til", "Volum", "Enhet", "Kvalitet"]
    assert len(rows) == 26  # header + 25 hours on the autumn DST day
    assert rows[1][1:] == ["26.10.2025 00:00", "26.10.2025 01:00", "1,250", "kWh", "Målt"]


def test_table_exports_round_trip():
    table = ExportTable(
        "Forbruk",
        ["Dag", "kWh", "Kvalitet"],
        [["2025-01-01", 12.5, "measured"], ["2025-01-02", None, "missing"]],
    )
    assert table_csv(table).splitlines() == [
        "Dag,kWh,Kvalitet",
        "2025-01-01,12.5,measured",
        "2025-01-02,,missing",
    ]
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Dag", "kWh", "Kvalitet"],
        ["2025-01-01", 12.5, "measured"],
        ["2025-01-02", None, "missing"],
    ]


def test_refresh_and_queries_on_postgresql(postgres_url):
    from app.db import make_engine
    from app.migrate import upgrade_to_head

    upgrade_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY)
            customer = Customer(name="Kunde PG")
            meter = Meter(serial="PG0001", manufacturer="Aidon", model="6525", medium="electricity")
            db.add_all([grid, customer, meter])
            db.flush()
            relationship = CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid.id,
                installation_number="1",
                metering_point_id="707057500000000099",
                address="Gata 1",
                postcode="7010",
                city="Trondheim",
                meter_id=meter.id,
            )
            db.add(relationship)
            db.commit()
        principal = Caller(session_id=1, role=Role.CUSTOMER, user_id=None, relationship_id=relationship.id)
        points = hourly(local(2025, 10, 25, 0), [1.0] * 72)
        store(engine, meter.id, points[:40])
        with engine.begin() as connection:
            refresh_consumption(connection, meter.id, points[0][0])
        store(engine, meter.id, points[40:])
        with engine.begin() as connection:
            refresh_consumption(connection, meter.id, points[40][0])
        with Session(engine) as db:
            day = day_view(db, principal, meter.id, date(2025, 10, 26))
            month = month_view(db, principal, meter.id, date(2025, 10, 1))
        assert len(day.hours) == 25 and day.total_kwh == 25.0
        assert month.total_kwh == 72.0
    finally:
        engine.dispose()
