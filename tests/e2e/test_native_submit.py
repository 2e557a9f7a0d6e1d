"""Issue 20.7, in the browser: Enter pressed before the page's scripts take over never puts a
secret into a URL. Only a production build serves prerendered forms (the dev server renders
them with the scripts that handle them), so this uses the one the browser tests share
(tests/e2e/production_server.py) and blocks every script so that the page never hydrates."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Route

from app import routes
from tests.e2e.conftest import DESKTOP
from tests.e2e.production_server import ProductionServer

pytestmark = pytest.mark.e2e

SECRET = "Hemmelig-Passord-7731"
# Every page a signed-out person can open that has a form taking a secret.
SIGN_IN_PAGES = [
    routes.ACCOUNT_LOGIN,
    routes.STAFF_LOGIN,
    routes.KEYS_LOGIN,
    routes.INSTALLER_LOGIN,
    routes.CUSTOMER_LOGIN,
    routes.ACCOUNT_REGISTER,
    routes.ACCOUNT_FORGOT,
]


def _no_scripts(route: Route) -> None:
    if route.request.resource_type == "script":
        route.abort()
    else:
        route.continue_()


def test_enter_before_hydration_puts_no_secret_in_any_url(
    browser: Browser, production_server: ProductionServer
):
    base_url = production_server.base_url
    context = browser.new_context(viewport=DESKTOP)
    context.route("**/*", _no_scripts)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        for route in SIGN_IN_PAGES:
            page.goto(base_url + route)
            fields = page.locator("form input:visible")
            assert fields.count() > 0, f"{route}: no prerendered form"
            typed = None
            for index in range(fields.count()):
                field = fields.nth(index)
                if field.get_attribute("type") in ("checkbox", "radio", "hidden", "submit"):
                    continue
                field.fill(SECRET if field.get_attribute("type") == "password" else f"{SECRET}{index}")
                typed = field
            assert typed is not None, f"{route}: nothing to type into"
            typed.press("Enter")
            page.wait_for_load_state()
            time.sleep(0.5)
        leaked = [url for url in requested if SECRET in url or "Hemmelig" in url]
        assert leaked == []
        assert any(routes.NO_NATIVE_SUBMIT in url for url in requested)  # Enter did submit
    finally:
        context.close()
