"""MQTT ingestion with 1, 2 and 4 workers of one consumer group: messages per second from the
broker to committed readings, and latency from publish to committed (issue 25).

Everything runs on this machine: a Mosquitto of the benchmark's own (free port, persistence on),
PostgreSQL (a private schema, dropped afterwards), the publisher and N `python -m app.ingest mqtt
--group` worker processes. Each message is an HDLC frame with the hourly list 3 (Aidon), encrypted
and authenticated (general-glo-ciphering, AES-128-GCM) with its meter's own key, as a real meter
sends it; the workers open the keys from the key table and store 3 readings per frame, and
store them as the customers' HAN data (each customer consented), as in production (HAN data is
never folded into the billing-grade hourly values, so no roll-up is refreshed after it).

- Capacity: the workers subscribe once (their persistent sessions stay with the broker), stop;
  N frames are published while they are away; they start again and drain them. Messages/s =
  frames from the first committed reading to the last (so the publisher's own cost and the
  workers' start-up are not counted).
- Latency: the workers running, frames published at a fixed rate below capacity; each frame's
  commit time is seen by polling the committed rows every 50 ms (which adds up to 50 ms).

- Soak (`--soak MINUTES`): `--soak-workers` workers (default 2) at `--latency-rate` (default 200
  frames/s): each worker's RSS after the warm-up and at the end, and frames published against
  frames committed (nothing lost when they are equal; the store is idempotent, so never more).
- Profile (`--profile FRAMES`): the worker's own path from the bytes of the broker's PUBLISH
  packets (read by the worker's paho client from a scripted connection) to committed readings and
  their PUBACKs, in this process without system calls: CPU per frame, and cProfile's costliest
  functions (CPU time, so the machine's load counts least).

Run: `.venv/bin/python bench/mqtt_scale.py [--frames 20000] [--workers 1 2 4] [--database postgresql://…]`
     `.venv/bin/python bench/mqtt_scale.py --soak 30 --latency-rate 800`
     `.venv/bin/python bench/mqtt_scale.py --profile 6000`
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_WORKDIR = Path(tempfile.mkdtemp(prefix="mqtt-scale-"))
os.environ.setdefault("MASTER_KEY_FILE", str(_WORKDIR / "master.key"))
os.environ.setdefault("AUTH_SECRET", uuid.uuid4().hex * 2)

import paho.mqtt.client as mqtt  # noqa: E402
import psutil  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.ingest.frame_builders import glo_cipher, han_list3_apdu, hdlc_frame  # noqa: E402
from app.migrate import upgrade_to_head  # noqa: E402
from app.models import Customer, CustomerRelationship, Meter, Organisation, OrganisationKind  # noqa: E402
from app.services.customer.han_readers import connect_han_reader  # noqa: E402
from app.services.keys.sealing import add_key  # noqa: E402

METERS = 500
T0 = 1_777_593_600  # 2026-05-01 00:00 UTC
AUTH = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Broker:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        config = directory / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {directory}/\nmax_queued_messages 0\nmax_inflight_messages 0\n"
            + ("user root\n" if os.geteuid() == 0 else "")
        )
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = subprocess.Popen(
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _meter(index: int) -> tuple[str, bytes, bytes]:
    """Serial, system title and encryption key of meter `index`."""
    return f"AID{70000000 + index}", b"AIDM" + index.to_bytes(4, "big"), (index + 1).to_bytes(16, "big")


STREAM = "han-readers"  # the workers' --name: what the customers' HAN consents name


def _add_meters(engine) -> None:  # type: ignore[no-untyped-def]
    """The meters, each with its key, a customer and the customer's consent to store HAN data."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES (:serial, 'Aidon', '6525', 'electricity', true, :now)"
            ),
            [{"serial": _meter(i)[0], "now": now} for i in range(METERS)],
        )
    with Session(engine) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY)
        db.add(grid)
        db.flush()
        meter_ids = dict(db.exec(select(Meter.serial, Meter.id)).all())  # type: ignore[call-overload]
        for i in range(METERS):
            serial, title, key = _meter(i)
            add_key(db, serial, key, AUTH, system_title=title)
            customer = Customer(name=f"Kunde {i}")
            db.add(customer)
            db.flush()
            relationship = CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid.id,
                installation_number=str(i),
                metering_point_id=f"7070575{i:011d}",
                address="Storgata 1",
                postcode="7010",
                city="Trondheim",
                meter_id=meter_ids[serial],
            )
            db.add(relationship)
            db.flush()
            connect_han_reader(db, relationship.id, STREAM, "I agree that my HAN data is stored for me.")
        db.commit()


def _frames(first: int, count: int) -> list[bytes]:
    """Frames number first..first+count: meter n % METERS, its clock 10 s later each round."""
    frames = []
    for n in range(first, first + count):
        serial, title, key = _meter(n % METERS)
        clock = datetime.fromtimestamp(T0 + 10 * (n // METERS), UTC)
        apdu = han_list3_apdu(serial, clock, 4_000_000 + n, 1000 + n % 500)
        frames.append(hdlc_frame(glo_cipher(apdu, title, key, AUTH, n + 1)))
    return frames


def _frame_number(meter_id: int, ts: int, first_meter_id: int) -> int:
    return (ts - T0) // 10 * METERS + (meter_id - first_meter_id)


class Publisher:
    """QoS 1 publishes, counted as sent and as acknowledged (PUBACK) by the broker.

    `close` waits for the acknowledgements first: paho holds what is beyond its in-flight window
    in its own queue, and a disconnect drops that queue unsent. A soak that closed at once after
    its last publish, with the broker behind at load 30, counted 7,568 frames as published that
    had never left the publisher, and then waited for them in vain (README, "Measured")."""

    def __init__(self, port: int) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5
        )
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(2000)
        self.sent = 0
        self.acknowledged = 0
        self.client.on_publish = self._acknowledged
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _acknowledged(self, client, userdata, mid, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.acknowledged += 1  # paho's network thread only

    def publish(self, topic: str, payload: bytes) -> mqtt.MQTTMessageInfo:
        self.sent += 1
        return self.client.publish(topic, payload, qos=1)

    def close(self, patience: float = 120) -> None:
        """Disconnect once the broker has acknowledged every publish (or after `patience`
        seconds without a new acknowledgement)."""
        last, progress_at = self.acknowledged, time.monotonic()
        while self.acknowledged < self.sent and time.monotonic() - progress_at < patience:
            time.sleep(0.05)
            if self.acknowledged > last:
                last, progress_at = self.acknowledged, time.monotonic()
        self.client.disconnect()
        self.client.loop_stop()


def _start_workers(
    count: int, database_url: str, port: int, group: str, topic: str, spool: Path, logs: Path
) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INGEST_SPOOL_DIR": str(spool),
        "PYTHONPATH": str(ROOT),
    }
    workers = []
    for index in range(count):
        command = [
            sys.executable,
            "-m",
            "app.ingest",
            "mqtt",
            "--url",
            f"mqtt://127.0.0.1:{port}",
            "--topic",
            f"{topic}/#=raw",
            "--source",
            "han",
            "--name",
            STREAM,
            "--group",
            group,
            "--client-id",
            f"bench-{group}-{index}",
            "--heartbeat",
            "1",
        ]
        with (logs / f"{group}-{index}.log").open("ab") as log:
            workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    return workers


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()


def _subscribed(engine, group: str, count: int) -> bool:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return (
            connection.execute(
                text("SELECT count(*) FROM ingest_source WHERE group_name = :g AND state = 'subscribed'"),
                {"g": group},
            ).scalar_one()
            >= count
        )


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _committed(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM reading WHERE register_code = '1-0:1.8.0'")
        return connection.execute(query).scalar_one()


def _cpu_seconds(processes: list[subprocess.Popen]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = psutil.Process(process.pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on this machine (the server is shared, so this counts the
    other users of the machine too: an upper bound of the benchmark's share)."""
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("postgres", "postmaster"):
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    return total


def run_capacity(
    engine, database_url: str, broker: Broker, workers: int, frames: int, first: int, logs: Path
) -> dict:
    group, topic = f"cap{workers}-{uuid.uuid4().hex[:4]}", f"bench-{uuid.uuid4().hex[:6]}"
    processes = _start_workers(workers, database_url, broker.port, group, topic, _WORKDIR / "spool", logs)
    if not _wait(lambda: _subscribed(engine, group, workers), 120):
        raise RuntimeError(f"workers did not subscribe; see {logs}")
    _stop(processes)
    publisher = Publisher(broker.port)
    payloads = _frames(first, frames)
    infos = [publisher.publish(f"{topic}/ams/{n % METERS}", payload) for n, payload in enumerate(payloads)]
    for info in infos:
        info.wait_for_publish(120)
    publisher.close()
    before = _committed(engine)
    load_before = os.getloadavg()[0]
    processes = _start_workers(workers, database_url, broker.port, group, topic, _WORKDIR / "spool", logs)
    first_seen = last_seen = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done = _committed(engine) - before
        now = time.monotonic()
        if done and first_seen is None:
            first_seen, first_count = now, done
            cpu_at_first = _cpu_seconds(processes)  # start-up (imports, keys) not counted
            broker_at_first = _cpu_seconds([broker.process])
            postgres_at_first = _postgres_cpu_seconds()
        if done >= frames:
            last_seen = now
            break
        time.sleep(0.05)
    cpu = _cpu_seconds(processes) - cpu_at_first
    broker_cpu = _cpu_seconds([broker.process]) - broker_at_first
    postgres_cpu = _postgres_cpu_seconds() - postgres_at_first
    load_after = os.getloadavg()[0]
    _stop(processes)
    if first_seen is None or last_seen is None:
        raise RuntimeError(f"only {done} of {frames} frames committed; see {logs}")
    rate = (frames - first_count) / max(1e-6, last_seen - first_seen)
    counted = max(1, frames - first_count)
    return {
        "rate": rate,
        "cpu_per_frame_ms": 1000 * cpu / counted,
        # CPU seconds per 10,000 frames of the workers, the broker, and PostgreSQL (all of it)
        "per_10k": tuple(10_000 * seconds / counted for seconds in (cpu, broker_cpu, postgres_cpu)),
        "wall": last_seen - first_seen,
        "load": (load_before, load_after),
    }


def run_latency(
    engine,
    database_url: str,
    broker: Broker,
    workers: int,
    rate: float,
    seconds: float,
    first: int,
    logs: Path,
) -> dict:
    group, topic = f"lat{workers}-{uuid.uuid4().hex[:4]}", f"bench-{uuid.uuid4().hex[:6]}"
    processes = _start_workers(workers, database_url, broker.port, group, topic, _WORKDIR / "spool", logs)
    if not _wait(lambda: _subscribed(engine, group, workers), 120):
        raise RuntimeError(f"workers did not subscribe; see {logs}")
    with engine.connect() as connection:
        first_meter_id = connection.execute(text("SELECT min(id) FROM meter")).scalar_one()
    count = int(rate * seconds)
    payloads = _frames(first, count)
    published: dict[int, float] = {}
    committed: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:
        low = T0 + 10 * (first // METERS)
        while not stop.is_set():
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT meter_id, ts FROM reading WHERE register_code = '1-0:1.8.0' AND ts >= :low"),
                    {"low": low},
                ).all()
            now = time.monotonic()
            for meter_id, ts in rows:
                number = _frame_number(meter_id, ts, first_meter_id)
                if number not in committed and first <= number < first + count:
                    committed[number] = now
            if committed:
                pending = [n for n in published if n not in committed]
                if pending:
                    low = T0 + 10 * (min(pending) // METERS)
            if len(committed) >= count:
                return
            time.sleep(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    publisher = Publisher(broker.port)
    start = time.monotonic()
    for offset, payload in enumerate(payloads):
        due = start + offset / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        published[first + offset] = time.monotonic()
        publisher.publish(f"{topic}/ams/{(first + offset) % METERS}", payload)
    poller.join(120)
    stop.set()
    publisher.close()
    _stop(processes)
    latencies = sorted(committed[n] - published[n] for n in committed if n in published)
    if len(latencies) < count:
        raise RuntimeError(f"only {len(latencies)} of {count} frames committed; see {logs}")

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {"p50": pct(50), "p95": pct(95), "p99": pct(99), "count": count}


def run_soak(
    engine,
    database_url: str,
    broker: Broker,
    workers: int,
    rate: float,
    seconds: float,
    first: int,
    logs: Path,
) -> dict:
    """`workers` workers for `seconds` at `rate` frames/s: each one's RSS after a minute's warm-up
    and at the end, and whether every frame published was committed once."""
    group, topic = f"soak{workers}-{uuid.uuid4().hex[:4]}", f"bench-{uuid.uuid4().hex[:6]}"
    processes = _start_workers(workers, database_url, broker.port, group, topic, _WORKDIR / "spool", logs)
    if not _wait(lambda: _subscribed(engine, group, workers), 120):
        raise RuntimeError(f"workers did not subscribe; see {logs}")
    before = _committed(engine)
    publisher = Publisher(broker.port)
    chunk = max(1, int(rate))
    published = 0
    start = time.monotonic()
    rss_start: list[float] = []
    while time.monotonic() - start < seconds:
        for offset, payload in enumerate(_frames(first + published, chunk)):
            due = start + (published + offset) / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            publisher.publish(f"{topic}/ams/{(first + published + offset) % METERS}", payload)
        published += chunk
        if not rss_start and time.monotonic() - start >= min(60.0, seconds / 4):
            rss_start = [psutil.Process(p.pid).memory_info().rss / 2**20 for p in processes]
    rss_end = [psutil.Process(p.pid).memory_info().rss / 2**20 for p in processes]
    # What a disconnect at this moment would have dropped (it did, before Publisher.close waited).
    unacknowledged_at_end = publisher.sent - publisher.acknowledged
    backlog_at_end = published - (_committed(engine) - before)
    publisher.close()
    acknowledged = publisher.acknowledged
    # A loaded machine may fall behind the rate: the backlog stays queued in the broker, so wait
    # while it drains and give up only after two minutes without progress.
    drain_start = time.monotonic()
    committed, progress_at = _committed(engine) - before, time.monotonic()
    while committed < published and time.monotonic() - progress_at < 120:
        time.sleep(2)
        now_committed = _committed(engine) - before
        if now_committed > committed:
            committed, progress_at = now_committed, time.monotonic()
    time.sleep(2)
    committed = _committed(engine) - before
    drain_seconds = time.monotonic() - drain_start
    _stop(processes)
    return {
        "published": published,
        "acknowledged": acknowledged,
        "unacknowledged_at_end": unacknowledged_at_end,
        "committed": committed,
        "rss_start": rss_start,
        "rss_end": rss_end,
        "backlog_at_end": backlog_at_end,
        "drain_seconds": drain_seconds,
    }


def _publish_packet(topic: str, mid: int, payload: bytes) -> bytes:
    """An MQTT 5 PUBLISH, QoS 1, without properties, as Mosquitto sends it to a subscriber."""
    name = topic.encode()
    body = len(name).to_bytes(2, "big") + name + mid.to_bytes(2, "big") + b"\x00" + payload
    length, remaining = bytearray(), len(body)
    while True:
        remaining, digit = divmod(remaining, 128)
        length.append(digit | (0x80 if remaining else 0))
        if not remaining:
            return bytes([0x32]) + bytes(length) + body


class _ScriptedBroker:
    """The broker's end of the connection in `--profile`: what it sent is read by paho in pieces
    of a socket's size; what the worker sends (its PUBACKs) is counted."""

    def __init__(self) -> None:
        self._data = b""
        self._position = 0
        self.acknowledged_bytes = 0

    def deliver(self, data: bytes) -> None:
        self._data, self._position = self._data[self._position :] + data, 0

    def unread(self) -> int:
        return len(self._data) - self._position

    def recv(self, size: int) -> bytes:
        if self._position >= len(self._data):
            raise BlockingIOError
        piece = self._data[self._position : self._position + min(size, 65_536)]
        self._position += len(piece)
        return piece

    def fileno(self) -> int:
        return -1

    def close(self) -> None:
        pass

    def setblocking(self, flag: bool) -> None:
        pass

    def send(self, data: bytes) -> int:
        self.acknowledged_bytes += len(data)
        return len(data)


def run_profile(url: str, frames: int, first: int, top: int) -> dict:
    """The worker's path from a received message to committed readings, in this process and
    on one thread (cProfile sees only its own thread): the worker's own MqttSource, pipeline and
    store (as `python -m app.ingest mqtt` builds them), fed the frames as paho hands them over,
    without the network. CPU per frame is what the machine's load changes least."""
    import cProfile
    import io
    import pstats

    from app.ingest.keyring import KeyRing
    from app.ingest.sources.mqtt import MqttSource, Subscription, _ReadAhead
    from app.ingest.store import ReadingStore
    from app.ingest.worker import FramePipeline
    from app.services.consumption.rollups import refresh_consumption

    engine = make_engine(url)
    store = ReadingStore(
        engine, _WORKDIR / "profile.jsonl", refresh=refresh_consumption, heartbeat_seconds=10
    )
    counters = store.source(f"{STREAM}@profile", "mqtt", "han")
    counters.reader_id = STREAM
    source = MqttSource(
        "mqtt://127.0.0.1:1",
        [Subscription.parse("bench/#=raw")],
        FramePipeline(store, counters, KeyRing(engine)),
        "profile",
    )
    window = source.receive_maximum
    broker = _ScriptedBroker()
    source.client._sock = _ReadAhead(broker)  # type: ignore[assignment]

    def packets(payloads: list[bytes], offset: int) -> list[bytes]:
        """Windows of frames as MQTT 5 PUBLISH packets (QoS 1), as the broker sends them."""
        return [
            b"".join(
                _publish_packet(f"bench/ams/{n % METERS}", n % 65_535 + 1, payload)
                for n, payload in enumerate(payloads[start : start + window], offset + start)
            )
            for start in range(0, len(payloads), window)
        ]

    def drain(windows: list[bytes]) -> None:
        """Each window read by paho from the connection, then the store thread's pass."""
        for data in windows:
            broker.deliver(data)
            while broker.unread():
                source.client.loop_read()
            source.process_queued()
        store.flush()
        source._acknowledge_stored()

    warm = _frames(first, METERS * 2)  # every meter's key opened, every cache filled
    drain(packets(warm, first))
    first += len(warm)
    plain = packets(_frames(first, frames), first)
    before, acknowledged = _committed(engine), broker.acknowledged_bytes
    cpu, wall = time.process_time(), time.perf_counter()
    drain(plain)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    stored = _committed(engine) - before
    acknowledged = (broker.acknowledged_bytes - acknowledged) // 4  # a PUBACK is 4 bytes
    first += frames
    payloads = packets(_frames(first, frames), first)
    profiler = cProfile.Profile(time.process_time)  # CPU time: the load of others does not count
    profiler.enable()
    drain(payloads)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    if os.environ.get("PROFILE_CALLERS"):
        stats.print_callers(os.environ["PROFILE_CALLERS"])
    source.client._sock = None
    engine.dispose()
    return {
        "cpu_per_frame_ms": 1000 * cpu / frames,
        "wall_rate": frames / wall,
        "stored": stored,
        "acknowledged": acknowledged,
        "stats": out.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=20_000, help="frames per capacity run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--latency-rate",
        type=float,
        default=0.0,
        help="frames/s in the latency runs (default half the 1-worker capacity)",
    )
    parser.add_argument("--latency-seconds", type=float, default=10.0, help="0: no latency runs")
    parser.add_argument(
        "--soak",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="instead: a soak of this many minutes at --latency-rate (default 200/s)",
    )
    parser.add_argument("--soak-workers", type=int, default=2)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="FRAMES",
        help="instead: the worker's path for FRAMES frames in this process under "
        "cProfile, CPU per frame and the costliest functions",
    )
    parser.add_argument(
        "--database", default=os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    )
    args = parser.parse_args()
    if args.soak > 24 * 60:
        sys.exit(
            f"--soak takes minutes ({args.soak:g} minutes is {args.soak / 60:g} hours): "
            "for half an hour, --soak 30"
        )
    if not args.database or not args.database.startswith("postgresql"):
        sys.exit("bench/mqtt_scale.py needs PostgreSQL: --database postgresql://… (or TEST_DATABASE_URL)")
    schema = f"mqtt_scale_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.database)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in args.database else "?"
    url = f"{args.database}{separator}options=-csearch_path%3D{schema}"
    logs = _WORKDIR / "logs"
    logs.mkdir()
    broker = Broker(_WORKDIR / "broker")
    engine = make_engine(url)
    try:
        upgrade_to_head(url)
        _add_meters(engine)
        print(
            f"{METERS} meters, HAN list 3 frames encrypted + authenticated, 3 readings each; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start"
        )
        if args.profile:
            result = run_profile(url, args.profile, 0, 25)
            print(result["stats"])
            print(
                f"profile, {args.profile:,} frames in one thread, paho reading them from a scripted "
                "connection (no system calls): worker CPU "
                f"{result['cpu_per_frame_ms']:.3f} ms per frame without the profiler "
                f"({result['wall_rate']:,.0f} frames/s wall), {result['stored']:,} stored, "
                f"{result['acknowledged']:,} acknowledged "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            return
        if args.soak:
            rate = args.latency_rate or 200.0
            result = run_soak(engine, url, broker, args.soak_workers, rate, 60 * args.soak, 0, logs)
            start_mb = [round(r, 1) for r in result["rss_start"]]
            end_mb = [round(r, 1) for r in result["rss_end"]]
            print(
                f"soak, {args.soak_workers} worker(s), {args.soak:g} min at {rate:,.0f} frames/s: "
                f"published {result['published']:,}, acknowledged by the broker {result['acknowledged']:,}, "
                f"committed {result['committed']:,} "
                f"({result['unacknowledged_at_end']:,} not yet acknowledged at the last publish); "
                f"RSS MB at start {start_mb}, at end {end_mb}; "
                f"{result['backlog_at_end']:,} frames were still queued at the last publish and drained "
                f"{result['drain_seconds']:.0f} s after it "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            return
        first = 0
        capacity = {}
        for workers in args.workers:
            result = run_capacity(engine, url, broker, workers, args.frames, first, logs)
            first += args.frames
            capacity[workers] = result["rate"]
            workers_cpu, broker_cpu, postgres_cpu = result["per_10k"]
            print(
                f"capacity, {workers} worker(s): {result['rate']:,.0f} frames/s "
                f"({3 * result['rate']:,.0f} readings/s), workers' CPU {result['cpu_per_frame_ms']:.3f} ms "
                f"per frame; CPU seconds per 10,000 frames: workers {workers_cpu:.2f} "
                f"(a core each: {10_000 / max(1e-9, workers_cpu) * workers:,.0f} frames/s), "
                f"broker {broker_cpu:.2f}, PostgreSQL {postgres_cpu:.2f} (all of its processes), "
                f"over {result['wall']:.1f} s; "
                f"load average {result['load'][0]:.1f} -> {result['load'][1]:.1f}",
                flush=True,
            )
        rate = args.latency_rate or capacity[args.workers[0]] / 2
        for workers in args.workers if args.latency_seconds > 0 else []:
            result = run_latency(engine, url, broker, workers, rate, args.latency_seconds, first, logs)
            first += result["count"]
            print(
                f"latency publish -> committed, {workers} worker(s) at {rate:,.0f} frames/s: "
                f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, p99 {result['p99']:.0f} ms "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    finally:
        broker.stop()
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        if os.environ.get("MQTT_SCALE_KEEP"):
            print(f"kept the workers' logs and spools in {_WORKDIR}")
        else:
            shutil.rmtree(_WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
