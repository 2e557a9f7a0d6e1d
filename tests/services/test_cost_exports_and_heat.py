"""The kr view's exports carry the kr table's columns, and a heat customer's kr view (issue 26).

The world is test_cost.py's (SQLite and PostgreSQL): a grid company's tariff from 1 March 2025,
VAT 25 %, a metering point using exactly 1 kWh every hour of March 2025 at a spot price of
0.80 kr/kWh, except 11 March 12:00, which has no spot price.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import Customer, CustomerRelationship, Medium, Meter, Organisation, OrganisationKind, Role
from app.services.caller import CLI_CALLER, Caller
from app.services.consumption import tariffs
from app.services.consumption.rollups import rebuild_all_consumption
from app.services.customer.consumption.charts import day_view
from app.services.customer.consumption.cost import day_cost, month_cost
from app.services.customer.consumption.exports import (
    COST_COLUMNS,
    ExportTable,
    table_csv,
    table_xlsx,
    with_cost_columns,
)
from app.services.readings import insert_readings
from tests.services.test_cost import OSLO, any_engine, local, world  # noqa: F401 (fixtures)


def _customer(db: Session, meter_id: int) -> Caller:
    relationship = db.exec(
        select(CustomerRelationship).where(CustomerRelationship.meter_id == meter_id)
    ).one()
    return Caller(role=Role.CUSTOMER, session_id=1, relationship_id=relationship.id)


def test_the_kr_exports_have_the_kr_tables_columns_in_decimal_kroner_and_gaps_stay_empty(world):  # noqa: F811
    db, point = world
    caller = _customer(db, point.meter_id)
    day = date(2025, 3, 11)  # a Tuesday; 12:00 has consumption but no spot price
    hours = day_view(db, caller, point.meter_id, day).hours
    energy = ExportTable("Forbruk", ["Time", "Energi (kWh)"], [[h.label, h.energy_kwh] for h in hours])
    headers = {column: f"{column} (kr)" for column in COST_COLUMNS}

    view = day_cost(db, caller, point.meter_id, day)
    table = with_cost_columns(energy, [h.key for h in hours], view, headers)

    # No mark-up known: no mark-up column, as in the kr table.
    assert table.columns == ["Time", "Energi (kWh)", "spot (kr)", "grid (kr)", "taxes (kr)", "total (kr)"]
    rows = {row[0]: row for row in table.rows}
    assert len(rows) == 24
    # 07:00, day band: spot 0.80; grid 0.40 + (248 + 124) / 743 = 0.900672948;
    # taxes 0.11 + 0.25 x (0.80 + 0.900672948 + 0.11) = 0.562668237; total 2.263341185.
    assert rows["07"][2:] == [Decimal("0.80"), Decimal("0.90"), Decimal("0.56"), Decimal("2.26")]
    assert all(isinstance(cell, Decimal) for cell in rows["07"][2:])
    # 12:00 used 1 kWh but has no price: its cost cells are empty, never 0.
    assert rows["12"][1] is not None and rows["12"][2:] == [None, None, None, None]

    lines = {line[0]: line for line in csv.reader(io.StringIO(table_csv(table)))}
    assert lines["07"][2:] == ["0.80", "0.90", "0.56", "2.26"]
    assert lines["12"][2:] == ["", "", "", ""]

    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    cells = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [float(v) for v in cells["07"][2:]] == [0.80, 0.90, 0.56, 2.26]
    assert cells["12"][2:] == (None, None, None, None)


def test_a_known_markup_gets_its_own_export_column_and_periods_outside_the_kr_view_are_left_out(world):  # noqa: F811
    db, point = world
    caller = _customer(db, point.meter_id)
    relationship = db.exec(
        select(CustomerRelationship).where(CustomerRelationship.id == caller.relationship_id)
    ).one()
    relationship.supplier_markup_kr_per_kwh = Decimal("0.05")
    db.add(relationship)
    db.commit()
    view = day_cost(db, caller, point.meter_id, date(2025, 3, 10))
    assert view.markup_known
    energy = ExportTable("Forbruk", ["Time"], [["00"], ["x"]])
    table = with_cost_columns(
        energy, [view.rows[0].key, "no-such-period"], view, {column: column for column in COST_COLUMNS}
    )
    assert table.columns == ["Time", "spot", "markup", "grid", "taxes", "total"]
    # 00:00 Monday, night band: spot 0.80, mark-up 0.05, grid 0.30 + 372 / 743 = 0.800672948;
    # taxes 0.11 + 0.25 x (0.80 + 0.05 + 0.800672948 + 0.11) = 0.550168237; total 2.200841185.
    assert table.rows[0] == [
        "00",
        Decimal("0.80"),
        Decimal("0.05"),
        Decimal("0.80"),
        Decimal("0.55"),
        Decimal("2.20"),
    ]
    # A row of a period the kr view does not cover (an earlier year) is left out, not emptied.
    assert len(table.rows) == 1


def test_a_heat_customers_kr_view_is_the_price_per_mwh_and_the_fixed_part_to_the_ore(world, any_engine):  # noqa: F811
    db, _point = world
    heat = Organisation(name="Fjordvarme AS", kind=OrganisationKind.DISTRICT_HEATING, org_number="923456780")
    customer = Customer(name="Ola", mobile="+4740000002")
    meter = Meter(serial="HEAT00001", manufacturer="Kamstrup", model="603", medium=Medium.HEAT)
    db.add_all([heat, customer, meter])
    db.flush()
    db.add(
        CustomerRelationship(
            customer_id=customer.id,
            utility_id=heat.id,
            installation_number="6001",
            metering_point_id="HEAT-6001",
            address="Fjordgata 2",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
        )
    )
    # 800.00 kr per MWh and 310.00 kr a month (VAT 25 % on both, the world's VAT).
    tariffs.add_heat_price(
        db,
        CLI_CALLER,
        utility_id=heat.id or 0,
        valid_from="2025-01-01",
        kr_per_mwh="800.00",
        fixed_monthly_kr="310.00",
    )
    db.commit()
    meter_id = meter.id or 0
    march = local(2025, 3, 1)
    # 2 kWh every hour of March 2025 (743 hours: 30 March is 23 hours long).
    rows = [
        (meter_id, "heat_energy", march + hour * 3600, 5000.0 + 2.0 * hour, "kWh", "collected")
        for hour in range(744)
    ]
    with any_engine.begin() as connection:
        insert_readings(connection, rows)
    rebuild_all_consumption(any_engine)
    caller = _customer(db, meter_id)

    day = day_cost(db, caller, meter_id, date(2025, 3, 10))
    assert len(day.rows) == 24 and not day.markup_known
    # An hour: energy 2 x 800 / 1000 = 1.60; fixed 310 / 743 = 0.417227456;
    # VAT 0.25 x 2.017227456 = 0.504306864; total 2.521534320.
    hour = day.rows[7]
    assert (hour.spot, hour.grid, hour.taxes, hour.total) == (
        Decimal("1.60"),
        Decimal("0.42"),
        Decimal("0.50"),
        Decimal("2.52"),
    )
    # The day: energy 24 x 1.60 = 38.40; fixed 24 x 310 / 743 = 10.013458950;
    # VAT 0.25 x 48.413458950 = 12.103364738; total 60.516823688.
    total = day.total
    assert (total.spot, total.grid, total.taxes, total.total) == (
        Decimal("38.40"),
        Decimal("10.01"),
        Decimal("12.10"),
        Decimal("60.52"),
    )

    month = month_cost(db, caller, meter_id, date(2025, 3, 1), now=datetime(2026, 1, 1, tzinfo=OSLO))
    # The month: energy 743 x 1.60 = 1188.80; the whole fixed part 310.00;
    # VAT 0.25 x 1498.80 = 374.70; total 1873.50.
    whole = month.total
    assert (whole.spot, whole.grid, whole.taxes, whole.total) == (
        Decimal("1188.80"),
        Decimal("310.00"),
        Decimal("374.70"),
        Decimal("1873.50"),
    )
    assert whole.priced_hours == 743
    # 30 March, 23 hours: energy 36.80; fixed 23 x 310 / 743 = 9.596231494;
    # VAT 0.25 x 46.396231494 = 11.599057873; total 57.995289367.
    [short] = [r for r in month.rows if r.key == "2025-03-30"]
    assert (short.spot, short.grid, short.taxes, short.total) == (
        Decimal("36.80"),
        Decimal("9.60"),
        Decimal("11.60"),
        Decimal("58.00"),
    )
