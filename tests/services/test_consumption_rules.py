"""Rules the consumption charts apply, kept in the service (issue 11 item 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from app.models import Customer, CustomerRelationship, Meter, Organisation, OrganisationKind, Role
from app.services.caller import Caller
from app.services.consumption.rollups import rebuild_all_consumption
from app.services.customer.consumption.access import CustomerMeter
from app.services.customer.consumption.capacity_tariff import capacity_basis_of, capacity_tariff_basis
from app.services.customer.consumption.charts import MonthPeak, Period, YearOverview, YearSeries, month_view
from app.services.readings import insert_readings

HOUR = 3600
METER = CustomerMeter(
    meter_id=1, medium="electricity", relationship_id=1, utility_id=1, metering_point_id="707057500000000001"
)


def _month(index: int, power_max_kw: float | None) -> Period:
    return Period(f"2025-{index:02d}-01", 0, "", 1.0, 1.0, power_max_kw, None, "measured", 720, 720)


def test_the_peak_month_is_the_highest_power_of_all_years_the_oldest_first_on_a_tie():
    older = [None] * 12
    older[0] = _month(1, 7.5)
    newer = [_month(i + 1, None) for i in range(12)]
    newer[1] = _month(2, 7.5)
    newer[11] = _month(12, 3.0)
    overview = YearOverview(METER, [YearSeries(2024, older, 1.0), YearSeries(2025, newer, 12.0)])
    assert overview.peak_month == MonthPeak(2024, 1, 7.5)
    assert YearOverview(METER, [YearSeries(2025, [None] * 12, 0.0)]).peak_month is None


def test_the_capacity_basis_of_a_month_view_is_the_one_read_on_its_own(db: Session, engine):
    grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
    customer = Customer(name="Kunde", mobile="+4740000001")
    meter = Meter(serial="RULE0001", manufacturer="Aidon", model="6525", medium="electricity")
    db.add_all([grid, customer, meter])
    db.flush()
    relationship = CustomerRelationship(
        customer_id=customer.id,
        utility_id=grid.id,
        installation_number="5001",
        metering_point_id="707057500000000001",
        address="Storgata 1",
        postcode="7010",
        city="Trondheim",
        meter_id=meter.id,
    )
    db.add(relationship)
    db.commit()
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    # A different peak every day: a rising ramp with an evening spike of day-dependent size.
    value, rows = 0.0, []
    for hour in range(31 * 24):
        rows.append((meter.id, "1-0:1.8.0", start + hour * HOUR, round(value, 3), "kWh", "collected"))
        value += 1.0 + (hour % 24 == 18) * (hour // 24 % 7)
    with engine.begin() as connection:
        insert_readings(connection, rows)
    rebuild_all_consumption(engine)
    caller = Caller(role=Role.CUSTOMER, session_id=1, relationship_id=relationship.id)
    with Session(engine) as fresh:
        view = month_view(fresh, caller, meter.id or 0, date(2025, 1, 1))
        on_its_own = capacity_tariff_basis(fresh, caller, meter.id or 0, date(2025, 1, 1))
        of_view = capacity_basis_of(fresh, view)
    assert view.meter.utility_org_number == "912345678"
    assert of_view == on_its_own and on_its_own.basis_kw == 7.0
