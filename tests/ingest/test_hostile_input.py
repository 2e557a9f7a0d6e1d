"""Issue 10, items 2 and 3: no input stops a source, non-finite values are refused at decode, and a
row the database refuses never drops the readings it came with."""

from __future__ import annotations

import json
import math
import os
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import pytest
from ingest_factories import readings_in, wait_until
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import text

from app.db import make_engine
from app.ingest.decoders import DecodedFrame, DecodeError
from app.ingest.han_json import decode_han_json
from app.ingest.registers import RawReading, frame_readings
from app.ingest.sources.billing_files import parse_interval_lines
from app.ingest.sources.mqtt import MqttSource, Subscription
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.migrate import upgrade_to_head

T0 = 1_780_000_000 - 1_780_000_000 % 3600
CLOCK = datetime(2026, 2, 1, 12, tzinfo=UTC)
GOOD_AMS = {"data": {"id": "AID57000000", "P": 1234, "tPI": 4321.5, "rtc": int(CLOCK.timestamp())}}
# The message of the penetration test: its clock overflowed inside paho's network thread.
CLOCK_BEYOND_ANY_DATE = b'{"data":{"P":1,"rtc":1e20}}'


@pytest.mark.parametrize(
    "payload",
    [
        b'{"data": {"id": "AID57000000", "P": NaN}}',
        b'{"data": {"id": "AID57000000", "P": 5, "tPI": Infinity}}',
        b'{"data": {"id": "AID57000000", "P": 1e999}}',
        b'{"meter_id": "AID57000000", "active_power_import": -Infinity}',
        b'{"Time": "2026-02-01T12:00:00", "SML": {"Total_in": NaN, "Meter_id": "AID57000000"}}',
        b'{"data": {"id": "AID57000000", "P": 1' + b"0" * 400 + b"}}",
    ],
    ids=["nan", "infinity", "overflowing-float", "minus-infinity", "tasmota-nan", "huge-integer"],
)
def test_non_finite_json_values_are_refused_at_decode(payload: bytes) -> None:
    with pytest.raises(DecodeError, match="not a finite number"):
        decode_han_json(payload)


def test_a_json_clock_beyond_any_date_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="out of range"):
        decode_han_json(CLOCK_BEYOND_ANY_DATE)


def test_non_finite_values_of_any_decoder_yield_no_reading() -> None:
    # A DLMS float-64 can carry NaN or infinity as well as JSON can.
    frame = DecodedFrame(meter_id="AID57000000", meter_datetime=CLOCK, source="han")
    frame.values.update(active_power_import=math.nan, active_power_export=math.inf, voltage_l1=230.0)
    frame.units.update(active_power_import="W", active_power_export="W", voltage_l1="V")
    readings = frame_readings(frame, CLOCK)
    assert [(r.register, r.value) for r in readings] == [("voltage_l1", 230.0)]


@pytest.mark.parametrize("amount", ["nan", "inf", "-Infinity", "1e999"])
def test_csv_with_a_non_finite_kwh_value_is_refused(amount: str) -> None:
    content = (
        "meter,timestamp,kWh\nAID57000000,2026-01-01T00:00:00Z,1.5\n"
        f"AID57000000,2026-01-01T01:00:00Z,{amount}\n"
    )
    refused: list[tuple[int, str]] = []
    lines = parse_interval_lines(content, ZoneInfo("Europe/Oslo"), refused)
    assert [line.line for line in lines] == [2]
    assert [number for number, _ in refused] == [3] and "finite" in refused[0][1]


def _message(topic: str, payload: bytes, mid: int = 1) -> SimpleNamespace:
    return SimpleNamespace(topic=topic, payload=payload, mid=mid, qos=1)


def test_a_message_that_fails_inside_the_client_callback_is_counted_and_the_next_is_stored(
    store, engine, meters, monkeypatch
):
    pipeline = FramePipeline(store, store.source("mqtt:callback", "mqtt", "collected"))
    source = MqttSource("mqtt://127.0.0.1:1", [Subscription.parse("ams/+")], pipeline)
    calls = {"count": 0}
    handle = source.handle_payload

    def fails_once(topic: str, payload: bytes) -> int:
        calls["count"] += 1
        if calls["count"] == 1:
            raise OverflowError("a bug no test foresaw")
        return handle(topic, payload)

    monkeypatch.setattr(source, "handle_payload", fails_once)
    acknowledged: list[int] = []
    monkeypatch.setattr(source, "acknowledge", acknowledged.extend)
    # paho's network thread queues them; the store thread handles them: an exception escaping
    # there would end the store thread and the subscription would go quiet.
    source._on_message(None, None, _message("ams/1", json.dumps(GOOD_AMS).encode(), mid=1))
    source._on_message(None, None, _message("ams/1", json.dumps(GOOD_AMS).encode(), mid=2))
    source.process_queued()
    store.flush()
    source.process_queued()
    # The failed one is acknowledged too: a poison message is never delivered again and again.
    assert acknowledged == [1, 2]
    assert pipeline.source.frames_bad == 1 and "OverflowError" in pipeline.source.last_error
    assert [row[3] for row in readings_in(engine, "1-0:1.8.0")] == [4321.5]


def test_a_decoder_bug_is_counted_and_the_source_goes_on(store, engine, meters, monkeypatch):
    pipeline = FramePipeline(store, store.source("replay:bug", "replay", "collected"))

    def broken(*args: object, **kwargs: object) -> DecodedFrame:
        raise IndexError("hostile frame hit a decoder bug")

    monkeypatch.setattr(pipeline.decoder, "decode", broken)
    assert pipeline.handle_frame(b"\x01\x02\x03") == 0
    assert pipeline.source.frames_bad == 1 and "IndexError" in pipeline.source.last_error


def test_the_overflowing_clock_over_a_real_broker_does_not_stop_the_subscription(store, engine, meters):
    host, port = "127.0.0.1", 1883
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        pytest.skip(f"no MQTT broker reachable on {host}:{port} (TEST_MQTT_URL)")
    prefix = f"meterportal-test/{uuid.uuid4().hex[:8]}"
    pipeline = FramePipeline(store, store.source(f"mqtt:{prefix}", "mqtt", "collected"))
    source = MqttSource(
        os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883"),
        [Subscription.parse(f"{prefix}/ams/+")],
        pipeline,
    )
    source.start()
    try:
        assert source.subscribed.wait(5), "no SUBACK from the broker"
        publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
        publisher.connect(host, port)
        publisher.loop_start()
        for payload in (
            CLOCK_BEYOND_ANY_DATE,
            b'{"data": {"id": "AID57000000", "P": NaN}}',
            json.dumps(GOOD_AMS).encode(),
        ):
            publisher.publish(f"{prefix}/ams/json", payload, qos=1).wait_for_publish(5)
        publisher.loop_stop()
        publisher.disconnect()
        assert wait_until(lambda: source.messages == 3)
        assert wait_until(lambda: store.flush_due() >= 0 and len(readings_in(engine, "1-0:1.8.0")) == 1)
    finally:
        source.stop()
    assert pipeline.source.frames_bad == 2
    assert not any(math.isnan(row[3]) for row in readings_in(engine))


def _refused_by(dialect: str) -> RawReading:
    # A value or a length the database cannot hold, as a decoder bug could hand it over.
    if dialect == "sqlite":
        return RawReading("AID57000000", "1-0:1.8.0", T0 + 3600, math.nan, "kWh")
    return RawReading("AID57000000", "1-0:1.8.0-" + "x" * 40, T0 + 3600, 1.0, "kWh")


def _meter(url: str) -> None:
    with make_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES ('AID57000000', 'Aidon', 'M', 'electricity', true, '2026-01-01')"
            )
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rows.db'}"
        upgrade_to_head(url)
        return url
    return request.getfixturevalue("postgres_url")


def test_a_row_the_database_refuses_never_drops_its_batch(any_database_url: str, tmp_path: Path) -> None:
    if any_database_url.startswith("postgresql"):
        upgrade_to_head(any_database_url)
    _meter(any_database_url)
    engine = make_engine(any_database_url)
    store = ReadingStore(engine, tmp_path / "spool.jsonl", batch_size=1_000, refresh=None)
    source = store.source("replay:rows", "replay", "collected")
    good = [RawReading("AID57000000", "1-0:1.8.0", T0 + h * 3600, 100.0 + h, "kWh") for h in (0, 2, 3)]
    store.submit(source, [good[0], _refused_by(engine.dialect.name), *good[1:]])
    assert store.flush() == 4
    store.submit(source, [RawReading("AID57000000", "1-0:1.8.0", T0 + 4 * 3600, 104.0, "kWh")])
    store.flush()
    assert [(row[2], row[3]) for row in readings_in(engine)] == [
        (T0, 100.0),
        (T0 + 7200, 102.0),
        (T0 + 3 * 3600, 103.0),
        (T0 + 4 * 3600, 104.0),
    ]
    assert source.readings_stored == 4 and source.readings_rejected == 1
    assert "refused by the database" in source.last_error
    assert not store.spool.pending()
    engine.dispose()
