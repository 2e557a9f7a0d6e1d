"""Min side on a phone: how soon a signed-in customer sees their page, cold and warm.

    .venv/bin/python -m bench.phone [--before REF] [--loads 5] [--work DIR] [--waterfall]

Serves the production build as `make prod` does (`reflex run --env prod --single-port`, one
granian server for the built frontend and the backend) on a demo SQLite database, and with
--before REF a second one built from that commit of this repository (a clone in the work
folder), so that both are measured back to back in one run, alternating load by load.

Headless Chromium emulates a mid-range phone through the DevTools protocol: CPU slowed 4x
(Emulation.setCPUThrottlingRate), 9 Mbit/s down, 1.5 Mbit/s up and 150 ms round trip
(Network.emulateNetworkConditions), 375x812 touch viewport; the cache is off for a cold load
(a fresh browser context, Network.setCacheDisabled) and on for a warm one (the same context's
second visit). Chromium applies the emulated latency and bandwidth to HTTP requests; the
websocket's messages are not delayed by it, so the real round trips to the backend are
cheaper here than on a phone's network. Every load is signed in as the same demo customer
(a session token in local storage, as after a sign-in).

Times run from the navigation's start (performance.timeOrigin) to the first animation frame
in which the condition holds:
- consumption: the year's bars are drawn with a size (plotly's bars, or the plain bars drawn
  before plotly, by the live page or by its first paint before React, app/first_paint.py);
  "interactive" is plotly's own bars;
- overview: the customer's name, address and last reading are shown (in <main>, or in the
  first paint's layer before React).

Prints the median (and the range) of --loads loads of each, the bytes and requests of a cold
consumption load, and the load average of the machine, which is shared: only figures of one
run compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE_VIEWPORT = {"width": 375, "height": 812}
CPU_SLOWDOWN = 4
NETWORK = {  # bytes per second and milliseconds, as the DevTools protocol takes them
    "offline": False,
    "latency": 150,
    "downloadThroughput": 9_000_000 / 8,
    "uploadThroughput": 1_500_000 / 8,
}
SESSION_KEY = "mp_session"
CONSUMPTION, OVERVIEW = "/min-side/forbruk", "/min-side"
# The web build of the current checkout: its own folder, so neither the browser tests' dev
# build (.web) nor test_production's (.web-prod) is overwritten.
AFTER_WEB_DIR = PROJECT_ROOT / ".web-bench"
START_TIMEOUT = 900  # an npm install and production build on a busy 2-core machine

GOALS = {
    "consumption, phone, cold: bars": "<= 2500",
    "consumption, unthrottled, cold: bars": "<= 1200",
    "overview, phone, cold: name, address, reading": "<= 1500",
    "consumption, phone, warm: bars": "<= 1500",
}

# Installed before any page script: marks the first frame in which each condition holds.
PROBE = """
(() => {
  const expected = %s;
  const marks = {};
  window.__phoneMarks = marks;
  const drawn = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const yearBox = () => document.querySelector("#consumption-chart[data-level='year']");
  // What the page paints before React and the websocket are ready (app/first_paint.py).
  const early = (page) => document.querySelector(`[data-first-paint='${page}']`);
  const checks = {
    bars: () => [yearBox(), early('consumption')].some(
      box => !!box && [...box.querySelectorAll('.barlayer .point path, [data-bar]')].some(drawn)),
    // The same, drawn by the live page (React, after the websocket's data) alone.
    live_bars: () => {
      const box = yearBox();
      return !!box && [...box.querySelectorAll('.barlayer .point path, [data-bar]')].some(drawn);
    },
    live_overview: () => {
      const text = (document.querySelector('main') || {}).textContent || '';
      return expected.every(part => text.includes(part))
        && /\\(\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d\\)/.test(text);
    },
    interactive: () => {
      const box = yearBox();
      return !!box && [...box.querySelectorAll('.js-plotly-plot .barlayer .point path')].some(drawn);
    },
    overview: () => [document.querySelector('main'), early('overview')].some(box => {
      const text = (box && box.textContent) || '';
      return expected.every(part => text.includes(part))
        && /\\(\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d\\)/.test(text);
    }),
  };
  const frame = () => {
    for (const [name, check] of Object.entries(checks)) {
      if (!(name in marks) && check()) marks[name] = performance.now();
    }
    if (Object.keys(marks).length < Object.keys(checks).length) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""


# -- servers ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Build:
    label: str
    checkout: Path
    web_dir: Path
    url: str = ""
    server: subprocess.Popen | None = None
    samples: dict[str, list[float]] = field(default_factory=dict)
    traffic: list[tuple[int, int]] = field(default_factory=list)  # (bytes on the wire, requests)
    waterfalls: dict[str, list[str]] = field(default_factory=dict)


def _clone_at(ref: str, work: Path) -> Path:
    """This repository at ``ref``, in the work folder (reused when it is already there)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    clone = work / f"before-{commit[:10]}"
    if not (clone / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(PROJECT_ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", "--detach", commit], cwd=clone, check=True)
    return clone


def _start(build: Build, database_url: str, work: Path) -> None:
    """`make prod` without its migration (the database is migrated once, by this checkout)."""
    port = _free_port()
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}",
        # The checkout's own `app` package, not the one the venv was installed from.
        "PYTHONPATH": str(build.checkout),
        "DATABASE_URL": database_url,
        "MASTER_KEY_FILE": str(work / "master.key"),
        "DATA_DIR": str(work / "data"),
        "REFLEX_WEB_WORKDIR": str(build.web_dir),
        "REFLEX_STATES_WORKDIR": str(work / f"states-{port}"),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "GRANIAN_WORKERS": "1",
    }
    for name in ("REDIS_URL", "REFLEX_REDIS_URL"):
        env.pop(name, None)
    log = (work / f"server-{build.label.split()[0]}.log").open("wb")
    build.server = subprocess.Popen(
        [
            str(venv_bin / "reflex"),
            "run",
            "--env",
            "prod",
            "--single-port",
            "--frontend-port",
            str(port),
            "--loglevel",
            "warning",
        ],
        cwd=build.checkout,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    build.url = f"http://127.0.0.1:{port}"


def _wait_until_served(build: Build, work: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not (_answers(build.url + "/ping") and _answers(build.url + CONSUMPTION)):
        if build.server is None or build.server.poll() is not None:
            raise RuntimeError(f"{build.label} stopped; see {work}/server-*.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{build.label} did not serve within {START_TIMEOUT} s")
        time.sleep(2)


def _stop(build: Build) -> None:
    if build.server is None:
        return
    with suppress(ProcessLookupError):
        os.killpg(build.server.pid, signal.SIGTERM)
    try:
        build.server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(build.server.pid, signal.SIGKILL)


# -- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    token: str
    name: str
    address: str


def _prepare_database(database_url: str) -> Customer:
    """Migrated demo data (made once per work folder) and a signed-in demo customer."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.demo import database_is_empty, generate_demo
    from app.migrate import upgrade_to_head
    from app.models import Customer as CustomerRow
    from app.models import CustomerRelationship, Meter, Role
    from app.services.sessions import start_session

    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    if database_is_empty(engine):
        began = time.perf_counter()
        generate_demo(engine)
        print(f"demo data in {time.perf_counter() - began:.1f} s")
    with Session(engine) as db:
        relationship, customer = db.exec(
            select(CustomerRelationship, CustomerRow)
            .join(Meter, Meter.id == CustomerRelationship.meter_id)
            .join(CustomerRow, CustomerRow.id == CustomerRelationship.customer_id)
            .where(Meter.medium == "electricity")
            .order_by(CustomerRelationship.id)
        ).first()
        token = start_session(db, Role.CUSTOMER, relationship_id=relationship.id)
        db.commit()
        signed_in = Customer(token, customer.name, relationship.address)
    engine.dispose()
    return signed_in


# -- loads ----------------------------------------------------------------------------------------


@dataclass
class Load:
    """One page load in a phone-sized context, with the DevTools protocol's emulation."""

    marks: dict[str, float]
    wire_bytes: int
    requests: int
    waterfall: list[str]


@contextmanager
def _phone_context(browser, customer: Customer) -> Iterator:
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{customer.token}')")
    context.add_init_script(PROBE % json.dumps([customer.name, customer.address]))
    try:
        yield context
    finally:
        context.close()


def _load(context, url: str, wait_for: str, *, throttled: bool, cache: bool) -> Load:
    page = context.new_page()
    client = context.new_cdp_session(page)
    client.send("Network.enable")
    client.send("Network.setCacheDisabled", {"cacheDisabled": not cache})
    if throttled:
        client.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        client.send("Network.emulateNetworkConditions", NETWORK)
    requests: dict[str, dict] = {}
    wire = {"bytes": 0}

    def sent(event: dict) -> None:
        requests[event["requestId"]] = {"url": event["request"]["url"], "start": event["timestamp"]}

    def finished(event: dict) -> None:
        wire["bytes"] += int(event["encodedDataLength"])
        if event["requestId"] in requests:
            requests[event["requestId"]]["end"] = event["timestamp"]
            requests[event["requestId"]]["bytes"] = int(event["encodedDataLength"])

    def answered(event: dict) -> None:
        if event["requestId"] in requests:
            requests[event["requestId"]]["status"] = event["response"]["status"]
            requests[event["requestId"]]["cached"] = event["response"].get("fromDiskCache") or False

    def frame(direction: str):
        def keep(event: dict) -> None:
            payload = event["response"]["payloadData"]
            frames.append(
                {
                    "label": f"websocket {direction} {len(payload) / 1024:.1f} KB {payload[:60]}",
                    "start": event["timestamp"],
                }
            )

        return keep

    frames: list[dict] = []
    client.on("Network.webSocketFrameSent", frame("sent    "))
    client.on("Network.webSocketFrameReceived", frame("received"))
    client.on("Network.requestWillBeSent", sent)
    client.on("Network.loadingFinished", finished)
    client.on("Network.responseReceived", answered)
    page.goto(url, wait_until="commit", timeout=60_000)
    page.wait_for_function(
        f"() => window.__phoneMarks && '{wait_for}' in window.__phoneMarks", timeout=60_000, polling=100
    )
    if wait_for == "bars":  # plotly's own chart too, when the bars came first
        page.wait_for_function("() => 'interactive' in window.__phoneMarks", timeout=60_000, polling=100)
    if wait_for == "overview":  # and the live page's, when the first paint came first
        page.wait_for_function("() => 'live_overview' in window.__phoneMarks", timeout=60_000, polling=100)
    marks = page.evaluate("() => window.__phoneMarks")
    origin = min((r["start"] for r in requests.values()), default=0.0)
    waterfall = [
        f"    {1000 * (r['start'] - origin):7.0f} -> {1000 * (r.get('end', r['start']) - origin):7.0f} ms "
        f"{r.get('status', '-')!s:>4} {r.get('bytes', 0) / 1024:7.1f} KB "
        f"{r.get('label') or r['url'].split('?')[0][-70:]}"
        for r in sorted([*requests.values(), *frames], key=lambda r: r["start"])
    ]
    page.close()
    return Load(marks, wire["bytes"], len(requests), waterfall)


def _measure_round(browser, build: Build, customer: Customer, waterfall: bool) -> None:
    def keep(name: str, value: float | None) -> None:
        if value is not None:
            build.samples.setdefault(name, []).append(value)

    with _phone_context(browser, customer) as context:
        cold = _load(context, build.url + CONSUMPTION, "bars", throttled=True, cache=False)
        keep("consumption, phone, cold: bars", cold.marks.get("bars"))
        keep("consumption, phone, cold: bars of the live page", cold.marks.get("live_bars"))
        keep("consumption, phone, cold: interactive chart", cold.marks.get("interactive"))
        build.traffic.append((cold.wire_bytes, cold.requests))
        if waterfall:
            build.waterfalls["consumption, phone, cold"] = cold.waterfall
    with _phone_context(browser, customer) as context:
        fast = _load(context, build.url + CONSUMPTION, "bars", throttled=False, cache=False)
        keep("consumption, unthrottled, cold: bars", fast.marks.get("bars"))
        keep("consumption, unthrottled, cold: interactive chart", fast.marks.get("interactive"))
    with _phone_context(browser, customer) as context:
        overview = _load(context, build.url + OVERVIEW, "overview", throttled=True, cache=False)
        keep("overview, phone, cold: name, address, reading", overview.marks.get("overview"))
        keep("overview, phone, cold: the same, live page", overview.marks.get("live_overview"))
        if waterfall:
            build.waterfalls["overview, phone, cold"] = overview.waterfall
    with _phone_context(browser, customer) as context:
        # The first visit fills the cache; the second is measured.
        _load(context, build.url + CONSUMPTION, "bars", throttled=False, cache=True)
        warm = _load(context, build.url + CONSUMPTION, "bars", throttled=True, cache=True)
        keep("consumption, phone, warm: bars", warm.marks.get("bars"))
        keep("consumption, phone, warm: bars of the live page", warm.marks.get("live_bars"))
        keep("consumption, phone, warm: interactive chart", warm.marks.get("interactive"))


# -- report ---------------------------------------------------------------------------------------


def _figure(samples: list[float]) -> str:
    if not samples:
        return "-"
    return f"{statistics.median(samples):6.0f} ms ({min(samples):.0f}-{max(samples):.0f})"


def _load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _report(builds: list[Build], loads: int, load_averages: list[str]) -> None:
    names = list(dict.fromkeys(name for build in builds for name in build.samples))
    width = max(len(name) for name in names) + 2
    print()
    print(
        f"Median of {loads} loads each (min-max); phone = CPU {CPU_SLOWDOWN}x slower, "
        f"9/1.5 Mbit/s, 150 ms RTT, 375x812"
    )
    print(f"{'':<{width}}" + "".join(f"{build.label:<30}" for build in builds) + "goal")
    for name in names:
        print(
            f"{name:<{width}}"
            + "".join(f"{_figure(build.samples.get(name, [])):<30}" for build in builds)
            + GOALS.get(name, "")
        )
    print(
        f"{'cold consumption load: KB, requests':<{width}}"
        + "".join(
            f"{statistics.median(b for b, _ in build.traffic) / 1024:6.0f} KB, "
            f"{statistics.median(n for _, n in build.traffic):.0f} requests".ljust(30)
            for build in builds
        )
    )
    print("Load average (1, 5, 15 min) at the start and after each round: " + " | ".join(load_averages))
    for build in builds:
        for name, lines in build.waterfalls.items():
            print(f"\nLast load of {name}, {build.label}:")
            print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", help="a commit to build and measure beside the current checkout")
    parser.add_argument("--loads", type=int, default=5, help="loads of each page and build")
    parser.add_argument("--work", type=Path, help="keep the database, the clone and logs here (reused)")
    parser.add_argument(
        "--waterfall",
        action="store_true",
        help="print the requests and websocket messages of the last cold phone loads",
    )
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="meterportal-phone-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{work / 'app.db'}"
    os.environ["DATABASE_URL"] = database_url  # settings are read at import
    os.environ["MASTER_KEY_FILE"] = str(work / "master.key")
    os.environ["DATA_DIR"] = str(work / "data")

    customer = _prepare_database(database_url)
    builds = []
    if args.before:
        clone = _clone_at(args.before, work)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, check=True, capture_output=True, text=True
        ).stdout.strip()
        builds.append(Build(f"before ({commit})", clone, clone / ".web"))
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    builds.append(Build(f"after ({head}+tree)", PROJECT_ROOT, AFTER_WEB_DIR))

    from playwright.sync_api import sync_playwright

    try:
        # One build at a time: two npm builds at once on two cores only take longer.
        for build in builds:
            print(f"building and serving {build.label} …", flush=True)
            began = time.perf_counter()
            _start(build, database_url, work)
            _wait_until_served(build, work)
            print(f"  {build.url} in {time.perf_counter() - began:.0f} s", flush=True)
        load_averages = [_load_average()]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for round_number in range(args.loads):
                # Alternate which build goes first, so a burst of load elsewhere hits both.
                order = builds if round_number % 2 == 0 else list(reversed(builds))
                for build in order:
                    _measure_round(browser, build, customer, args.waterfall)
                load_averages.append(_load_average())
                print(
                    f"  round {round_number + 1}/{args.loads} done, load average {load_averages[-1]}",
                    flush=True,
                )
            browser.close()
    finally:
        for build in builds:
            _stop(build)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    _report(builds, args.loads, load_averages)


if __name__ == "__main__":
    main()
