"""MQTT subscriptions (paho-mqtt, MQTT 5): HAN readers' JSON, hex frames and raw binary frames.

Each subscription is `FILTER` or `FILTER=FORMAT` with FORMAT one of `auto` (default), `json`,
`hex`, `raw`. In `auto`, a payload starting with `{` is JSON, one of only hex digits is a hex
frame, anything else raw bytes. The last topic level before a reader's own names is not assumed:
meters are identified by the ids inside the frames.

Several workers share one stream as a consumer group: with a group each filter is subscribed as
the shared subscription `$share/GROUP/FILTER`, and the broker hands each message to one member.
Nothing acknowledged is lost: every worker has a stable client id and a persistent session (clean
start off, a session expiry), subscribes with QoS 1 and acknowledges a message (paho's manual
acknowledgement) only once the readings it carried are committed or fsync'ed to the spool. A
worker that dies leaves its unacknowledged messages with the broker, which delivers them again;
the store is idempotent, so a second delivery is stored once.

Receiving and storing are decoupled: paho's network thread only puts messages in a bounded queue;
a store thread decodes them, hands their readings to the store and acknowledges them after the
commit. The broker sends at most Receive Maximum unacknowledged messages, so the queue (twice
that) never fills and the network loop never waits on the database.
"""

from __future__ import annotations

import logging
import socket
import string
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.client import PUBACK, PUBLISH, MQTTErrorCode, time_func
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.exception import MalformedPacket
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from app.clock import utcnow
from app.ingest.decoders import DecodeError
from app.ingest.han_json import decode_han_json
from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)
_HEX = frozenset(string.hexdigits.encode() + b" \r\n")
FORMATS = ("auto", "json", "hex", "raw")
# MQTT 5 reason code 0x8E: another connection took over this client id.
_SESSION_TAKEN_OVER = 142


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

    def subscribed_as(self, group: str | None) -> str:
        return f"$share/{group}/{self.topic_filter}" if group else self.topic_filter


def payload_kind(payload: bytes, declared: str) -> str:
    if declared != "auto":
        return declared
    stripped = payload.strip()
    if stripped.startswith(b"{"):
        return "json"
    if stripped and len(stripped) % 2 == 0 and all(byte in _HEX for byte in stripped):
        return "hex"
    return "raw"


def default_client_id(group: str | None, index: int = 0) -> str:
    """Stable across restarts and unique per process: host, group and the process's index."""
    return f"{socket.gethostname()}-{group or 'mqtt'}-{index}"


class _ReadAhead:
    """The broker connection read in large pieces: paho reads each packet's header byte by byte
    and waits in select() before every packet, some four system calls and a pass of its loop per
    message. This hands paho the bytes it asks for from one large read, and `pending()` (which
    paho asks of TLS sockets) tells its loop that more is already here. Anything else goes to
    the socket itself."""

    CHUNK = 256 * 1024

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self._position = 0

    def recv(self, size: int) -> bytes:
        if self._position >= len(self._buffer):
            # Raises as the socket does when nothing is there (paho expects BlockingIOError).
            self._buffer, self._position = self._sock.recv(max(size, self.CHUNK)), 0
        start = self._position
        self._position = min(len(self._buffer), start + size)
        return self._buffer[start : self._position]

    def take_packet(self) -> tuple[int, bytes] | None:
        """The next whole MQTT packet already read (its first byte and its body after the
        remaining length), or None when the buffer does not hold one whole packet (paho's own
        reader then goes on byte by byte, as before)."""
        buffer, start = self._buffer, self._position
        end = len(buffer)
        if end - start < 2:
            return None
        length, multiplier, position = 0, 1, start + 1
        while True:
            if position >= end or position - start > 4:
                return None  # incomplete, or malformed: paho's reader decides
            byte = buffer[position]
            position += 1
            length += (byte & 0x7F) * multiplier
            if not byte & 0x80:
                break
            multiplier *= 128
        if position + length > end:
            return None
        self._position = position + length
        return buffer[start], buffer[position : position + length]

    def pending(self) -> int:
        inner = getattr(self._sock, "pending", None)
        return len(self._buffer) - self._position + (inner() if inner is not None else 0)

    def fileno(self) -> int:
        return self._sock.fileno()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._sock, name)


def read_ahead(client: mqtt.Client) -> None:
    """Give `client`'s connection a `_ReadAhead` (from its on_connect: between two packets)."""
    sock = getattr(client, "_sock", None)
    if sock is not None and not isinstance(sock, _ReadAhead) and hasattr(sock, "recv"):
        client._sock = _ReadAhead(sock)  # type: ignore[assignment]


_PUBACK = struct.Struct("!BBH")
_PACKETS_PER_READ = 2_000  # whole packets taken from the read-ahead per turn of paho's loop
# An MQTT 5 PUBLISH with QoS 0 or 1 (QoS 2 goes through paho, which keeps its PUBREL state).
_FAST_PUBLISH_QOS = (0, 1)
PublishSink = Callable[[int, int, str, bytes], None]


class IngestClient(mqtt.Client):
    """paho's MQTT 5 client, with the worker's receive path cut short (issue 25).

    paho spends some 50 µs of CPU on each received message: a select() and a pass of its loop per
    packet, the header read byte by byte, an MQTT 5 Properties object built and cleared, an
    MQTTMessage, the topic matched against per-topic callbacks, two locks. Here, while the
    read-ahead holds whole packets, each turn of the loop takes up to `_PACKETS_PER_READ` of them
    from the buffer at once, and a PUBLISH of QoS 0 or 1 is split in place (topic, packet id,
    properties skipped, payload) and handed to `publish_sink`: the same four things on_message
    would have read. Anything else (CONNACK, SUBACK, PINGRESP, QoS 2, a topic alias, a packet
    split across reads) goes through paho's own code, unchanged. Acknowledging stays manual: the
    sink's owner sends the PUBACK after the readings are committed."""

    publish_sink: PublishSink | None = None
    # Called once per turn of the loop after the sink was given messages (wakes the store thread).
    after_read: Callable[[], None] | None = None

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        sock = self._sock
        sink = self.publish_sink
        if not isinstance(sock, _ReadAhead) or sink is None or self._protocol != mqtt.MQTTv5:
            return super().loop_read(max_packets)
        handed = 0
        try:
            for _ in range(_PACKETS_PER_READ):
                # In the middle of a packet, paho finishes it itself.
                packet = None if self._in_packet["command"] else sock.take_packet()
                if packet is None:
                    # Nothing whole buffered: paho reads (and refills the read-ahead) as before.
                    rc = super().loop_read(max_packets)  # an error is handled in there
                    if rc or self._sock is None or not sock.pending():
                        return rc
                    continue
                command, body = packet
                if (
                    command & 0xF0 == PUBLISH
                    and (command & 0x06) >> 1 in _FAST_PUBLISH_QOS
                    and self._sink_publish(command, body, sink)
                ):
                    handed += 1
                    continue
                rc = self._handle_whole_packet(command, body)
                if rc:
                    return self._loop_rc_handle(rc)
                if self._sock is None:
                    return MQTTErrorCode.MQTT_ERR_NO_CONN
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        finally:
            if handed:
                with self._msgtime_mutex:
                    self._last_bytes_received = time_func()
                if self.after_read is not None:
                    self.after_read()

    def _sink_publish(self, command: int, body: bytes, sink: PublishSink) -> bool:
        """Hand a QoS 0/1 PUBLISH to the sink; False when paho must handle it (a topic alias,
        a malformed packet: paho says what is wrong with it)."""
        qos = (command & 0x06) >> 1
        topic_end = 2 + int.from_bytes(body[:2], "big")
        position = topic_end + (2 if qos else 0)
        if topic_end == 2 or position >= len(body):
            return False
        properties, shift, byte = 0, 0, 0x80
        while byte & 0x80:
            if position >= len(body) or shift > 21:
                return False
            byte = body[position]
            position += 1
            properties |= (byte & 0x7F) << shift
            shift += 7
        payload_start = position + properties
        if payload_start > len(body):
            return False
        try:
            topic = body[2:topic_end].decode("utf-8")
        except UnicodeDecodeError:
            return False
        mid = int.from_bytes(body[topic_end : topic_end + 2], "big") if qos else 0
        sink(mid, qos, topic, body[payload_start:])
        return True

    def _handle_whole_packet(self, command: int, body: bytes) -> MQTTErrorCode:
        """What paho's `_packet_read` does once it has read a whole packet."""
        self._in_packet = {
            "command": command,
            "have_remaining": 1,
            "remaining_count": [],
            "remaining_mult": 1,
            "remaining_length": len(body),
            "packet": bytearray(body),
            "to_process": 0,
            "pos": 0,
        }
        try:
            rc = self._packet_handle()
        except MalformedPacket as error:
            self._easy_log(mqtt.MQTT_LOG_DEBUG, "Received malformed packet: %s", error)
            rc = MQTTErrorCode.MQTT_ERR_PROTOCOL
        self._in_packet = {
            "command": 0,
            "have_remaining": 0,
            "remaining_count": [],
            "remaining_mult": 1,
            "remaining_length": 0,
            "packet": bytearray(b""),
            "to_process": 0,
            "pos": 0,
        }
        with self._msgtime_mutex:
            self._last_bytes_received = time_func()
        return rc


def acknowledge_many(client: mqtt.Client, mids: list[int]) -> None:
    """PUBACK each QoS 1 message of `mids`, written to the socket at once: `client.ack` queues
    one packet and wakes paho's loop for every message, and its loop sends each on its own.
    The packets are the same (MQTT 5 lets a PUBACK of success omit its reason code, as paho's
    own does)."""
    if not mids:
        return
    packets = b"".join([_PUBACK.pack(PUBACK, 2, mid) for mid in mids])
    client._packet_queue(PUBACK, packets, 0, 0)  # type: ignore[attr-defined]


@dataclass(slots=True)
class _Received:
    connection: int  # which connection it came on: an acknowledgement is sent on that one only
    mid: int
    qos: int
    topic: str
    payload: bytes


class MqttSource:
    def __init__(
        self,
        url: str,
        subscriptions: list[Subscription],
        pipeline: FramePipeline,
        client_id: str = "",
        *,
        group: str | None = None,
        session_expiry: int = 3600,
        receive_maximum: int | None = None,
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError("the broker URL must look like mqtt://host:1883")
        if group is not None and (not group or any(c in group for c in "/+#")):
            raise ValueError("a group name is not empty and holds no '/', '+' or '#'")
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (8883 if parsed.scheme == "mqtts" else 1883)
        self.subscriptions = subscriptions
        self.pipeline = pipeline
        self.group = group
        self.client_id = client_id or default_client_id(group)
        self.session_expiry = session_expiry
        # At most this many unacknowledged messages in flight: one batch's worth (every message
        # carries at least one reading, so a full window always fills a batch and is flushed).
        self.receive_maximum = max(1, min(65_535, receive_maximum or pipeline.store.batch_size))
        self.messages = 0
        self.subscribed = threading.Event()
        # Received, not yet taken by the store thread: appended by paho's network thread, taken
        # by the store thread (a deque's append and popleft are atomic); `_ready` wakes the store
        # thread once per read of the network thread, and the network thread waits on it only
        # when the broker sent beyond Receive Maximum.
        self._received: deque[_Received] = deque()
        self._queue_limit = 2 * self.receive_maximum
        self._ready = threading.Condition()
        self._network_waiting = False
        # Handled messages not yet acknowledged, each with the store's mark after its readings.
        self._unacknowledged: list[tuple[_Received, int]] = []
        self._formats: dict[str, str] = {}  # topic -> its subscription's payload format
        self._connection = 0
        self._stop = threading.Event()
        self._store_thread: threading.Thread | None = None
        self.client = IngestClient(
            CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5, manual_ack=True
        )
        self.client.publish_sink = self._on_publish
        self.client.after_read = self._wake_store
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        if parsed.scheme == "mqtts":
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        # Back soon after a broker restart: Mosquitto 2.0 does not restore shared subscriptions,
        # so until a group's members have subscribed again its messages have nowhere to go.
        self.client.reconnect_delay_set(0.2, 5)

    # -- paho's network thread: never waits on the database ----------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            self.pipeline.source.set_state("refused", str(reason_code))
            log.warning("MQTT %s:%s refused the connection: %s", self.host, self.port, reason_code)
            return
        self._connection += 1
        read_ahead(client)
        self.pipeline.source.set_state("connected")
        log.info(
            "MQTT connected to %s:%s as %s (session present: %s)",
            self.host,
            self.port,
            self.client_id,
            flags.session_present,
        )
        # Every time: a broker that restarted may have lost the (shared) subscriptions.
        options = SubscribeOptions(qos=1)
        client.subscribe([(s.subscribed_as(self.group), options) for s in self.subscriptions])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
        refused = [str(code) for code in reason_codes if code.is_failure]
        if refused:
            self.pipeline.source.set_state("refused", f"subscription refused: {', '.join(refused)}")
            log.error("MQTT %s:%s refused the subscription: %s", self.host, self.port, refused)
            return
        self.pipeline.source.set_state("subscribed")
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.subscribed.clear()
        self.pipeline.source.set_state("disconnected", str(reason_code))
        if reason_code == _SESSION_TAKEN_OVER:
            log.error(
                "MQTT client id %s is used by another worker too: give each its own (--index or --client-id)",
                self.client_id,
            )
        else:
            log.warning("MQTT disconnected from %s:%s: %s", self.host, self.port, reason_code)

    def _on_message(self, client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        # paho's own path: what the fast path leaves to it (QoS 2, a topic alias).
        self._on_publish(message.mid, message.qos, message.topic, message.payload)
        self._wake_store()

    def _on_publish(self, mid: int, qos: int, topic: str, payload: bytes) -> None:
        self.messages += 1
        self._received.append(_Received(self._connection, mid, qos, topic, payload))

    def _wake_store(self) -> None:
        with self._ready:
            self._ready.notify()
            # Only if the broker ignored Receive Maximum; the store thread empties it meanwhile.
            while len(self._received) >= self._queue_limit and not self._stop.is_set():
                self._network_waiting = True
                self._ready.wait(0.2)
            self._network_waiting = False

    # -- the store thread -----------------------------------------------------------------------

    def process_queued(self, wait: float = 0.0) -> int:
        """Decode and store what is queued (waiting up to `wait` for the first message), then
        acknowledge every message whose readings the store has acknowledged. Returns messages taken."""
        received = self._received
        if not received and wait > 0:
            with self._ready:
                if not received:
                    self._ready.wait(wait)
        taken = min(len(received), self.receive_maximum)
        if taken:
            # Counted once per pass, rather than under a lock per message on paho's thread, and
            # before their readings are handed on: a flush that stores them counts them too.
            self.pipeline.source.message_received(count=taken)
            for _ in range(taken):
                self._handle(received.popleft())
            if self._network_waiting:
                with self._ready:
                    self._ready.notify_all()
        self.pipeline.store.flush_due()
        self._acknowledge_stored()
        return taken

    def _handle(self, item: _Received) -> None:
        try:
            self.handle_payload(item.topic, item.payload)
        except Exception as error:
            # A poison message is counted and acknowledged: it never blocks its topic or group.
            self.pipeline.source.frame_bad(f"message on {item.topic[:60]} failed: {type(error).__name__}")
            log.exception("MQTT message on %s could not be handled", item.topic)
        self._unacknowledged.append((item, self.pipeline.store.submitted_mark()))

    def _acknowledge_stored(self) -> None:
        if not self._unacknowledged:
            return
        through = self.pipeline.store.acknowledged_mark()
        current = self._connection
        done = 0
        stored: list[int] = []
        for item, mark in self._unacknowledged:
            if mark > through:
                break  # its readings (or some before them) are not committed or spooled yet
            # One from an earlier connection is delivered again on this one (same session):
            # its new copy is acknowledged when it has gone through the store.
            if item.connection == current:
                if item.qos == 1:
                    stored.append(item.mid)
                elif item.qos:
                    self.client.ack(item.mid, item.qos)
            done += 1
        self.acknowledge(stored)
        del self._unacknowledged[:done]

    def acknowledge(self, mids: list[int]) -> None:
        """PUBACK these QoS 1 messages of the current connection (their readings are stored)."""
        acknowledge_many(self.client, mids)

    def _store_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.process_queued(wait=0.2)
            except Exception:
                log.exception("MQTT store loop failed; going on")
        # Stopping: whatever was received goes through the store and is acknowledged.
        while self.process_queued():
            pass
        self.pipeline.store.flush()
        self._acknowledge_stored()

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
            return pipeline.handle_decoded(frame, now)
        if kind == "hex":
            try:
                data = bytes.fromhex(payload.decode("ascii"))
            except ValueError:
                pipeline.source.frame_bad("bad hex payload")
                return 0
            return pipeline.handle_frame(data, now)
        return pipeline.handle_frame(payload, now)

    def _format_for(self, topic: str) -> str:
        known = self._formats.get(topic)
        if known is not None:
            return known
        payload_format = next(
            (s.payload_format for s in self.subscriptions if mqtt.topic_matches_sub(s.topic_filter, topic)),
            "auto",
        )
        if len(self._formats) >= 100_000:  # one topic per reader: bounded all the same
            self._formats.clear()
        self._formats[topic] = payload_format
        return payload_format

    # -- life -----------------------------------------------------------------------------------

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = self.receive_maximum
        self._stop.clear()
        self._store_thread = threading.Thread(target=self._store_loop, name="mqtt-store", daemon=True)
        self._store_thread.start()
        self.client.connect_async(
            self.host, self.port, keepalive=30, clean_start=False, properties=properties
        )
        self.client.loop_start()

    def stop(self) -> None:
        # Store and acknowledge what arrived, then leave; the session keeps the subscriptions.
        self._stop.set()
        if self._store_thread is not None:
            self._store_thread.join(timeout=60)
        self.client.disconnect()
        self.client.loop_stop()
        self.pipeline.store.flush()
