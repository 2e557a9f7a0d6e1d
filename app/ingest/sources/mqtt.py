"""MQTT subscriptions (paho-mqtt): HAN readers' JSON, hex frames and raw binary frames per topic.

Each subscription is `FILTER` or `FILTER=FORMAT` with FORMAT one of `auto` (default), `json`,
`hex`, `raw`. In `auto`, a payload starting with `{` is JSON, one of only hex digits is a hex
frame, anything else raw bytes. The last topic level before a reader's own names is not assumed:
meters are identified by the ids inside the frames.
"""

from __future__ import annotations

import logging
import string
import threading
from dataclasses import dataclass
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from app.clock import utcnow
from app.ingest.decoders import DecodeError
from app.ingest.han_json import decode_han_json
from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)
_HEX = frozenset(string.hexdigits.encode() + b" \r\n")
FORMATS = ("auto", "json", "hex", "raw")


@dataclass(frozen=True, slots=True)
class Subscription:
    topic_filter: str
    payload_format: str = "auto"

    @classmethod
    def parse(cls, text: str) -> Subscription:
        topic, _, payload_format = text.partition("=")
        payload_format = payload_format or "auto"
        if payload_format not in FORMATS:
            raise ValueError(f"unknown payload format {payload_format!r} (one of {', '.join(FORMATS)})")
        return cls(topic, payload_format)


def payload_kind(payload: bytes, declared: str) -> str:
    if declared != "auto":
        return declared
    stripped = payload.strip()
    if stripped.startswith(b"{"):
        return "json"
    if stripped and len(stripped) % 2 == 0 and all(byte in _HEX for byte in stripped):
        return "hex"
    return "raw"


class MqttSource:
    def __init__(self, url: str, subscriptions: list[Subscription], pipeline: FramePipeline,
                 client_id: str = "") -> None:  # fmt: skip
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError("the broker URL must look like mqtt://host:1883")
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (8883 if parsed.scheme == "mqtts" else 1883)
        self.subscriptions = subscriptions
        self.pipeline = pipeline
        self.messages = 0
        self.subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        if parsed.scheme == "mqtts":
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.reconnect_delay_set(1, 60)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            self.pipeline.source.set_state("refused", str(reason_code))
            log.warning("MQTT %s:%s refused the connection: %s", self.host, self.port, reason_code)
            return
        self.pipeline.source.set_state("connected")
        log.info("MQTT connected to %s:%s", self.host, self.port)
        client.subscribe([(s.topic_filter, 1) for s in self.subscriptions])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.subscribed.clear()
        self.pipeline.source.set_state("disconnected", str(reason_code))
        log.warning("MQTT disconnected from %s:%s: %s", self.host, self.port, reason_code)

    def _format_for(self, topic: str) -> str:
        for subscription in self.subscriptions:
            if mqtt.topic_matches_sub(subscription.topic_filter, topic):
                return subscription.payload_format
        return "auto"

    def _on_message(self, client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        self.messages += 1
        try:
            self.handle_payload(message.topic, message.payload)
        except Exception as error:
            # An exception here would end paho's network thread: the subscription would go quiet
            # while the process lives on. Every message is counted and the next one is read.
            self.pipeline.source.frame_bad(f"message on {message.topic[:60]} failed: {type(error).__name__}")
            log.exception("MQTT message on %s could not be handled", message.topic)

    def handle_payload(self, topic: str, payload: bytes) -> int:
        now = utcnow()
        kind = payload_kind(payload, self._format_for(topic))
        pipeline = self.pipeline
        if kind == "json":
            try:
                frame = decode_han_json(payload)
            except DecodeError as error:
                pipeline.source.frame_bad(str(error))
                return 0
            queued = pipeline.handle_decoded(frame, now)
        elif kind == "hex":
            try:
                data = bytes.fromhex(payload.decode("ascii"))
            except ValueError:
                pipeline.source.frame_bad("bad hex payload")
                return 0
            queued = pipeline.handle_frame(data, now)
        else:
            queued = pipeline.handle_frame(payload, now)
        pipeline.store.flush_due()
        return queued

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.pipeline.store.flush()
