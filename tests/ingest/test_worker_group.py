"""Issue 25 without a broker: what makes workers of one group distinct, idempotent meter creation
by two workers, the roll-ups' per-meter lock, and the status of a worker that stopped reporting."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from ingest_factories import readings_in
from sqlalchemy import text
from sqlmodel import Session, select

from app.clock import utcnow
from app.db import get_engine, make_engine
from app.ingest.__main__ import _spool_path, build_parser
from app.ingest.registers import RawReading
from app.ingest.sources.mqtt import MqttSource, Subscription, default_client_id
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.migrate import upgrade_to_head
from app.models import Customer, CustomerRelationship, Organisation, Role
from app.services.caller import CLI_CALLER
from app.services.consumption.rollups import _ROLLUP_LOCK_SPACE, refresh_consumption
from app.services.customer.han_readers import connect_han_reader
from app.services.staff.ingest_status import source_statuses
from app.states.staff.ingest_status import IngestState
from tests.handler_callers import session_token, state_as

T0 = 1_780_000_000 - 1_780_000_000 % 3600


def test_each_worker_of_a_host_has_its_own_client_id_spool_and_status_row():
    ids = {default_client_id("ingest", index) for index in range(3)}
    assert len(ids) == 3 and all("-ingest-" in client_id for client_id in ids)
    assert default_client_id("ingest", 1) == default_client_id("ingest", 1)  # stable across restarts
    names = {f"mqtt:{client_id}" for client_id in ids}
    assert len({_spool_path(name) for name in names}) == 3
    args = build_parser().parse_args(["mqtt", "--topic", "ams/+", "--group", "ingest", "--index", "2"])
    assert (args.group, args.index, args.session_expiry, args.batch) == ("ingest", 2, 3600, 5000)


def test_a_group_subscribes_shared_with_a_persistent_session_and_manual_acknowledgement(store):
    pipeline = FramePipeline(store, store.source("mqtt:t", "mqtt", "collected"))
    source = MqttSource(
        "mqtt://127.0.0.1:1", [Subscription.parse("ams/+=json")], pipeline, "w-1", group="ingest"
    )
    assert Subscription.parse("ams/+").subscribed_as("ingest") == "$share/ingest/ams/+"
    assert Subscription.parse("ams/+").subscribed_as(None) == "ams/+"
    assert source.client._manual_ack and source.client._client_id == b"w-1"
    assert source.receive_maximum == store.batch_size
    with pytest.raises(ValueError):
        MqttSource("mqtt://127.0.0.1:1", [Subscription.parse("a")], pipeline, group="bad/name")


def test_a_message_is_acknowledged_only_after_its_readings_are_committed(store, engine, meters, monkeypatch):
    pipeline = FramePipeline(store, store.source("mqtt:ack", "mqtt", "collected"))
    source = MqttSource("mqtt://127.0.0.1:1", [Subscription.parse("ams/+")], pipeline, "w-ack")
    acknowledged: list[int] = []
    monkeypatch.setattr(source, "acknowledge", acknowledged.extend)
    store.flush_seconds = 3600  # nothing is flushed by time in this test
    message = type(
        "M",
        (),
        {
            "topic": "ams/1",
            "qos": 1,
            "mid": 7,
            "payload": b'{"data": {"id": "AID57000000", "tPI": 1.5, "rtc": %d}}' % T0,
        },
    )
    source._on_message(None, None, message)
    source.process_queued()
    assert acknowledged == [] and readings_in(engine) == []  # queued in the store, not committed
    store.flush()
    source.process_queued()
    assert acknowledged == [7] and len(readings_in(engine)) == 1


def _postgres_meterless(postgres_url: str) -> str:
    upgrade_to_head(postgres_url)
    return postgres_url


def test_two_workers_meeting_a_new_meter_both_store_their_readings(postgres_url, tmp_path):
    url = _postgres_meterless(postgres_url)
    engines = [make_engine(url) for _ in range(2)]
    stores = [
        ReadingStore(
            engine,
            tmp_path / f"spool-{n}.jsonl",
            auto_create_meters=True,
            refresh=None,
            spool_secret=b"s" * 32,
        )
        for n, engine in enumerate(engines)
    ]
    try:
        for store in stores:  # both have read the meter table before any new meter exists
            store.replay_spool()
            store.submit(store.source("mqtt:warm", "mqtt", "collected"), [])
        serials = [f"NEW{n:05d}" for n in range(30)]
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(store: ReadingStore, offset: int) -> None:
            try:
                source = store.source(f"mqtt:w{offset}", "mqtt", "collected")
                # The two walk the new meters in opposite orders, each in one batch.
                order = serials if offset == 0 else serials[::-1]
                readings = [
                    RawReading(serial, "1-0:1.8.0", T0 + offset, 1.0 + offset, "kWh") for serial in order
                ]
                barrier.wait()
                store.submit(source, readings)
                store.flush()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(store, n)) for n, store in enumerate(stores)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with engines[0].connect() as connection:
            meters = connection.execute(
                text("SELECT count(*) FROM meter WHERE serial LIKE 'NEW%'")
            ).scalar_one()
            stored = connection.execute(text("SELECT count(*) FROM reading")).scalar_one()
        assert meters == 30 and stored == 60
        assert all(not store.spool.pending() for store in stores)
        assert [store._sources[f"mqtt:w{n}"].readings_rejected for n, store in enumerate(stores)] == [0, 0]
    finally:
        for engine in engines:
            engine.dispose()


def test_a_meter_created_by_another_worker_since_the_directory_was_read_is_found(postgres_url, tmp_path):
    url = _postgres_meterless(postgres_url)
    engine = make_engine(url)
    first = ReadingStore(
        engine, tmp_path / "a.jsonl", auto_create_meters=True, refresh=None, spool_secret=b"s" * 32
    )
    second = ReadingStore(
        engine, tmp_path / "b.jsonl", auto_create_meters=True, refresh=None, spool_secret=b"s" * 32
    )
    try:
        with engine.connect() as connection:
            second.meters.load(connection)  # read before the meter exists
        second._directory_loaded = True
        first.submit(
            first.source("a", "mqtt", "collected"), [RawReading("NEW1", "1-0:1.8.0", T0, 1.0, "kWh")]
        )
        first.flush()
        second.submit(
            second.source("b", "mqtt", "collected"), [RawReading("NEW1", "1-0:1.8.0", T0 + 10, 2.0, "kWh")]
        )
        second.flush()
        assert second._sources["b"].readings_stored == 1 and second._sources["b"].readings_rejected == 0
    finally:
        engine.dispose()


def test_refresh_consumption_holds_the_meters_roll_up_lock_until_its_transaction_ends(postgres_url):
    url = _postgres_meterless(postgres_url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            meter_id = connection.execute(
                text(
                    "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                    "VALUES ('LOCK1', 'Aidon', 'M', 'electricity', true, now()) RETURNING id"
                )
            ).scalar_one()
        probe = engine.connect()
        try_lock = text(f"SELECT pg_try_advisory_xact_lock({_ROLLUP_LOCK_SPACE}, :m)")
        with engine.begin() as connection:
            refresh_consumption(connection, meter_id, T0)
            with probe.begin():
                assert probe.execute(try_lock, {"m": meter_id}).scalar_one() is False
                assert probe.execute(try_lock, {"m": meter_id + 1}).scalar_one() is True
        with probe.begin():
            assert probe.execute(try_lock, {"m": meter_id}).scalar_one() is True
        probe.close()
    finally:
        engine.dispose()


def test_a_worker_that_stops_reporting_stands_out_on_the_status_page(app_database_url, tmp_path):
    store = ReadingStore(get_engine(), tmp_path / "spool.jsonl", refresh=None, heartbeat_seconds=1.0)
    source = store.source(f"mqtt:silent-{tmp_path.name}", "mqtt", "collected")
    source.host, source.group_name, source.client_id = "ingest-3", "ingest", "ingest-3-ingest-0"
    source.message_received()
    store.flush()
    with Session(get_engine()) as db:
        db.exec(
            text("UPDATE ingest_source SET updated_at = :t WHERE name = :n"),  # type: ignore[call-overload]
            params={"t": utcnow() - timedelta(seconds=10), "n": source.name},
        )
        db.commit()
        status = next(s for s in source_statuses(db, CLI_CALLER) if s.name == source.name)
    assert (status.host, status.group_name, status.messages, status.reporting) == (
        "ingest-3",
        "ingest",
        1,
        False,
    )
    state = state_as(IngestState, session_token(Role.ADMIN))  # the operator's page (issue 20.14)
    asyncio.run(IngestState.load_sources.fn(state))
    row = next(s for s in state.sources if s["name"] == source.name)
    assert row["silent"] == "1" and row["worker"] == "ingest-3 · ingest-3-ingest-0" and row["messages"] == "1"
    store._last_report -= 2  # a heartbeat later: it reports, and no longer stands out
    store.flush_due()
    with Session(get_engine()) as db:
        assert next(s for s in source_statuses(db, CLI_CALLER) if s.name == source.name).reporting


def _han_consent(engine, meter_id: int, reader_id: str) -> None:  # type: ignore[no-untyped-def]
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
            meter_id=meter_id,
        )
        db.add(relationship)
        db.flush()
        connect_han_reader(db, relationship.id, reader_id, "I agree that my HAN data is stored for me.")
        db.commit()


def test_every_worker_of_a_group_honours_the_streams_han_consent_and_han_data_is_not_folded(
    engine, meters, tmp_path
):
    _han_consent(engine, meters["AID57000000"], "mqtt:mqtt://broker:1883")
    refreshed: list[int] = []
    for index in range(2):
        store = ReadingStore(
            engine, tmp_path / f"w{index}.jsonl", refresh=lambda c, m, s: refreshed.append(m)
        )
        # Each worker its own source (status row, spool), both the one stream the consent names.
        source = store.source(f"mqtt:host-ingest-{index}", "mqtt", "han")
        source.reader_id = "mqtt:mqtt://broker:1883"
        store.submit(source, [RawReading("AID57000000", "1-0:1.8.0", T0 + index, 10.0 + index, "kWh")])
        store.flush()
        assert source.readings_stored == 1 and source.readings_rejected == 0
    # HAN data is never in the billing-grade hourly values: nothing to refresh after it.
    assert refreshed == []
    billing = ReadingStore(engine, tmp_path / "b.jsonl", refresh=lambda c, m, s: refreshed.append(m))
    billing.submit(
        billing.source("csv:x", "csv", "collected"), [RawReading("AID57000000", "1-0:1.8.0", T0, 9.0, "kWh")]
    )
    billing.flush()
    assert refreshed == [meters["AID57000000"]]


def test_acknowledgements_leave_in_one_write_as_the_pubacks_paho_sends_one_by_one():
    """A batch's messages are acknowledged with one write to the broker: the same MQTT 5 PUBACK
    packets, in order, that paho's `ack` queues one per message (and wakes its loop for each)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from app.ingest.sources.mqtt import acknowledge_many

    def client() -> mqtt.Client:
        return mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5, manual_ack=True)

    one_by_one, at_once = client(), client()
    mids = [7, 8, 65535, 300]
    for mid in mids:
        one_by_one.ack(mid, 1)
    acknowledge_many(at_once, mids)
    assert len(at_once._out_packet) == 1 and len(one_by_one._out_packet) == len(mids)
    assert at_once._out_packet[0]["packet"] == b"".join(p["packet"] for p in one_by_one._out_packet)
    acknowledge_many(at_once, [])
    assert len(at_once._out_packet) == 1


def test_the_connection_is_read_ahead_and_paho_is_told_what_is_already_here():
    import socket

    from app.ingest.sources.mqtt import _ReadAhead

    ours, broker = socket.socketpair()
    ours.setblocking(False)
    reader = _ReadAhead(ours)
    with pytest.raises(BlockingIOError):
        reader.recv(1)  # nothing sent: as the socket itself says
    broker.sendall(b"\x30\x05hello\x40\x02\x00\x07")
    assert reader.recv(1) == b"\x30" and reader.pending() == 10
    assert reader.recv(1) == b"\x05" and reader.recv(5) == b"hello"
    assert reader.recv(100) == b"\x40\x02\x00\x07" and reader.pending() == 0
    assert reader.fileno() == ours.fileno()
    broker.close()
    assert reader.recv(1) == b""  # the broker closed the connection
    ours.close()
