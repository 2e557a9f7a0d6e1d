"""Issue 9, data truth: from the meter to the chart no kWh is lost, invented or moved to another hour.

Data goes in through the worker's own paths (store, pipeline, file imports, the CLI parser) and is
read back through the service functions the consumption page calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ingest_factories import readings_in
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.ingest.__main__ import build_parser
from app.ingest.decoders import decode_any
from app.ingest.frame_builders import HeatMeterState, type_f_datetime, wmbus_heat_telegram
from app.ingest.registers import RawReading
from app.ingest.sources.billing_files import (
    import_interval_file,
    import_register_file,
    parse_interval_lines,
)
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.models import (
    Customer,
    CustomerRelationship,
    IngestSource,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
)
from app.services.caller import Caller
from app.services.consumption.rollups import refresh_consumption
from app.services.customer.consumption.charts import day_view
from app.services.customer.han_readers import connect_han_reader

OSLO = ZoneInfo("Europe/Oslo")
HOUR = 3600


def local(*args: int) -> int:
    return int(datetime(*args, tzinfo=OSLO).timestamp())


@dataclass(frozen=True)
class Installation:
    meter_id: int
    serial: str
    metering_point_id: str
    relationship_id: int
    principal: Caller


@pytest.fixture
def install(engine: Engine) -> Callable[..., Installation]:
    """A customer relationship with its own meter, and its signed-in customer's principal."""
    with Session(engine) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
        db.add(grid)
        db.commit()
        grid_id = grid.id
    counter = iter(range(1, 100))

    def make(medium: str = "electricity") -> Installation:
        n = next(counter)
        with Session(engine) as db:
            customer = Customer(name=f"Kunde {n}", mobile=f"+474100{n:04d}")
            meter = Meter(serial=f"AID9{n:07d}", manufacturer="Aidon", model="6525", medium=medium)
            db.add_all([customer, meter])
            db.flush()
            relationship = CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid_id,
                installation_number=f"{7000 + n}",
                metering_point_id=f"707057500001{n:06d}",
                address="Storgata 1",
                postcode="7010",
                city="Trondheim",
                meter_id=meter.id,
            )
            db.add(relationship)
            db.commit()
            principal = Caller(
                session_id=n, role=Role.CUSTOMER, user_id=None, relationship_id=relationship.id
            )
            return Installation(
                meter.id or 0, meter.serial, relationship.metering_point_id, relationship.id or 0, principal
            )

    return make


@pytest.fixture
def live_store(engine: Engine, tmp_path: Path) -> ReadingStore:
    """A store that refreshes the charts after each batch, as the worker's does."""
    store = ReadingStore(
        engine, tmp_path / "spool" / "truth.jsonl", batch_size=10_000, refresh=refresh_consumption
    )
    yield store
    store.close()


def shown_hours(engine: Engine, installation: Installation, day: date) -> dict[str, tuple[float | None, str]]:
    """The day's hours as the consumption page gets them: local label -> (kWh, quality)."""
    with Session(engine) as db:
        view = day_view(db, installation.principal, installation.meter_id, day)
    return {hour.label: (hour.energy_kwh, hour.quality) for hour in view.hours}


def register(ref: str, start: int, values: list[float]) -> list[RawReading]:
    return [RawReading(ref, "1-0:1.8.0", start + i * HOUR, v, "kWh") for i, v in enumerate(values)]


# -- 1. HAN readings never displace billing-grade readings ----------------------------------------


@pytest.mark.parametrize("han_first", [True, False], ids=["han-first", "billing-first"])
def test_han_and_billing_readings_of_the_same_hours_are_both_kept(engine, install, live_store, han_first):
    home = install()
    with Session(engine) as db:
        connect_han_reader(db, home.relationship_id, "mqtt:ams/1", "I agree that my HAN data is stored.")
        db.commit()
    start = local(2026, 1, 10, 0)
    billing = [1000.0 + 1.5 * i for i in range(25)]
    # The customer's reader reads the same register on the same hh:00:00, a little differently.
    han = [1000.4 + 1.7 * i for i in range(25)]
    han_source = live_store.source("mqtt:ams/1", "mqtt", "han")
    billing_source = live_store.source("wmbus:collector", "wmbus", "collected")
    order = [(han_source, han), (billing_source, billing)]
    for source, values in order if han_first else reversed(order):
        live_store.submit(source, register(home.serial, start, values))
        live_store.flush()

    stored = readings_in(engine, "1-0:1.8.0")
    assert sorted(row[3] for row in stored if row[5] == "collected") == billing
    assert sorted(row[3] for row in stored if row[5] == "han") == han
    hours = shown_hours(engine, home, date(2026, 1, 10))
    assert [value for value, _quality in hours.values()] == [1.5] * 24
    assert {quality for _value, quality in hours.values()} == {"measured"}


# -- 2. replay defaults to the nature of its input -------------------------------------------------


def test_replay_without_source_is_han_data_and_billing_grade_must_be_asked_for():
    parser = build_parser()
    assert parser.parse_args(["replay", "capture.bin"]).reading_source == "han"
    assert parser.parse_args(["replay", "capture.bin", "--source", "collected"]).reading_source == "collected"


# -- 3. hourly values are stored as interval values ------------------------------------------------


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_hourly_values_keep_gaps_duplicates_once_conflicts_refused_and_late_files_fill_their_hours(
    engine, install, live_store, tmp_path
):
    home = install()
    ref = home.serial
    first = _write(
        tmp_path,
        "day.csv",
        [
            "meter,timestamp,kWh",
            f"{ref},2026-01-12T10:00:00+01:00,1.000",
            # 11:00 is not in the file: a one-hour gap.
            f"{ref},2026-01-12T12:00:00+01:00,1.714",
            f"{ref},2026-01-12T13:00:00+01:00,2.514",
            # 14:00 to 19:00 are not in the file: a six-hour gap.
            f"{ref},2026-01-12T20:00:00+01:00,3.352",
            f"{ref},2026-01-12T20:00:00+01:00,3.352",
            f"{ref},2026-01-12T21:00:00+01:00,0.800",
            f"{ref},2026-01-12T21:00:00+01:00,0.900",
        ],
    )
    source = live_store.source("csv:day.csv", "csv")
    report = import_interval_file(first, live_store, source)
    assert (report.stored, report.duplicates) == (5, 1)
    assert [line for line, _reason in report.refused] == [8]
    assert "line 7" in report.refused[0][1]

    hours = shown_hours(engine, home, date(2026, 1, 12))
    assert hours["10"] == (1.0, "measured")
    assert hours["11"] == (None, "missing")
    assert hours["12"] == (1.714, "measured")
    assert [hours[f"{h:02d}"] for h in range(14, 20)] == [(None, "missing")] * 6
    assert hours["20"] == (3.352, "measured")
    assert hours["21"] == (0.8, "measured")

    again = import_interval_file(first, live_store, source)
    assert (again.stored, again.duplicates, [line for line, _ in again.refused]) == (0, 6, [8])

    late = _write(
        tmp_path,
        "late.csv",
        [
            f"{ref},2026-01-12T11:00:00+01:00,0.5,estimated",
            f"{ref},2026-01-12T15:00:00+01:00,0.25",
        ],
    )
    import_interval_file(late, live_store, live_store.source("csv:late.csv", "csv"))
    filled = shown_hours(engine, home, date(2026, 1, 12))
    assert filled["11"] == (0.5, "estimated") and filled["15"] == (0.25, "measured")
    changed = {label for label in hours if hours[label] != filled[label]}
    assert changed == {"11", "15"}

    # A measured value replaces the estimate, by the rule the import reports.
    measured = _write(tmp_path, "measured.csv", [f"{ref},2026-01-12T11:00:00+01:00,0.6,measured"])
    replaced = import_interval_file(measured, live_store, live_store.source("csv:m.csv", "csv"))
    assert (replaced.stored, replaced.replaced) == (0, 1)
    assert shown_hours(engine, home, date(2026, 1, 12))["11"] == (0.6, "measured")


def test_grid_company_layout_with_metering_point_ids_is_imported(engine, install, live_store, tmp_path):
    home = install()
    path = _write(
        tmp_path,
        "grid.csv",
        [
            "Målepunkt-ID;Fra;Til;Volum;Enhet;Kvalitet",
            f"{home.metering_point_id};12.01.2026 10:00;12.01.2026 11:00;1,250;kWh;Målt",
            f"{home.metering_point_id};12.01.2026 11:00;12.01.2026 12:00;;kWh;Mangler",
            f"{home.metering_point_id};12.01.2026 12:00;12.01.2026 13:00;750;Wh;Estimert",
        ],
    )
    report = import_interval_file(path, live_store, live_store.source("csv:grid.csv", "csv"))
    assert (report.stored, report.refused) == (2, [])
    hours = shown_hours(engine, home, date(2026, 1, 12))
    assert (hours["10"], hours["11"], hours["12"]) == (
        (1.25, "measured"),
        (None, "missing"),
        (0.75, "estimated"),
    )


# -- 4. local times: refused where they do not name one instant ------------------------------------


def test_the_repeated_autumn_hour_and_the_missing_spring_hour_are_refused_with_their_lines():
    refused: list[tuple[int, str]] = []
    lines = parse_interval_lines(
        "meter,timestamp,kWh\n"
        "M1,2026-10-25 01:00,1.0\n"
        "M1,2026-10-25 02:00,2.0\n"
        "M1,2026-10-25 02:00,11.0\n"
        "M1,2026-03-29 02:00,1.0\n"
        "M1,2026-10-25T02:00:00+02:00,2.0\n"
        "M1,2026-10-25T01:00:00Z,11.0\n",
        OSLO,
        refused,
    )
    assert [line for line, _ in refused] == [3, 4, 5]
    assert "comes twice" in refused[0][1] and "does not exist" in refused[2][1]
    assert [(v.line, v.start) for v in lines] == [
        (2, int(datetime(2026, 10, 24, 23, tzinfo=UTC).timestamp())),
        (6, int(datetime(2026, 10, 25, 0, tzinfo=UTC).timestamp())),
        (7, int(datetime(2026, 10, 25, 1, tzinfo=UTC).timestamp())),
    ]


def test_a_from_to_pair_settles_which_autumn_hour_is_meant():
    refused: list[tuple[int, str]] = []
    lines = parse_interval_lines(
        "M1;25.10.2026 02:00;25.10.2026 02:00;2,0;kWh;Målt\n"
        "M1;25.10.2026 02:00;25.10.2026 03:00;11,0;kWh;Målt\n",
        OSLO,
        refused,
    )
    assert refused == []
    utc_hours = [int(datetime(2026, 10, 25, h, tzinfo=UTC).timestamp()) for h in (0, 1)]
    assert [v.start for v in lines] == utc_hours


# -- 5. the wireless M-Bus summer-time flag ---------------------------------------------------------


def test_wmbus_clock_on_the_autumn_day_uses_the_summer_time_flag(engine, install, live_store):
    home = install("heat")
    pipeline = FramePipeline(live_store, live_store.source("wmbus:file", "wmbus"), meter_ref=home.serial)
    # (local wall clock, summer-time bit, register Wh): 02:00 CEST and 02:00 CET are two hours.
    clocks = [
        ((1, 0), True, 100_000),
        ((2, 0), True, 102_000),
        ((2, 0), False, 104_000),
        ((3, 0), False, 115_000),
    ]
    for (hour, minute), summer, energy in clocks:
        clock = type_f_datetime(datetime(2026, 10, 25, hour, minute), summer)
        telegram = wmbus_heat_telegram(
            "57000074", HeatMeterState(energy, 10, 60.0, 40.0), None, 1, clock=clock
        )
        assert decode_any(telegram).meter_datetime is not None
        pipeline.handle_frame(telegram)
    live_store.flush()
    stamps = [row[2] for row in readings_in(engine, "heat_energy")]
    assert stamps == [int(datetime(2026, 10, 24, 23, tzinfo=UTC).timestamp()) + i * HOUR for i in range(4)]
    hours = shown_hours(engine, home, date(2026, 10, 25))
    assert (hours["02 CEST"], hours["02 CET"]) == ((2.0, "measured"), (11.0, "measured"))


# -- 6. counters count what was stored -------------------------------------------------------------


def test_status_counts_stored_readings_and_shows_duplicates_and_refusals_apart(engine, install, tmp_path):
    home = install()
    store = ReadingStore(engine, tmp_path / "s.jsonl", refresh=None)
    source = store.source("replay:twice", "replay")
    batch = register(home.serial, local(2026, 2, 1, 0), [1.0, 2.0, 3.0])
    store.submit(source, [*batch, RawReading("NOSUCHMETER", "1-0:1.8.0", 0, 1.0, "kWh")])
    store.flush()
    store.submit(source, batch)
    store.flush()
    with Session(engine) as db:
        row = db.exec(select(IngestSource).where(IngestSource.name == "replay:twice")).one()
    assert (row.readings_stored, row.readings_duplicate, row.readings_rejected) == (3, 3, 1)


# -- billing-grade register readings from a file ---------------------------------------------------


def test_register_readings_import_with_status_line_by_line_and_idempotent(
    engine, install, live_store, tmp_path
):
    home = install()
    ref = home.serial
    path = _write(
        tmp_path,
        "registers.csv",
        [
            "meter,register,timestamp,value,unit,status",
            f"{ref},1-0:1.8.0,2026-01-20T00:00:00+01:00,500.0,kWh,measured",
            f"{ref},1-0:1.8.0,2026-01-20T01:00:00+01:00,501.5,kWh,estimated",
            f"{ref},1-0:1.8.0,2026-01-20T02:00:00+01:00,503000,Wh,measured",
            f"{ref},1-0:1.8.0,2026-01-20 03:00,abc,kWh,measured",
            "NOSUCH,1-0:1.8.0,2026-01-20T03:00:00+01:00,504.0,kWh,measured",
            f"{ref},1-0:1.8.0,2026-01-20T03:00:00+01:00,504.0,kWh,guessed",
        ],
    )
    source = live_store.source("registers:registers.csv", "csv")
    report = import_register_file(path, live_store, source)
    assert report.stored == 3
    assert [line for line, _ in report.refused] == [5, 6, 7]
    assert "not a number" in report.refused[0][1] and "unknown meter" in report.refused[1][1]
    hours = shown_hours(engine, home, date(2026, 1, 20))
    assert (hours["00"], hours["01"]) == ((1.5, "estimated"), (1.5, "estimated"))

    again = import_register_file(path, live_store, source)
    assert (again.stored, again.duplicates) == (0, 3)

    fix = _write(
        tmp_path,
        "fix.csv",
        [
            f"{ref},1-0:1.8.0,2026-01-20T01:00:00+01:00,501.0,kWh,measured",
            f"{ref},1-0:1.8.0,2026-01-20T00:00:00+01:00,499.0,kWh,measured",
        ],
    )
    fixed = import_register_file(fix, live_store, source)
    assert (fixed.replaced, [line for line, _ in fixed.refused]) == (1, [2])
    hours = shown_hours(engine, home, date(2026, 1, 20))
    assert (hours["00"], hours["01"]) == ((1.0, "measured"), (2.0, "measured"))
