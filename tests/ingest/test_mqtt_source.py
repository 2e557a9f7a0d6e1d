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


def _publish(topic: str, mid: int, payload: bytes, qos: int = 1, properties: bytes = b"") -> bytes:
    """An MQTT 5 PUBLISH as a broker sends it (properties: their bytes, after their length)."""
    name = topic.encode()
    body = len(name).to_bytes(2, "big") + name + (mid.to_bytes(2, "big") if qos else b"")
    body += bytes([len(properties)]) + properties + payload
    length, remaining = bytearray(), len(body)
    while True:
        remaining, digit = divmod(remaining, 128)
        length.append(digit | (0x80 if remaining else 0))
        if not remaining:
            return bytes([0x30 | qos << 1]) + bytes(length) + body


def test_whole_publish_packets_are_taken_from_the_read_ahead_in_one_turn_and_the_rest_left_to_paho():
    """The worker's receive path (issue 25): every whole QoS 0/1 PUBLISH already read goes to the
    sink in one turn of paho's loop (paho itself reads one packet per turn), with its packet id,
    topic and payload exactly; properties are skipped; QoS 2 (answered with PUBREC, delivered at
    PUBREL), a PINGRESP and a packet that arrives in two pieces go through paho's own code."""
    from app.ingest.sources.mqtt import IngestClient, _ReadAhead

    ours, broker = socket.socketpair()
    ours.setblocking(False)
    client = IngestClient(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5, manual_ack=True)
    received: list[tuple[int, int, str, bytes]] = []
    client.publish_sink = lambda mid, qos, topic, payload: received.append((mid, qos, topic, payload))
    client.on_message = lambda c, u, m: received.append((m.mid, m.qos, m.topic, m.payload))
    turns: list[int] = []
    client.after_read = lambda: turns.append(len(received))
    client._sock = _ReadAhead(ours)  # type: ignore[assignment]
    expected = [(n + 1, 1, f"ams/{n}", b"\x7e" + bytes([n % 256]) * (n % 300) + b"\x7e") for n in range(500)]
    stream = b"".join(_publish(topic, mid, payload) for mid, _, topic, payload in expected)
    # A payload-format and a user property: skipped, the payload is what follows them.
    expected.append((501, 1, "ams/props", b"with properties"))
    stream += _publish("ams/props", 501, b"with properties", properties=b"\x01\x00&\x00\x01k\x00\x01v")
    expected.append((0, 0, "ams/qos0", b"at most once"))
    stream += _publish("ams/qos0", 0, b"at most once", qos=0)
    stream += b"\xd0\x00"  # PINGRESP
    stream += _publish("ams/qos2", 502, b"exactly once", qos=2)
    broker.sendall(stream)
    assert client.loop_read() == mqtt.MQTT_ERR_SUCCESS
    assert received == expected and turns == [len(expected)]  # one turn of the loop for them all
    assert broker.recv(100) == b"\x50\x02\x01\xf6"  # paho's PUBREC for the QoS 2 message (502)

    split = _publish("ams/split", 503, b"a payload split between two reads")
    broker.sendall(split[:9])
    client.loop_read()
    assert received == expected  # not whole yet: paho holds its first bytes
    broker.sendall(split[9:] + _publish("ams/after", 504, b"next"))
    client.loop_read()
    assert received[len(expected) :] == [
        (503, 1, "ams/split", b"a payload split between two reads"),
        (504, 1, "ams/after", b"next"),
    ]
    client._sock = None
    ours.close()
    broker.close()
