"""Signed-in browsers tapping the consumption chart, over Reflex's own websocket protocol.

    .venv/bin/python -m bench.sessions [--sessions 200] [--think 2.0] [--seconds 30]
                                       [--database postgresql://… --redis redis://…]

Starts the backend as production runs it (`reflex run --env prod --backend-only`) on a fresh
demo database: SQLite with one worker, then, given --database and --redis, PostgreSQL + Redis
with two workers (GRANIAN_WORKERS=2). Each simulated browser signs in (a server-side session
for a demo customer), opens socket.io at /_event with its tab token in the query string and the
hydrate event in the CONNECT packet carrying its client storage (the session token `mp_session`),
exactly as the compiled frontend does, and lets the page's on_load run. Then every browser fires
events with a think time (uniform 0.5-1.5 x --think) for --seconds:

- a trivial handler first (SessionState.show_error: a toast, no database), the framework's own
  cost (set_language with the language already chosen changes nothing and gets no answer);
- then chart taps: month and day drill-downs (show_month / show_day) on random periods.

Prints per phase: p50/p95/p99 from emitting the event to its final state update, events/s and
the server's CPU (user + system of every backend process) per event. The client runs on the
same machine and takes CPU of its own: compare the two phases of one run, not runs on
different machines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

STATE_PREFIX = "reflex___state____state"
# The frontend opens io("<backend>/_event", {path: "/_event"}): the namespace is the path too.
NAMESPACE = "/_event"


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    wall_seconds: float = 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _prepare_database(url: str, sessions: int) -> list[str]:
    """Migrate, fill with the demo data, and sign ``sessions`` browsers in; returns their tokens."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.demo import database_is_empty, generate_demo
    from app.migrate import upgrade_to_head
    from app.models import CustomerRelationship, Role
    from app.services.sessions import start_session

    upgrade_to_head(url)
    engine = make_engine(url)
    if database_is_empty(engine):
        began = time.perf_counter()
        generate_demo(engine)
        print(f"  demo data in {time.perf_counter() - began:.1f} s")
    with Session(engine) as db:
        relationships = db.exec(
            select(CustomerRelationship.id).where(CustomerRelationship.meter_id.is_not(None))  # type: ignore[union-attr]
        ).all()
        tokens = [
            start_session(db, Role.CUSTOMER, relationship_id=relationships[n % len(relationships)])
            for n in range(sessions)
        ]
        db.commit()
    engine.dispose()
    return tokens


def _server_cpu(root: int) -> float:
    import psutil

    total = 0.0
    try:
        process = psutil.Process(root)
        for member in [process, *process.children(recursive=True)]:
            try:
                times = member.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        pass
    return total


def _start_backend(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    reflex = Path(sys.executable).parent / "reflex"
    log = log_path.open("wb")
    server = subprocess.Popen(
        [
            str(reflex),
            "run",
            "--env",
            "prod",
            "--backend-only",
            "--backend-port",
            str(port),
            "--loglevel",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the backend stopped; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=5):
                return server
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"the backend did not answer within 300 s; see {log_path}")


def _stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


class Browser:
    """One tab: a socket.io connection that hydrates like the compiled frontend."""

    def __init__(self, url: str, session_token: str, names: dict[str, str]) -> None:
        import socketio

        self.url = url
        self.session_token = session_token
        self.names = names
        self.tab_token = str(uuid.uuid4())
        self.client = socketio.AsyncClient(reconnection=False)
        self.waiter: asyncio.Future | None = None
        self.hydrated: asyncio.Future | None = None
        self.client.on("event", self._on_update, namespace=NAMESPACE)

    async def _on_update(self, update: dict) -> None:
        root = update.get("delta", {}).get(STATE_PREFIX, {})
        if root.get("is_hydrated_rx_state_") and self.hydrated is not None and not self.hydrated.done():
            self.hydrated.set_result(True)
        if update.get("final", True) and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(update)

    def _router_data(self) -> dict:
        return {"pathname": "/min-side/forbruk", "asPath": "/min-side/forbruk", "query": {}}

    async def connect(self) -> None:
        hydrate = {
            "name": f"{STATE_PREFIX}.hydrate_and_load",
            "payload": {"vars": {self.names["session_token_var"]: self.session_token}},
            "router_data": self._router_data(),
        }
        self.hydrated = asyncio.get_running_loop().create_future()
        await self.client.connect(
            f"{self.url}?token={self.tab_token}",
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            auth={"event": hydrate},
            wait_timeout=60,
        )
        # Hydrated once the page's on_load (ConsumptionState.load) has run.
        await asyncio.wait_for(self.hydrated, 300)

    async def fire(self, name: str, payload: dict) -> float:
        self.waiter = asyncio.get_running_loop().create_future()
        began = time.perf_counter()
        await self.client.emit(
            "event",
            {"name": name, "payload": payload, "router_data": self._router_data()},
            namespace=NAMESPACE,
        )
        await asyncio.wait_for(self.waiter, 60)
        return time.perf_counter() - began


def _tap_events(names: dict[str, str], rng: random.Random) -> tuple[str, dict]:
    today = date.today()
    if rng.random() < 0.5:
        months_back = rng.randrange(1, 30)
        month = (today.replace(day=1) - timedelta(days=31 * months_back)).replace(day=1)
        return names["show_month"], {"key": month.isoformat()}
    day = today - timedelta(days=rng.randrange(2, 700))
    return names["show_day"], {"key": day.isoformat()}


async def _drive(
    browsers: list[Browser], phase: Phase, seconds: float, think: float, pick, server_pid: int
) -> None:  # type: ignore[no-untyped-def]
    stop_at = time.monotonic() + seconds

    async def one(browser: Browser, seed: int) -> None:
        rng = random.Random(seed)
        await asyncio.sleep(rng.uniform(0, think))  # spread the first taps
        while time.monotonic() < stop_at:
            name, payload = pick(rng)
            try:
                phase.latencies.append(await browser.fire(name, payload))
            except Exception:
                phase.errors += 1
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    cpu_before = _server_cpu(server_pid)
    client_before = time.process_time()
    began = time.perf_counter()
    await asyncio.gather(*(one(b, n) for n, b in enumerate(browsers)))
    phase.wall_seconds = time.perf_counter() - began
    phase.cpu_seconds = _server_cpu(server_pid) - cpu_before
    phase.client_cpu_seconds = time.process_time() - client_before


def _start_profiler(server_pid: int, seconds: float, output: Path) -> subprocess.Popen:
    """py-spy (pip install py-spy) sampling every backend process: collapsed stacks, one per line."""
    py_spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen(
        [
            str(py_spy),
            "record",
            "--pid",
            str(server_pid),
            "--subprocesses",
            "--threads",
            "--gil",
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _run_load(
    url: str,
    tokens: list[str],
    names: dict[str, str],
    seconds: float,
    think: float,
    server_pid: int,
    profile: Path | None,
) -> list[Phase]:
    browsers = [Browser(url, token, names) for token in tokens]
    for start in range(0, len(browsers), 20):  # connect in waves, as browsers arrive
        await asyncio.gather(*(b.connect() for b in browsers[start : start + 20]))
    trivial = Phase(f"trivial handler ({names['trivial'].rsplit('.', 1)[-1]})")
    taps = Phase("chart tap (show_month / show_day)")
    phases = [
        (trivial, lambda rng: (names["trivial"], names["trivial_payload"])),
        (taps, lambda rng: _tap_events(names, rng)),
    ]
    for phase, pick in phases:
        output = profile and profile.with_name(f"{phase.name.split()[0]}-{profile.name}")
        profiler = _start_profiler(server_pid, seconds, output) if output else None
        await _drive(browsers, phase, seconds, think, pick, server_pid)
        if profiler is not None:
            profiler.wait()
    await asyncio.gather(*(b.client.disconnect() for b in browsers), return_exceptions=True)
    return [trivial, taps]


def _event_names() -> dict:
    try:
        from app.states.customer.consumption import ConsumptionState
    except ImportError:  # a checkout from before the area packages
        from app.states.consumption import ConsumptionState  # type: ignore[no-redef]
    from app.states.session import SessionState

    consumption = ConsumptionState.get_full_name()
    session = SessionState.get_full_name()
    return {
        "show_month": f"{consumption}.show_month",
        "show_day": f"{consumption}.show_day",
        # A checkout from before show_error existed (a before/after run) has set_language only.
        **(
            {"trivial": f"{session}.show_error", "trivial_payload": {"key": "error.generic", "params": {}}}
            if hasattr(SessionState, "show_error")
            else {"trivial": f"{session}.set_language", "trivial_payload": {"language": "nb"}}
        ),
        "session_token_var": f"{session}.session_token_rx_state_",
    }


def _report(label: str, phases: list[Phase]) -> None:
    print(f"{label}:")
    print(
        f"  {'events':<36} {'n':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'ev/s':>7} {'CPU ms/ev':>10} {'client ms/ev':>13}"
    )
    for phase in phases:
        done = phase.latencies
        if not done:
            print(f"  {phase.name:<36} no answers ({phase.errors} errors)")
            continue
        per_event = phase.cpu_seconds * 1000 / len(done)
        print(
            f"  {phase.name:<36} {len(done):>6} {phase.errors:>4} "
            f"{_percentile(done, 0.5) * 1000:>8.1f} {_percentile(done, 0.95) * 1000:>8.1f} "
            f"{_percentile(done, 0.99) * 1000:>8.1f} {len(done) / phase.wall_seconds:>7.1f} "
            f"{per_event:>10.2f} {phase.client_cpu_seconds * 1000 / len(done):>13.2f}"
        )
    if len(phases) == 2 and phases[0].latencies and phases[1].latencies:
        ratio = (phases[1].cpu_seconds / len(phases[1].latencies)) / (
            phases[0].cpu_seconds / len(phases[0].latencies)
        )
        print(f"  server CPU of a tap = {ratio:.1f} x the trivial handler's (goal: <= 3)")


def run_configuration(
    label: str, database_url: str, redis_url: str, workers: int, args: argparse.Namespace, work: Path
) -> None:
    print(f"{label}: preparing {database_url.split('?')[0]} …")
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REFLEX_REDIS_URL": redis_url,
            "GRANIAN_WORKERS": str(workers),
            "MASTER_KEY_FILE": str(work / "master.key"),
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            # The simulated browsers connect directly (the start-up check demands it with Redis).
            "TRUSTED_PROXY_HOPS": "0",
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        }
    )
    if not redis_url:
        env.pop("REDIS_URL")
        env.pop("REFLEX_REDIS_URL")
    tokens = _prepare_database(database_url, args.sessions)
    port = _free_port()
    server = _start_backend(env, port, work / f"backend-{workers}.log")
    try:
        phases = asyncio.run(
            _run_load(
                f"http://127.0.0.1:{port}",
                tokens,
                _event_names(),
                args.seconds,
                args.think,
                server.pid,
                args.profile and work / f"{workers}.prof",
            )
        )
    finally:
        _stop(server)
    _report(f"{label}, {args.sessions} browsers, think {args.think:g} s", phases)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between taps")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--database", default="", help="postgresql:// URL for the second run")
    parser.add_argument("--redis", default="", help="redis:// URL for the second run")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the backend with py-spy in each phase (<phase>-<workers>.prof)",
    )
    parser.add_argument("--work", type=Path, help="keep the SQLite database and logs here (reused)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="meterportal-sessions-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_sqlite:
            run_configuration("SQLite, 1 worker", f"sqlite:///{work / 'app.db'}", "", 1, args, work)
        if args.database and args.redis:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            from app.db import make_engine

            admin = make_engine(args.database)
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            separator = "&" if "?" in args.database else "?"
            try:
                run_configuration(
                    "PostgreSQL + Redis, 2 workers",
                    f"{args.database}{separator}options=-csearch_path%3D{schema}",
                    args.redis,
                    2,
                    args,
                    work,
                )
            finally:
                with admin.begin() as connection:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
