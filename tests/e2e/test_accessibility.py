"""Every page passes axe-core with no serious or critical violation, on a phone and a desktop,
and the header fits a 375 px phone."""

from __future__ import annotations

import os
import random
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import routes
from app.db import session_scope
from app.demo import DEMO_ACCOUNTS
from app.i18n import translate
from app.models import Medium, Organisation, PreNotification, Role, User
from app.services.caller import Caller
from app.services.keys.read_rights import assign_read_rights
from app.services.keys.sealing import add_key
from tests.e2e.conftest import (
    first_relationship,
    sign_in,
    sign_in_account,
    sign_in_demo_account,
    wait_for_animations,
)

pytestmark = pytest.mark.e2e

AXE = Axe()
BLOCKING = {"serious", "critical"}

# (route, who is signed in, a text that shows the page has loaded its data)
PAGES = [
    (routes.HOME, None, "landing.title"),
    (routes.PRIVACY, None, "privacy.title"),
    (routes.ACCESSIBILITY, None, "about.accessibility_title"),
    (routes.CUSTOMER_LOGIN, None, "customer.login_title"),
    (routes.KEYS_LOGIN, None, "portal.keys.title"),
    (routes.INSTALLER_LOGIN, None, "portal.installer.title"),
    (routes.CUSTOMER_HOME, Role.CUSTOMER, "nav.customer"),
    (routes.CUSTOMER_PROFILE, Role.CUSTOMER, "customer.profile"),
    (routes.CUSTOMER_CONSUMPTION, Role.CUSTOMER, "consumption.title"),
    (routes.STAFF_HOME, Role.GRID_STAFF, "nav.staff"),
    (routes.STAFF_LOGIN, None, "nav.staff"),
    (routes.ACCOUNT_LOGIN, None, "accounts.login_title"),
    (routes.STAFF_INGEST, Role.ADMIN, "ingest.title"),
    (routes.INSTALLER_HOME, Role.INSTALLER, "installer.title"),
    (routes.INSTALLER_NEW, Role.INSTALLER, "installer.new_title"),
    (routes.STAFF_NOTIFICATIONS, Role.GRID_STAFF, "staff.queue_title"),
    (routes.CUSTOMER_HAN, Role.CUSTOMER, "han.title"),
    (routes.CUSTOMER_SHARING, Role.CUSTOMER, "sharing.title"),
    (routes.CUSTOMER_INVOICES, Role.CUSTOMER, "invoices.heading"),
    (routes.STAFF_HAN, Role.GRID_STAFF, "han.queue_title"),
]
# Installers and grid staff work for an organisation: they sign in as its demo account.
ORGANISATION_ROLES = {Role.INSTALLER, Role.GRID_STAFF}


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings, each with the elements it names."""
    wait_for_animations(page)
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def _open(page: Page, base_url: str, route: str, role: Role | None, heading_key: str) -> None:
    if role in ORGANISATION_ROLES:
        sign_in_demo_account(page, role)
    elif role is not None:
        relationship_id = first_relationship(Medium.ELECTRICITY)[0] if role == Role.CUSTOMER else None
        sign_in(page, role, relationship_id)
    page.goto(base_url + route)
    # Sign-in pages add "– Logg inn" to the portal's name.
    expect(page.get_by_role("heading", level=1)).to_contain_text(translate(heading_key))


@pytest.mark.parametrize(("route", "role", "heading_key"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_page_has_no_serious_accessibility_violation(
    request, base_url: str, route: str, role: Role | None, heading_key: str, size: str
):
    page: Page = request.getfixturevalue(f"{size}_page")
    _open(page, base_url, route, role, heading_key)
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page) == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_each_consumption_level_has_no_serious_accessibility_violation(request, base_url: str, size: str):
    page: Page = request.getfixturevalue(f"{size}_page")
    _open(page, base_url, routes.CUSTOMER_CONSUMPTION, Role.CUSTOMER, "consumption.title")
    table = page.locator("#consumption-table")
    expect(table.locator("tbody tr[data-key]").first).to_be_visible()
    assert blocking_violations(page) == [], "year"
    # The table's row buttons are the keyboard way into a month and a day.
    table.locator("tbody tr[data-key] th button").last.click()
    expect(page.locator("#consumption-chart[data-level='month']")).to_be_visible()
    assert blocking_violations(page) == [], "month"
    table.locator("tbody tr[data-key] th button").first.click()
    expect(page.locator("#consumption-chart[data-level='day']")).to_be_visible()
    assert blocking_violations(page) == [], "day"
    page.get_by_role("button", name=translate("consumption.power"), exact=True).click()
    expect(page.locator("#consumption-chart[data-level='day'][data-mode='power']")).to_be_visible()
    assert blocking_violations(page) == [], "day, power"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_kr_view_at_each_level_has_no_serious_accessibility_violation(request, base_url: str, size: str):
    page: Page = request.getfixturevalue(f"{size}_page")
    _open(page, base_url, routes.CUSTOMER_CONSUMPTION, Role.CUSTOMER, "consumption.title")
    table = page.locator("#consumption-table")
    kroner = page.get_by_role("button", name=translate("consumption.kr"), exact=True)
    energy = page.get_by_role("button", name=translate("consumption.energy"), exact=True)
    expect(table.locator("tbody tr[data-key]").first).to_be_visible()
    kroner.click()
    expect(page.locator("#consumption-chart[data-level='year'][data-mode='kr']")).to_be_visible()
    expect(page.locator("#cost-table tbody tr").first).to_be_visible()
    assert blocking_violations(page) == [], "year, kr"
    # This month (the last row) has the estimate's callout too.
    energy.click()
    table.locator("tbody tr[data-key] th button").last.click()
    expect(page.locator("#consumption-chart[data-level='month']")).to_be_visible()
    kroner.click()
    expect(page.locator("#cost-estimate")).to_be_visible()
    assert blocking_violations(page) == [], "month, kr"
    energy.click()
    table.locator("tbody tr[data-key] th button").first.click()
    expect(page.locator("#consumption-chart[data-level='day']")).to_be_visible()
    kroner.click()
    expect(page.locator("#consumption-chart[data-level='day'][data-mode='kr']")).to_be_visible()
    expect(page.locator("#cost-table tbody tr").first).to_be_visible()
    assert blocking_violations(page) == [], "day, kr"


def _demo_notification(status: str) -> int:
    with session_scope() as db:
        firm = db.exec(select(Organisation).where(Organisation.org_number == "945678901")).one()
        return db.exec(
            select(PreNotification.id)
            .where(PreNotification.installer_firm_id == firm.id, PreNotification.status == status)
            .order_by(PreNotification.id)
        ).first()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_notification_pages_have_no_serious_accessibility_violation(request, base_url: str, size: str):
    page: Page = request.getfixturevalue(f"{size}_page")
    draft = _demo_notification("not_sent")
    sent = _demo_notification("for_approval")
    heading = translate("installer.notification", number=draft)
    sign_in_demo_account(page, Role.INSTALLER)
    page.goto(f"{base_url}{routes.INSTALLER_NOTIFICATION}?id={draft}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page) == [], "form"
    page.get_by_role("button", name=translate("installer.fetch")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert blocking_violations(page) == [], "fetch dialog"
    page.keyboard.press("Escape")
    page.goto(f"{base_url}{routes.INSTALLER_PRINT}?id={draft}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert blocking_violations(page) == [], "print version"
    staff_page = page.context.new_page()
    sign_in_demo_account(staff_page, Role.GRID_STAFF)
    staff_page.goto(f"{base_url}{routes.STAFF_NOTIFICATION}?id={sent}")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(
        translate("installer.notification", number=sent)
    )
    staff_page.wait_for_load_state("networkidle")
    assert blocking_violations(staff_page) == [], "staff notification"


def test_header_fits_a_phone_with_the_account_button_inside_the_screen(phone_page: Page, base_url: str):
    _open(phone_page, base_url, routes.CUSTOMER_HOME, Role.CUSTOMER, "nav.customer")
    viewport_width = phone_page.viewport_size["width"]
    header = phone_page.get_by_role("banner")
    account = header.get_by_role("button").last
    expect(account).to_be_visible()
    box = account.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport_width, box
    # Every control in the header is whole on the screen, with its 16 px gutter.
    for control in header.locator("button, a, [role=combobox]").all():
        edge = control.bounding_box()
        assert edge is None or edge["x"] + edge["width"] <= viewport_width - 8, (control, edge)
    phone_page.screenshot(path="/tmp/header-375.png")


# ---------------------------------------------------------------- the key service (desktop first)

KEY_READER_EMAIL = "a11y-reader@example.org"
DISTRIBUTOR = next(account for account in DEMO_ACCOUNTS if account.role is Role.DISTRIBUTOR)


@pytest.fixture(scope="module")
def key_people(app_harness) -> dict[str, str]:
    """The demo distributor with a unit of its own, and a key reader who may read it."""
    with session_scope() as db:
        distributor = db.exec(select(User).where(User.email == DISTRIBUTOR.email)).one()
        unit = add_key(
            db,
            f"KAM{random.randint(10**7, 10**8 - 1)}",
            os.urandom(16),
            owner_id=distributor.organisation_id,
            model="MULTICAL 21",
            medium="water",
        )
        caller = Caller(
            role=Role.DISTRIBUTOR, user_id=distributor.id, organisation_id=distributor.organisation_id
        )
        assign_read_rights(db, caller, [unit.id or 0], KEY_READER_EMAIL)
    return {"distributor": DISTRIBUTOR.email, "reader": KEY_READER_EMAIL}


KEY_PAGES = [
    (routes.KEYS_HOME, "distributor", "portal.keys.title"),
    (routes.KEYS_IMPORT, "distributor", "keys.page.import.title"),
    (routes.KEYS_AUDIT, "distributor", "keys.audit.title"),
    (routes.KEYS_READER, "reader", "keys.reader.title"),
]


@pytest.mark.parametrize(("route", "who", "heading_key"), KEY_PAGES, ids=[p[0] for p in KEY_PAGES])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_key_pages_have_no_serious_accessibility_violation(
    request, base_url: str, key_people, route: str, who: str, heading_key: str, size: str
):
    page: Page = request.getfixturevalue(f"{size}_page")
    sign_in_account(page, key_people[who])
    page.goto(base_url + route)
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(heading_key))
    if route in (routes.KEYS_HOME, routes.KEYS_READER):
        expect(page.locator("table tbody tr").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page) == []


def test_key_list_dialogs_have_no_serious_accessibility_violation(
    desktop_page: Page, base_url: str, key_people
):
    page = desktop_page
    sign_in_account(page, key_people["distributor"])
    page.goto(base_url + routes.KEYS_HOME)
    first_row = page.locator("#unit-table tbody tr").first
    expect(first_row).to_be_visible()
    # The readers panel opens from the keyboard: Tab to the row's readers button, Enter.
    first_row.get_by_role("button", name=re.compile(translate("keys.list.readers_of"))).focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    assert blocking_violations(page) == [], "readers panel"
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    first_row.get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    expect(page.locator("#selection-count")).to_have_text(translate("keys.list.selected", count="1"))
    page.get_by_role("button", name=translate("keys.list.export")).click()
    expect(page.get_by_role("dialog", name=translate("keys.dialog.export.title"))).to_be_visible()
    assert blocking_violations(page) == [], "export dialog"
