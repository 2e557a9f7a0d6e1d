"""The store: batched idempotent writes, meter mapping, HAN consent, the spool, counters."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest_factories import readings_in
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import make_engine
from app.ingest.frame_builders import HeatMeterState, wmbus_heat_telegram
from app.ingest.registers import RawReading
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.migrate import upgrade_to_head
from app.models import Customer, CustomerRelationship, IngestSource, Organisation
from app.services.customer.han_readers import connect_han_reader

T0 = 1_780_000_000 - 1_780_000_000 % 3600


def _heat(ref: str, ts: int, kwh: float) -> RawReading:
    return RawReading(ref, "heat_energy", ts, kwh, "kWh")


def test_batches_are_idempotent_and_mapped_by_serial_or_number(store, engine, meters):
    source = store.source("test", "replay")
    store.submit(source, [_heat("KAM57000074", T0, 1.5), _heat("57000111", T0, 2.5)])
    store.flush()
    store.submit(source, [_heat("KAM57000074", T0, 1.5), _heat("KAM57000074", T0 + 3600, 2.0)])
    store.flush()
    rows = readings_in(engine)
    assert rows == [
        (meters["KAM57000074"], "heat_energy", T0, 1.5, "kWh", "collected"),
        (meters["KAM57000074"], "heat_energy", T0 + 3600, 2.0, "kWh", "collected"),
        (meters["KAM57000111"], "heat_energy", T0, 2.5, "kWh", "collected"),
    ]


def test_unknown_meters_are_counted_once_and_not_stored(store, engine):
    source = store.source("test", "replay")
    store.submit(source, [_heat("X1", T0, 1.0), _heat("X1", T0 + 3600, 1.0), _heat("X2", T0, 1.0)])
    store.flush()
    assert readings_in(engine) == []
    with Session(engine) as db:
        row = db.exec(select(IngestSource).where(IngestSource.name == "test")).one()
    assert (row.unknown_meters, row.readings_rejected, row.readings_stored) == (2, 3, 0)


def test_unknown_meters_can_be_created(engine, meters, tmp_path):
    store = ReadingStore(engine, tmp_path / "s.jsonl", auto_create_meters=True, refresh=None)
    pipeline = FramePipeline(store, store.source("wm", "wmbus"))
    state = HeatMeterState(5_000_000, 100, 60.0, 40.0)
    pipeline.handle_frame(wmbus_heat_telegram("12345678", state, None, 1))
    store.flush()
    with engine.connect() as connection:
        medium = connection.execute(text("SELECT medium FROM meter WHERE serial = '12345678'")).scalar_one()
    assert medium == "heat"
    assert readings_in(engine, "heat_energy")[0][3] == 5000.0


def test_han_readings_only_for_the_customer_who_connected_the_reader(store, engine, meters):
    source = store.source("mqtt:ams/1", "mqtt", "han")
    reading = RawReading("AID57000000", "1-0:1.8.0", T0, 10.0, "kWh")
    store.submit(source, [reading])
    store.flush()
    assert readings_in(engine) == []  # no consent yet
    with Session(engine) as db:
        customer = Customer(name="Kari")
        grid = db.exec(select(Organisation)).first()
        db.add(customer)
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=grid.id,
            installation_number="1",
            metering_point_id="707057500000000001",
            address="Storgata 1",
            postcode="7010",
            city="Trondheim",
            meter_id=meters["AID57000000"],
        )
        db.add(relationship)
        db.flush()
        connect_han_reader(db, relationship.id, "mqtt:ams/1", "I agree that my HAN data is stored for me.")
        db.commit()
    store._han_consents.clear()
    store.submit(source, [reading])
    store.flush()
    assert readings_in(engine) == [(meters["AID57000000"], "1-0:1.8.0", T0, 10.0, "kWh", "han")]


def test_spool_when_the_database_is_away_then_replay_in_order(tmp_path, meters, engine):
    # A database file without tables stands in for an unavailable database.
    url = f"sqlite:///{tmp_path / 'later.db'}"
    later = make_engine(url)
    store = ReadingStore(later, tmp_path / "spool.jsonl", batch_size=2, refresh=None, retry_seconds=0)
    source = store.source("test", "replay")
    acknowledged = 0
    for hour in range(5):
        acknowledged += store.submit(source, [_heat("57000074", T0 + hour * 3600, float(hour))])
    acknowledged += store.flush()
    assert acknowledged == 5 and store.spool.pending() and not store.database_up
    # The database comes back: migrated, with the meter.
    upgrade_to_head(url)
    with later.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES ('KAM57000074', 'Kamstrup', 'M', 'heat', 0, '2026-01-01')"
            )
        )
    store.flush_due()
    assert not store.spool.pending() and store.database_up
    assert [row[2:4] for row in readings_in(later)] == [(T0 + h * 3600, float(h)) for h in range(5)]
    assert store.spool.size() == 0
    later.dispose()


def test_counters_are_persisted_per_source(store, engine):
    source = store.source("serial:/dev/ttyHAN", "serial", "collected")
    source.frame_ok(datetime.now(UTC))
    source.frame_bad("FCS mismatch")
    store.submit(source, [_heat("KAM57000074", T0, 1.0)])
    store.flush()
    source.frame_ok()
    store.flush()  # nothing queued: counters alone
    with Session(engine) as db:
        row = db.exec(select(IngestSource)).one()
    assert (row.frames_ok, row.frames_bad, row.readings_stored) == (2, 1, 1)
    assert row.last_error == "FCS mismatch" and row.lag_seconds is not None


def test_refresh_consumption_is_called_per_meter_with_the_earliest_time(engine, meters, tmp_path):
    calls = []
    store = ReadingStore(engine, tmp_path / "s.jsonl", refresh=lambda c, m, s: calls.append((m, s)))
    source = store.source("t", "replay")
    store.submit(source, [_heat("KAM57000074", T0 + 3600, 1.0), _heat("KAM57000074", T0, 0.5)])
    store.flush()
    assert calls == [(meters["KAM57000074"], T0)]


def test_one_sources_readings_one_after_another_make_one_batch(tmp_path, meters, engine):
    """A worker submits each frame's readings on its own: one source's in a row go to the database
    (or, as here, to the spool) as one batch, not one per frame (issue 25); another source's
    readings in between start a batch of their own, so arrival order holds."""
    later = make_engine(f"sqlite:///{tmp_path / 'later.db'}")  # no tables: the database is away
    store = ReadingStore(later, tmp_path / "spool.jsonl", batch_size=100, refresh=None, retry_seconds=60)
    first, second = store.source("first", "replay"), store.source("second", "replay")
    hint = {"57000074": {"medium": "heat"}}
    for hour in range(3):
        store.submit(first, [_heat("57000074", T0 + hour * 3600, float(hour))], hint)
    store.submit(second, [_heat("57000074", T0 + 9 * 3600, 9.0)])
    store.submit(first, [_heat("57000074", T0 + 10 * 3600, 10.0)])
    assert store.flush() == 5 and not store.database_up
    lines, _ = store.spool.read_from(0, 100)
    batches = [store._decode_line(line) for line in lines]
    assert [(b.source.name, [r.value for r in b.readings]) for b in batches] == [
        ("first", [0.0, 1.0, 2.0]),
        ("second", [9.0]),
        ("first", [10.0]),
    ]
    assert batches[0].hints == {"57000074": {"medium": "heat"}}
    later.dispose()
