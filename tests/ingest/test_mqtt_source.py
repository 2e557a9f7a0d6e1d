"""The MQTT source against a real local broker (Mosquitto on 127.0.0.1:1883 in CI)."""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pytest
from ingest_factories import readings_in, wait_until
from paho.mqtt.enums import CallbackAPIVersion

from app.ingest.frame_builders import HeatMeterState, han_list3_apdu, hdlc_frame, wmbus_heat_telegram
from app.ingest.sources.mqtt import MqttSource, Subscription, payload_kind
from app.ingest.worker import FramePipeline

BROKER = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def _broker_or_skip() -> tuple[str, int]:
    host, port = "127.0.0.1", 1883
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        pytest.skip(f"no MQTT broker reachable on {host}:{port}")
    return host, port


def test_payload_kinds():
    assert payload_kind(b'{"a": 1}', "auto") == "json"
    assert payload_kind(b"7ea0", "auto") == "hex"
    assert payload_kind(b"\x7e\xa0", "auto") == "raw"
    assert payload_kind(b"7ea0", "raw") == "raw"
    with pytest.raises(ValueError):
        Subscription.parse("a/#=xml")


def test_json_hex_and_raw_messages_from_the_broker_are_stored(store, engine, meters):
    host, port = _broker_or_skip()
    prefix = f"meterportal-test/{uuid.uuid4().hex[:8]}"
    pipeline = FramePipeline(store, store.source(f"mqtt:{prefix}", "mqtt", "collected"))
    source = MqttSource(
        BROKER, [Subscription.parse(f"{prefix}/ams/+"), Subscription.parse(f"{prefix}/raw/#=raw")], pipeline
    )
    source.start()
    try:
        assert source.subscribed.wait(5), "no SUBACK from the broker"
        publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
        publisher.connect(host, port)
        publisher.loop_start()
        clock = datetime(2026, 2, 1, 12, tzinfo=UTC)
        ams = {
            "id": "reader-1",
            "data": {"id": "AID57000000", "P": 1234, "tPI": 4321.5, "rtc": int(clock.timestamp())},
        }
        frame = hdlc_frame(
            han_list3_apdu("AID57000000", datetime(2026, 2, 1, 13, tzinfo=UTC), 4_322_750, 1250)
        )
        telegram = wmbus_heat_telegram("57000074", HeatMeterState(777_000, 10, 60.0, 40.0), None, 3)
        for topic, payload in (
            (f"{prefix}/ams/json", json.dumps(ams).encode()),
            (f"{prefix}/ams/hex", frame.hex().encode()),
            (f"{prefix}/raw/wmbus", telegram),
            (f"{prefix}/ams/json", b"{not json"),
        ):
            publisher.publish(topic, payload, qos=1).wait_for_publish(5)
        publisher.loop_stop()
        publisher.disconnect()
        assert wait_until(lambda: source.messages == 4)
        assert wait_until(lambda: store.flush_due() >= 0 and len(readings_in(engine, "1-0:1.8.0")) == 2)
    finally:
        source.stop()
    energy = readings_in(engine, "1-0:1.8.0")
    assert [(row[2], row[3]) for row in energy] == [
        (int(clock.timestamp()), 4321.5),
        (int(clock.timestamp()) + 3600, 4322.75),
    ]
    assert readings_in(engine, "heat_energy")[0][3] == 777.0
    assert readings_in(engine, "1-0:1.7.0")[0][3] == 1.234
    assert pipeline.source.frames_bad == 1
