"""HAN port orders in the browser: a customer on a phone (375x812) orders the port opened (a missing
choice is refused next to its field first), sees "Mottatt"; grid staff at 1440x900 take and complete
it; the customer sees "Utført" and got an SMS. axe-core on both sides; the customer's form by
keyboard alone; a heat meter's relationship gets an explanation and no form."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import HanPortOrder, Medium, Role
from app.services.notify.sms import latest_sms_to
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    first_relationship,
    has_horizontal_overflow,
    sign_in,
    sign_in_demo_account,
    wait_for_animations,
)
from tests.factories import new_customer

pytestmark = pytest.mark.e2e

AXE = Axe()


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def blocking_violations(page: Page) -> list[str]:
    wait_for_animations(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in AXE.run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _owner() -> tuple[int, str, str]:
    """(relationship id, meter serial, mobile) of an electricity customer of this test's own, who
    owns the installation, on a HAN-capable meter of their own (no order of any other test)."""
    customer = new_customer(Medium.ELECTRICITY)
    return customer.relationship_id, customer.meter_serial, customer.mobile


def _page(browser: Browser, viewport: dict[str, int], **extra) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, **extra)
    context.set_default_timeout(20_000)
    return context.new_page()


def _open_customer_page(page: Page, base_url: str, relationship_id: int) -> None:
    sign_in(page, Role.CUSTOMER, relationship_id)
    page.goto(base_url + routes.CUSTOMER_HAN)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("han.title"))


def _latest_order(relationship_id: int) -> int:
    with session_scope() as db:
        return db.exec(
            select(HanPortOrder.id)
            .where(HanPortOrder.relationship_id == relationship_id)
            .order_by(col(HanPortOrder.id).desc())
        ).first()


def test_order_take_complete_and_the_customer_sees_it_done(browser: Browser, base_url: str):
    relationship_id, serial, mobile = _owner()
    page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    _open_customer_page(page, base_url, relationship_id)
    meter_number = page.get_by_label(t("han.meter_number"), exact=True)
    expect(meter_number).to_have_value(serial)
    expect(meter_number).to_have_attribute("readonly", "")
    expect(page.locator("#han-port-state")).to_have_text(t("han.port.unknown"))
    assert blocking_violations(page) == [], "customer page"

    # Sent without choosing: each missing choice is named next to its own field, and nothing is ordered.
    page.get_by_role("button", name=t("han.send")).click()
    expect(page.locator("#action-error")).to_have_text(t("han.choose_action"))
    expect(page.locator("#delivery-error")).to_have_text(t("han.choose_delivery"))
    expect(page.locator("#confirm-error")).to_have_text(t("han.confirm_required"))
    expect(page.get_by_label(t("han.action.open"))).to_be_focused()
    expect(page.get_by_text(t("han.no_orders"))).to_be_visible()
    assert blocking_violations(page) == [], "customer page with errors"

    page.get_by_label(t("han.action.open")).check()
    page.get_by_label(t("han.delivery.post")).check()
    page.get_by_label(t("han.comment"), exact=True).fill("Til Tibber Pulse")
    page.get_by_label(t("han.confirm")).check()
    page.get_by_role("button", name=t("han.send")).click()
    order = page.locator("#han-orders li").first
    expect(order).to_contain_text(t("han.status.received"))
    expect(order).to_contain_text(t("han.action.open"))
    expect(order.get_by_role("button", name=t("han.cancel_order"))).to_be_visible()
    # One open order per meter: the form gives way to a note while this one is open.
    expect(page.get_by_text(t("han.open_order_note"))).to_be_visible()
    expect(page.get_by_role("button", name=t("han.send"))).to_have_count(0)
    assert not has_horizontal_overflow(page)
    number = _latest_order(relationship_id)

    # The grid company's staff take it from the queue and complete it.
    staff = _page(browser, DESKTOP)
    sign_in_demo_account(staff, Role.GRID_STAFF)
    staff.goto(base_url + routes.STAFF_HAN)
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("han.queue_title"))
    staff.locator("#han-queue").get_by_role("link", name=f"{t('han.col.number')} {number}").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("han.order_heading", number=number))
    expect(staff.get_by_text("Til Tibber Pulse")).to_be_visible()
    staff.wait_for_load_state("networkidle")
    assert blocking_violations(staff) == [], "staff order page"
    expect(staff.get_by_role("button", name=t("han.complete"))).to_be_disabled()
    staff.get_by_role("button", name=t("han.take")).click()
    expect(staff.locator("#han-order-status")).to_have_text(t("han.status.in_progress"))
    staff.get_by_role("button", name=t("han.complete")).click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_label(t("han.port_state_after"))).to_have_value("open")
    assert blocking_violations(staff) == [], "complete dialog"
    dialog.get_by_role("button", name=t("han.complete")).click()
    expect(staff.locator("#han-order-status")).to_have_text(t("han.status.completed"))
    expect(staff.get_by_role("dialog")).to_have_count(0)
    # Back in the queue (received orders by default) it is gone; the status filter finds it done.
    staff.goto(base_url + routes.STAFF_HAN)
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("han.queue_title"))
    staff.wait_for_load_state("networkidle")
    link = staff.locator("#han-queue").get_by_role("link", name=f"{t('han.col.number')} {number}")
    expect(link).to_have_count(0)
    staff.get_by_label(t("han.filter_status")).select_option(label=t("han.status.completed"))
    staff.get_by_role("button", name=t("han.apply_filter"), exact=True).click()
    expect(link).to_be_visible()
    expect(staff.locator(f"#han-queue tr[data-id='{number}']")).to_contain_text(t("han.status.completed"))
    assert blocking_violations(staff) == [], "staff queue"
    staff.context.close()

    # The customer sees it done, with the port's new state, and got an SMS.
    page.reload()
    order = page.locator(f"#han-orders li[data-id='{number}']")
    expect(order).to_contain_text(t("han.status.completed"))
    expect(page.locator("#han-port-state")).to_contain_text(t("han.port.open"))
    expect(page.get_by_role("button", name=t("han.send"))).to_be_visible()  # a new order is possible again
    with session_scope() as db:
        sms = latest_sms_to(db, mobile)
    assert sms is not None and t("han.sms.completed", number=number, state=t("han.port.open")) == sms.body
    page.context.close()


def test_the_order_form_works_by_keyboard_alone(browser: Browser, base_url: str):
    relationship_id, _, _ = _owner()
    page = _page(browser, PHONE)
    _open_customer_page(page, base_url, relationship_id)
    page.get_by_label(t("han.meter_number"), exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("han.action.open"))).to_be_focused()
    page.keyboard.press("ArrowDown")  # arrows pick within a group
    expect(page.get_by_label(t("han.action.close"))).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("han.delivery.post"))).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label(t("han.delivery.post"))).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("han.comment"), exact=True)).to_be_focused()
    page.keyboard.type("Stenges, takk")
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("han.confirm"))).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=t("han.send"))).to_be_focused()
    page.keyboard.press("Enter")
    order = page.locator("#han-orders li").first
    expect(order).to_contain_text(t("han.status.received"))
    expect(order).to_contain_text(t("han.action.close"))
    with session_scope() as db:
        placed = db.get(HanPortOrder, _latest_order(relationship_id))
        assert placed.action == "close" and placed.delivery == "post" and placed.comment == "Stenges, takk"
    # The customer changes their mind: the received order is cancelled from the keyboard too.
    order.get_by_role("button", name=t("han.cancel_order")).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_role("button", name=t("han.keep"))).to_be_focused()  # the safe choice first
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name=t("han.cancel_order"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(order).to_contain_text(t("han.status.cancelled"))
    page.context.close()


def test_a_heat_meter_gets_an_explanation_and_no_form(phone_page: Page, base_url: str):
    relationship_id, _ = first_relationship(Medium.HEAT)
    _open_customer_page(phone_page, base_url, relationship_id)
    expect(phone_page.locator("#han-refusal")).to_have_text(t("han.heat_explained"))
    expect(phone_page.get_by_role("button", name=t("han.send"))).to_have_count(0)
    assert blocking_violations(phone_page) == []


def test_a_visitor_following_the_landing_card_signs_in_first(phone_page: Page, base_url: str):
    phone_page.goto(base_url + routes.HOME)
    phone_page.get_by_role("link", name=t("portal.han.link")).click()
    expect(phone_page).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN) + r"\?next=%2Fmin-side%2Fhan"))
