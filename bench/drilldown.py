"""Click-to-drawn latency of the consumption drill-down in headless Chromium, and page weights.

    flock /tmp/meterportal-e2e.lock .venv/bin/python -m bench.drilldown [--url URL] [--dev] [--rounds 20]

Without --url it starts the app itself on a fresh demo database: the production build
(AppHarnessProd, as a utility would run it), or the dev server with --dev. It shares the
.web build directory with the browser tests, hence the lock. With --url it needs the demo
data in the database the app at URL uses (DATABASE_URL, as for `python -m app.demo`).

Reports p50/p95 from the tap to the new chart being drawn (plotly's afterplot event) for
year -> month -> day -> power, the bytes transferred for the login page and the chart page
(as sent, and gzip-compressed), whether plotly was loaded before the chart page, and
horizontal overflow at 375 px.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
PLOTLY_MARKER = b"plotly.js"  # every plotly bundle names itself in its banner


@contextmanager
def running_app(url: str | None, dev: bool) -> Iterator[str]:
    """The app's URL: the given one, or a harness on a fresh demo database."""
    if url:
        yield url.rstrip("/")
        return
    work = Path(tempfile.mkdtemp(prefix="meterportal-drilldown-"))
    # Settings are read at import: the database must be chosen before the app is imported.
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'app.db'}"
    os.environ["MASTER_KEY_FILE"] = str(work / "master.key")
    os.environ.setdefault("REFLEX_USE_NPM", "1")
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    from reflex.testing import AppHarness, AppHarnessProd

    from app.config import PROJECT_ROOT
    from app.db import get_engine
    from app.demo import generate_demo
    from app.migrate import upgrade_to_head

    upgrade_to_head()
    generate_demo(get_engine())
    harness_class = AppHarness if dev else AppHarnessProd
    with harness_class.create(root=PROJECT_ROOT, app_name="app") as harness:
        assert harness.frontend_url is not None
        yield harness.frontend_url.rstrip("/")


@dataclass
class Traffic:
    """What the page fetched: bytes on the wire and the bodies, to gzip and to search."""

    encoded: int = 0
    bodies: dict[str, bytes] = field(default_factory=dict)

    @property
    def gzip_bytes(self) -> int:
        return sum(len(gzip.compress(body, 6)) for body in self.bodies.values())

    @property
    def raw_bytes(self) -> int:
        return sum(len(body) for body in self.bodies.values())

    @property
    def has_plotly(self) -> bool:
        """A plotly bundle among the scripts: by its chunk name or by its own name inside."""
        return any(
            "plotly" in url.rsplit("/", 1)[-1].lower() or PLOTLY_MARKER in body
            for url, body in self.bodies.items()
            if url.split("?")[0].endswith((".js", ".mjs"))
        )


def record_traffic(page) -> Traffic:
    traffic = Traffic()
    client = page.context.new_cdp_session(page)
    client.send("Network.enable")
    client.on(
        "Network.loadingFinished",
        lambda event: setattr(traffic, "encoded", traffic.encoded + event["encodedDataLength"]),
    )

    def keep(response) -> None:
        if response.request.resource_type in ("document", "script", "stylesheet", "fetch", "font"):
            # Redirects and aborted requests have no body.
            with suppress(Exception):
                traffic.bodies[response.url] = response.body()

    page.on("response", keep)
    return traffic


INSTALL_PROBE = """() => {
    window.__draws = [];
    window.__tap = 0;
    document.addEventListener('pointerdown', () => { window.__tap = performance.now(); }, true);
    const hook = () => {
        const plot = document.querySelector('#consumption-chart .js-plotly-plot');
        if (!plot || !plot.on || plot.__probe) return;
        plot.__probe = true;
        plot.on('plotly_afterplot', () => {
            const box = document.querySelector('#consumption-chart');
            window.__draws.push({at: performance.now(), level: box.dataset.level, mode: box.dataset.mode});
        });
    };
    hook();
    new MutationObserver(hook).observe(document.body, {childList: true, subtree: true});
}"""

DRAWN_AFTER_TAP = """([level, mode]) => {
    const draw = window.__draws.find(d => d.at >= window.__tap && d.level === level && d.mode === mode);
    return draw ? draw.at - window.__tap : null;
}"""


def timed(page, action, level: str, mode: str) -> float:
    action()
    handle = page.wait_for_function(DRAWN_AFTER_TAP, arg=[level, mode], timeout=20_000)
    return float(handle.json_value())


def tap_bar(page, trace_index: int, point_index: int) -> None:
    """Tap a bar no sooner than a person could after the last drill-down: the server takes a
    chart click sooner than that for a phone tap's echo and ignores it (TAP_ECHO_SECONDS). The
    time is measured from the tap itself (pointerdown), so the wait is not counted."""
    from app.states.customer.consumption import TAP_ECHO_SECONDS

    page.wait_for_timeout(TAP_ECHO_SECONDS * 1000 + 100)
    traces = page.locator("#consumption-chart .barlayer .trace")
    bar = traces.nth(trace_index).locator(".point").nth(point_index)
    box = bar.bounding_box()
    assert box is not None, "bar not drawn"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 6))


def overflow(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def demo_relationship() -> int:
    from sqlmodel import select

    from app.db import session_scope
    from app.models import CustomerRelationship, Meter

    with session_scope() as db:
        relationship = db.exec(
            select(CustomerRelationship)
            .join(Meter, Meter.id == CustomerRelationship.meter_id)
            .where(Meter.medium == "electricity")
            .order_by(CustomerRelationship.id)
        ).first()
        assert relationship is not None, "no demo data: run python -m app.demo"
        return relationship.id or 0


def session_token(relationship_id: int) -> str:
    from app.db import session_scope
    from app.models import Role
    from app.services.sessions import start_session

    with session_scope() as db:
        return start_session(db, Role.CUSTOMER, relationship_id=relationship_id)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running app with the demo data")
    parser.add_argument("--dev", action="store_true", help="start the dev server, not the prod build")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with running_app(args.url, args.dev) as base_url, sync_playwright() as playwright:
        from app import routes
        from app.i18n import translate

        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        token = session_token(demo_relationship())

        # 1. The login page, in a fresh browser: what a phone downloads first.
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        login = record_traffic(page)
        page.goto(base_url + routes.CUSTOMER_LOGIN, wait_until="networkidle")
        login_overflow = overflow(page)
        context.close()

        # 2. The chart page, signed in, in a fresh browser (nothing cached).
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.add_init_script(f"window.localStorage.setItem('mp_session', '{token}')")
        page = context.new_page()
        page.set_default_timeout(30_000)
        chart = record_traffic(page)
        page.goto(base_url + routes.CUSTOMER_CONSUMPTION, wait_until="networkidle")
        page.locator("#consumption-chart[data-level='year'] .js-plotly-plot .main-svg").first.wait_for()
        page.evaluate(INSTALL_PROBE)

        today = datetime.now().date()
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        years = [
            int(t["name"])
            for t in page.evaluate("() => document.querySelector('#consumption-chart .js-plotly-plot').data")
            if t["type"] == "bar"
        ]
        energy, power = translate("consumption.energy"), translate("consumption.power")
        steps: dict[str, list[float]] = {"year->month": [], "month->day": [], "energy->power": []}
        overflow_seen = {"year": overflow(page)}
        year_overview = translate("consumption.year_overview")

        def tap_month() -> None:
            tap_bar(page, years.index(month.year), month.month - 1)

        def press(name: str):
            return lambda: page.get_by_role("button", name=name, exact=True).click()

        for _round in range(args.rounds):
            steps["year->month"].append(timed(page, tap_month, "month", "energy"))
            overflow_seen["month"] = overflow_seen.get("month", False) or overflow(page)
            steps["month->day"].append(timed(page, lambda: tap_bar(page, 0, 14), "day", "energy"))
            overflow_seen["day"] = overflow_seen.get("day", False) or overflow(page)
            steps["energy->power"].append(timed(page, press(power), "day", "power"))
            overflow_seen["power"] = overflow_seen.get("power", False) or overflow(page)
            timed(page, press(energy), "day", "energy")
            timed(page, press(year_overview), "year", "energy")
        context.close()
        browser.close()

    kb = 1024
    print(f"App: {base_url} ({'given' if args.url else 'dev server' if args.dev else 'production build'})")
    print(f"Click to drawn over {args.rounds} rounds (target p95 < 300 ms):")
    for name, samples in steps.items():
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        print(f"  {name:<14} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(samples):7.1f} ms")
    everything = [s for samples in steps.values() for s in samples]
    print(
        f"  {'all taps':<14} p50 {statistics.median(everything):7.1f} ms   "
        f"p95 {percentile(everything, 0.95):7.1f} ms"
    )
    print("Page weight (scripts, styles, documents, fonts, data):")
    for name, traffic in (("login page", login), ("chart page", chart)):
        print(
            f"  {name:<11} on the wire {traffic.encoded / kb:8.0f} KB   "
            f"uncompressed {traffic.raw_bytes / kb:8.0f} KB   gzip {traffic.gzip_bytes / kb:7.0f} KB   "
            f"plotly loaded: {'yes' if traffic.has_plotly else 'no'}"
        )
    print(f"Plotly bundle before the chart page: {'LOADED (bad)' if login.has_plotly else 'not loaded'}")
    print(f"Plotly bundle on the chart page: {'loaded' if chart.has_plotly else 'NOT FOUND'}")
    overflow_seen["login"] = login_overflow
    print(
        "Horizontal overflow at 375 px: "
        + ", ".join(f"{name} {'YES' if seen else 'no'}" for name, seen in overflow_seen.items())
    )


if __name__ == "__main__":
    main()
