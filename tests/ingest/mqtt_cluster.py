"""Servers the worker's fault tests break on purpose, each the test's own: a Mosquitto on a free
port with its own configuration and persistence, a TCP proxy in front of PostgreSQL that the test
cuts and restores, and `python -m app.ingest mqtt` worker processes it can kill."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.local_servers import free_port

REPO = Path(__file__).resolve().parents[2]


def mosquitto_or_skip() -> str:
    """The mosquitto binary; the tests that need one skip (naming the variable) without it."""
    if not os.environ.get("TEST_MQTT_URL"):
        pytest.skip(
            "MQTT fault tests need TEST_MQTT_URL (a machine with Mosquitto, e.g. mqtt://127.0.0.1:1883)"
        )
    binary = shutil.which("mosquitto") or next(
        (path for path in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(path)), None
    )
    if binary is None:
        pytest.skip("MQTT fault tests need the mosquitto binary (TEST_MQTT_URL is set, mosquitto not found)")
    return binary


class OwnMosquitto:
    """A Mosquitto 2 broker of one test: persistence on, queues large enough to lose nothing."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "autosave_interval 1\n"
            # Mosquitto drops QoS 1 messages beyond 1,000 queued per client by default.
            "max_queued_messages 0\n"
            "max_inflight_messages 0\n"
            # Run as root (CI), Mosquitto would switch to its own user, who cannot write here.
            + ("user root\n" if os.geteuid() == 0 else "")
            + "log_type error\nlog_type warning\nlog_type notice\n"
            f"log_dest file {directory}/mosquitto.log\n"
        )

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start on {self.port}: {self.log()}")

    def stop(self) -> None:
        # SIGTERM: Mosquitto writes its persistence file on the way out.
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


class TcpProxy:
    """Forwards 127.0.0.1:port to a server; `cut()` drops every connection and refuses new ones
    (accepted and closed at once) until `restore()`: the server itself is never touched."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open = True
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        with self._lock:
            self._sockets.difference_update((source, sink))

    def cut(self) -> None:
        self._open = False
        with self._lock:
            live = list(self._sockets)
        for end in live:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._open = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()


def proxied_url(url: str, proxy: TcpProxy) -> str:
    """`url` (postgresql://user@host:port/db?…) with its host and port replaced by the proxy's."""
    scheme, rest = url.split("://", 1)
    credentials, _, location = rest.rpartition("@")
    _, _, path = location.partition("/")
    return f"{scheme}://{credentials + '@' if credentials else ''}127.0.0.1:{proxy.port}/{path}"


def start_worker(
    *,
    database_url: str,
    broker_url: str,
    topic: str,
    group: str,
    index: int,
    spool_dir: Path,
    log_path: Path,
    batch: int = 200,
    payload_format: str = "json",
) -> subprocess.Popen:
    """One `python -m app.ingest mqtt` process of the group, as a supervisor starts it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INGEST_SPOOL_DIR": str(spool_dir),
        "INGEST_AUTO_CREATE_METERS": "1",
        "AUTH_SECRET": "fault-tests-spool-secret-0123456789abcdef",
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable,
        "-m",
        "app.ingest",
        "mqtt",
        "--url",
        broker_url,
        "--topic",
        f"{topic}/#={payload_format}",
        "--source",
        "collected",
        "--group",
        group,
        "--client-id",
        f"fault-{group}-{index}",
        "--batch",
        str(batch),
        "--heartbeat",
        "1",
    ]
    with log_path.open("ab") as log:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_worker(process: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reading_message(meter: str, ts: int, kwh: float) -> bytes:
    """An AMS reader's JSON: one cumulative energy reading of `meter` at `ts`."""
    return json.dumps({"data": {"id": meter, "tPI": kwh, "rtc": ts}}).encode()


class Publisher:
    """A HAN reader side: QoS 1, a persistent session, so nothing is lost while the broker is away."""

    def __init__(self, port: int, client_id: str, reconnect_after: float = 0.2) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(reconnect_after, max(1, reconnect_after))
        self.connected = threading.Event()
        self.client.on_connect = lambda *args: self.connected.set()
        self.client.on_disconnect = lambda *args: self.connected.clear()
        self.client.connect("127.0.0.1", port, clean_start=False)
        self.client.loop_start()
        if not self.connected.wait(10):
            raise RuntimeError("the publisher could not connect")
        self.infos: list[mqtt.MQTTMessageInfo] = []

    def publish(self, topic: str, payload: bytes) -> None:
        """Publish; while the broker is away, wait for it (as a reader buffers) and publish then."""
        while True:
            self.connected.wait(60)
            info = self.client.publish(topic, payload, qos=1)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                self.infos.append(info)
                return
            time.sleep(0.05)

    def wait_all_published(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(info.is_published() for info in self.infos):
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
