"""Issue 21 point 2: staff and administrators see a message that keeps failing, and send it again.

A mail of the demo grid company that was given up shows on the staff's start page and on the
administrator's page at 1440 px, axe-clean; "Send igjen" queues it again and it leaves the list.
"""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import OutboxMessage, OutboxStatus, Role, User
from app.services.notify.outbox import queue_mail
from tests.e2e.conftest import DESKTOP, sign_in_demo_account, wait_for_animations

pytestmark = pytest.mark.e2e


def _blocking_violations(page: Page) -> list[str]:
    wait_for_animations(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _given_up_mail_of_the_demo_grid_company() -> tuple[int, str]:
    address = f"inst-{uuid.uuid4().hex[:8]}@example.org"
    with session_scope() as db:
        grid = db.exec(select(User.organisation_id).where(User.email == "grid@demo.meterportal.no")).one()
        message = queue_mail(
            db,
            address,
            "installer_decision",
            "nb",
            organisation_id=grid,
            number=4711,
            status="Godkjent",
            reason="-",
        )
        # Given up in the same transaction: the app's own sender never sees it pending.
        message.status, message.attempts = OutboxStatus.FAILED.value, 8
        message.last_error = "[Errno 111] Connection refused"
        db.add(message)
        db.flush()
        return message.id or 0, address


def _page(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    return context.new_page()


def test_staff_see_a_given_up_mail_and_send_it_again(browser: Browser, base_url: str):
    message_id, address = _given_up_mail_of_the_demo_grid_company()
    page = _page(browser)
    sign_in_demo_account(page, Role.GRID_STAFF)
    page.goto(base_url + routes.STAFF_HOME)
    section = page.locator("#failing-messages-section")
    expect(section.get_by_role("heading", name=translate("outbox.title", "nb"))).to_be_visible()
    row = section.locator("tr", has_text=address)
    expect(row).to_contain_text("Gitt opp")
    expect(row).to_contain_text("Foranmelding 4711: Godkjent")
    assert _blocking_violations(page) == []
    row.get_by_role("button", name=translate("outbox.send_again_label", "nb", number=message_id)).click()
    expect(page.get_by_text(translate("outbox.sent_again", "nb"))).to_be_visible()
    expect(section.locator("tr", has_text=address)).to_have_count(0)
    with session_scope() as db:
        assert db.get(OutboxMessage, message_id).status != OutboxStatus.FAILED
    page.context.close()


def test_the_administrator_sees_it_too(browser: Browser, base_url: str):
    _, address = _given_up_mail_of_the_demo_grid_company()
    page = _page(browser)
    sign_in_demo_account(page, Role.ADMIN)
    page.goto(base_url + routes.ADMIN_HOME)
    expect(page.locator("#failing-messages-section tr", has_text=address)).to_contain_text("Gitt opp")
    assert _blocking_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    page.context.close()
