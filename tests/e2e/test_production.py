"""`make prod`, the command a utility runs: the production build on one port, with PostgreSQL,
Redis and two backend workers when the machine has them. A customer's page loads through it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import psutil
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app import routes
from app.asset_caching import FOREVER, REVALIDATE
from app.db import make_engine
from app.models import OrganisationKind, Role
from app.services.sessions import start_session
from tests.e2e.conftest import DESKTOP, PHONE, SESSION_KEY
from tests.e2e.production_server import ProductionServer
from tests.factories import add_account, add_customer, add_organisation
from tests.local_servers import OwnRedis
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.e2e

OPLOCK_HOLD_SECONDS = 5  # REFLEX_OPLOCK_HOLD_TIME, rxconfig.py


def _customer_relationship(database_url: str) -> tuple[int, str]:
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as db:
        utility = add_organisation(db, OrganisationKind.GRID_COMPANY, "Nett AS")
        relationship = add_customer(
            db, utility_id=utility, name="Produksjon Kunde", metering_point_id="707057500000099990"
        )
        db.commit()
        # The server runs on the real clock, so its session starts on the real clock too.
        token = start_session(
            db, Role.CUSTOMER, relationship_id=relationship.relationship_id, now=datetime.now(UTC)
        )
        db.commit()
    engine.dispose()
    return relationship.relationship_id, token


def _queue_mails(database_url: str, count: int) -> list[str]:
    """Mails queued as a decision would queue them; nothing but the app's own sender sends them."""
    from app.services.notify.outbox import queue_mail

    addresses = [f"prod{n}@example.org" for n in range(count)]
    engine = make_engine(database_url)
    with Session(engine) as db:
        for address in addresses:
            queue_mail(db, address, "access_declined", "en", reason="Unknown organisation")
        db.commit()
    engine.dispose()
    return addresses


def _get(url: str, **headers: str) -> tuple[dict[str, str], bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
        return {name.lower(): value for name, value in answer.headers.items()}, answer.read()


# A page's compiled parts look their texts up by key: t_rx_state_?.[`keys.assign`] names the area.
TEXT_AREA = re.compile(rb"t_rx_state_\?\.\[`([a-z_]+)\.")


def _check_a_phones_first_load(base_url: str) -> None:
    """Issue 28: what the customer's overview makes a phone fetch and parse on its first visit.
    Its scripts hold its own parts, not those of the other portals' pages (they held every
    page's: 640 KB more to parse); they come as few files, precompressed (brotli), kept for a
    year (hashed names), while the page itself is revalidated on each visit."""
    headers, html = _get(base_url + routes.CUSTOMER_HOME)
    assert headers["cache-control"] == REVALIDATE.decode()
    scripts = sorted(set(re.findall(rb'href="(/assets/[^"]+\.js)"', html)))
    assert 0 < len(scripts) <= 12, scripts
    areas: set[bytes] = set()
    for script in scripts:
        headers, _ = _get(base_url + script.decode(), **{"Accept-Encoding": "br"})
        assert headers["cache-control"] == FOREVER.decode(), script
        assert headers.get("content-encoding") == "br", script
        areas |= set(TEXT_AREA.findall(_get(base_url + script.decode())[1]))
    assert b"customer" in areas
    assert not areas & {b"keys", b"installer", b"settings", b"staff", b"consumption"}, areas


# Keeps what the first-paint layer (app/first_paint.py) held while it was there, the page's errors,
# and whether React's own <main> had the customer's name before the layer went.
FIRST_PAINT_WATCH = """
window.__firstPaint = {texts: [], errors: []};
window.addEventListener('error', (event) => window.__firstPaint.errors.push(String(event.message)));
new MutationObserver(() => {
  const layer = document.querySelector('[data-first-paint]');
  if (layer && layer.textContent) window.__firstPaint.texts.push(layer.textContent);
}).observe(document, {subtree: true, childList: true});
"""


def _check_the_first_paint(browser: Browser, base_url: str, token: str) -> None:
    """Issue 28: on a phone (CPU 4x slower) the overview's card is painted from /api/first-paint
    before React and the websocket are ready, and gives way to the live page, which hydrates
    without an error; nothing of it stays in the page."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
        page.add_init_script(FIRST_PAINT_WATCH)
        page.goto(base_url + routes.CUSTOMER_HOME)
        expect(page.get_by_role("heading", name="Produksjon Kunde")).to_be_visible(timeout=30_000)
        expect(page.locator("[data-first-paint]")).to_have_count(0)
        seen = page.evaluate("window.__firstPaint")
        assert seen["texts"] and "Produksjon Kunde" in seen["texts"][0], seen
        assert "707057500000099990" in seen["texts"][0]
        assert seen["errors"] == [], seen
        # The first paint is drawn for sighted readers only; the live page is what axe checks.
        assert page.locator("main").count() == 1
    finally:
        context.close()


def test_make_prod_serves_the_production_build_on_one_port(
    browser: Browser, production_server: ProductionServer, production_database: str, production_smtp: SmtpSink
):
    base_url = production_server.base_url
    if production_server.workers == 2:
        assert len(production_server.backend_workers()) == 2, "reflex's supervisor and two backend workers"
    _check_a_phones_first_load(base_url)
    # Queued mails go out by themselves, each exactly once, though every worker sends.
    addresses = _queue_mails(production_database, 30)
    for address in addresses:
        production_smtp.wait_for(address, timeout=60)
    time.sleep(2)  # a few more rounds of both workers' senders
    assert sorted(message["To"] for message in production_smtp.messages) == sorted(addresses)

    _, token = _customer_relationship(production_database)
    _check_the_first_paint(browser, base_url, token)
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
        page.goto(base_url + "/min-side")
        # The name comes from the database through the backend's websocket and state manager.
        expect(page.get_by_role("heading", name="Produksjon Kunde")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("707057500000099990")).to_be_visible()
        # Each reload opens a new websocket, on either worker. The worker that last served
        # the tab holds its state's lock for a while (REFLEX_OPLOCK_*); the other one has to
        # break that lease at once, not wait out the lock's 10 s expiry.
        for _ in range(4):
            began = time.monotonic()
            page.reload()
            expect(page.get_by_role("heading", name="Produksjon Kunde")).to_be_visible(timeout=8_000)
            assert time.monotonic() - began < 8
    finally:
        context.close()


# Counts each tab's websocket opens and closes, and keeps the socket.io event frames it receives
# with the number of the connection they came on (the app's own code never sees this).
SOCKET_WATCH = """
window.__sockets = {opens: 0, closes: 0, frames: []};
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('open', () => { window.__sockets.opens += 1; });
    this.addEventListener('close', () => { window.__sockets.closes += 1; });
    this.addEventListener('message', (message) => {
      if (typeof message.data === 'string' && message.data.startsWith('42')) {
        window.__sockets.frames.push([window.__sockets.opens, message.data]);
      }
    });
  }
};
"""
TABS = 50


@dataclass
class StaffWorld:
    token: str
    tag: str
    customer_ids: list[int]

    def query(self, n: int) -> str:
        return f"Fane {self.tag} {n:02d}x"


def _staff_with_customers(database_url: str, count: int) -> StaffWorld:
    """A grid company's staff member (signed in) and ``count`` customers, each found by its own name."""
    tag = uuid.uuid4().hex[:6]
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as db:
        grid = add_organisation(db, OrganisationKind.GRID_COMPANY, f"Nett {tag}")
        user = add_account(db, Role.GRID_STAFF, organisation_id=grid)
        customers = [add_customer(db, utility_id=grid, name=f"Fane {tag} {n:02d}x") for n in range(count)]
        db.commit()
        token = start_session(db, Role.GRID_STAFF, user_id=user.user_id, now=datetime.now(UTC))
        db.commit()
        ids = [customer.customer_id for customer in customers]
    engine.dispose()
    return StaffWorld(token, tag, ids)


def _search(page: Page, query: str) -> None:
    field = page.locator("input[name=query]")
    field.fill(query)
    field.press("Enter")


def _queries_in_redis(redis_server: OwnRedis, queries: list[str]) -> int:
    """How many of ``queries`` are in some state the backend workers wrote to Redis."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    try:
        stored = b"".join(value for key in client.scan_iter(count=1000) if (value := client.get(key)))
    finally:
        client.close()
    return sum(query.encode() in stored for query in queries)


def _expect_search_field(tab: Page, n: int) -> None:
    """The tab shows its page again; if not, what it shows instead (the failure says)."""
    try:
        tab.locator("input[name=query]").wait_for(timeout=RECOVERY_SECONDS * 1000)
    except Exception as error:
        sockets = _sockets(tab)
        text = tab.locator("body").inner_text()[:600]
        raise AssertionError(
            f"tab {n} at {tab.url} shows no search field; sockets opened {sockets['opens']}, closed"
            f" {sockets['closes']}; last frames {sockets['latest'][-800:]!r}; page text {text!r}"
        ) from error


def _sockets(page: Page) -> dict:
    return page.evaluate(
        "({opens: __sockets.opens, closes: __sockets.closes,"
        " latest: __sockets.frames.filter(f => f[0] === __sockets.opens).map(f => f[1]).join('\\n')})"
    )


def _cpu_seconds() -> float:
    """CPU time used so far by this test process and its children: Chromium and the production
    server (a killed worker's time drops out of the count)."""
    total = 0.0
    for process in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


# How long a tab may take to come back after a fault: 6-44 s were seen at load average 21-50
# (socket.io's reconnection back-off, 50 tabs reconnecting at once); 30 s failed one CI run.
RECOVERY_SECONDS = 90


def _wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.25)


def test_fifty_tabs_survive_a_killed_backend_worker_and_a_redis_restart(
    browser: Browser,
    production_server: ProductionServer,
    production_database: str,
    own_redis: OwnRedis | None,
):
    """Issue 25, faults survived, the web tier: two backend workers on Redis and 50 signed-in tabs,
    each with a search of its own in its state. One worker is SIGKILLed: the supervisor starts a
    new one, and every tab of the dead worker reconnects by itself under its own token, hydrated
    with its own search (the state in Redis, not a blank page). Redis is then restarted without
    its data: every tab reconnects by itself, is still signed in on its page (the session is in
    the database, its token in the browser), and searches again."""
    if own_redis is None:
        pytest.skip("the web tier's fault test needs TEST_REDIS_URL (a machine with redis-server)")
    world = _staff_with_customers(production_database, TABS)
    route = production_server.base_url + routes.STAFF_CUSTOMERS
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(30_000)
    context.add_init_script(SOCKET_WATCH)
    context.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{world.token}')")
    began, cpu_before = time.monotonic(), _cpu_seconds()
    try:
        tabs = []
        for _ in range(TABS):
            tab = context.new_page()
            tab.goto(route, wait_until="commit")
            tabs.append(tab)
        for n, tab in enumerate(tabs):
            _search(tab, world.query(n))
        for n, tab in enumerate(tabs):
            expect(tab.locator(f"tr[data-customer='{world.customer_ids[n]}']")).to_be_visible()
        # A worker keeps a tab's state in memory for REFLEX_OPLOCK_HOLD_TIME after its last event
        # and writes it to Redis then; what a tab did in those last seconds dies with a killed
        # worker (README, Production). The kill comes once every search is in Redis (a fixed
        # sleep of the hold time was too short at load: the last tab's write came later).
        opened_in = time.monotonic() - began
        _wait_for(
            lambda: _queries_in_redis(own_redis, [world.query(n) for n in range(TABS)]) == TABS,
            OPLOCK_HOLD_SECONDS + RECOVERY_SECONDS,
            "the workers write every tab's search to Redis",
        )

        # SIGKILL the worker holding the most tabs.
        workers = production_server.backend_workers()
        assert len(workers) == 2
        victim = max(workers, key=lambda worker: len(worker.net_connections("tcp")))
        os.kill(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        _wait_for(
            lambda: sum(_sockets(tab)["closes"] for tab in tabs) > 0, 10, "a tab of the dead worker notices"
        )
        moved = [n for n, tab in enumerate(tabs) if _sockets(tab)["closes"]]

        for n in moved:
            tab = tabs[n]
            _wait_for(lambda tab=tab: _sockets(tab)["opens"] >= 2, RECOVERY_SECONDS, f"tab {n} reconnects")
            # Hydrated on the new connection under its own token, with its own search.
            _wait_for(
                lambda tab=tab, n=n: world.query(n) in _sockets(tab)["latest"],
                RECOVERY_SECONDS,
                f"tab {n} hydrates",
            )
            assert "new_token" not in _sockets(tab)["latest"], f"tab {n} was given a new, empty state"
        reconnected_in = time.monotonic() - killed_at
        for n, tab in enumerate(tabs):
            expect(tab.locator(f"tr[data-customer='{world.customer_ids[n]}']")).to_be_visible()
        assert moved, "the killed worker held no tab"
        # The server lives on, with a new second worker.
        assert production_server.process.poll() is None
        _wait_for(lambda: len(production_server.backend_workers()) == 2, 30, "granian respawns the worker")
        assert victim.pid not in {worker.pid for worker in production_server.backend_workers()}

        # Redis restarted without its data: every tab's state is gone, its session is not.
        opens_before = [_sockets(tab)["opens"] for tab in tabs]
        own_redis.stop()
        time.sleep(1)
        own_redis.start()
        restarted_at = time.monotonic()
        for n, tab in enumerate(tabs):
            _wait_for(
                lambda tab=tab, n=n: _sockets(tab)["opens"] > opens_before[n],
                RECOVERY_SECONDS,
                f"tab {n} reconnects",
            )
        recovered_in = time.monotonic() - restarted_at
        for n, tab in enumerate(tabs):
            _expect_search_field(tab, n)
            _search(tab, world.query((n + 1) % TABS))
        for n, tab in enumerate(tabs):
            expect(tab.locator(f"tr[data-customer='{world.customer_ids[(n + 1) % TABS]}']")).to_be_visible()
            assert tab.url.rstrip("/").endswith(routes.STAFF_CUSTOMERS), f"tab {n} left its page: {tab.url}"
        print(
            f"{TABS} tabs open with their searches in {opened_in:.1f} s; {len(moved)} moved off the killed"
            f" worker, back in {reconnected_in:.1f} s; all {TABS} back {recovered_in:.1f} s after Redis"
            f" returned; {time.monotonic() - began:.1f} s in all, {_cpu_seconds() - cpu_before:.0f} CPU"
            f" seconds of Chromium, the server and this test (load average {os.getloadavg()[0]:.0f})"
        )
    finally:
        context.close()
