"""Sharing a customer relationship in the browser (issue 27), on a phone (375x812): the owner
shares with a second mobile; that person signs in with it and sees the owner's consumption,
marked shared, but no profile or HAN page for it; the owner revokes while the other's page is
open and their next tap is refused with a clear message; an expired grant (clock moved) is gone.
axe-core on every new page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app import routes
from app.clock import running_from, utcnow
from app.db import session_scope
from app.i18n import translate
from app.models import (
    Medium,
    Role,
)
from app.services.customer.sharing import end_of_day, grant_access, local_today
from app.services.customer.visibility import first_name
from app.services.notify.sms import latest_sms_to
from app.services.sessions import resolve_principal, start_session
from tests.e2e.conftest import PHONE, SESSION_KEY, has_horizontal_overflow, sign_in, wait_for_animations
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


def _phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    return context.new_page()


def _owner() -> tuple[int, str]:
    """(relationship id, owner's name) of a customer of this test's own on a demo electricity
    meter with readings: nothing of theirs is shared or ordered by another test."""
    customer = new_customer(Medium.ELECTRICITY, with_data=True)
    return customer.relationship_id, customer.name


def _code_sent_to(mobile: str) -> str:
    with session_scope() as db:
        message = latest_sms_to(db, mobile)
        assert message is not None
        match = re.search(r"\b(\d{6})\b", message.body)
        assert match is not None, message.body
        return match.group(1)


def _open_sharing(page: Page, base_url: str) -> None:
    page.goto(base_url + routes.CUSTOMER_SHARING)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("sharing.title"))
    expect(page.locator("#grants")).to_be_visible()


def test_share_sign_in_as_the_other_revoke_while_open(browser: Browser, base_url: str):
    relationship_id, owner_name = _owner()
    name = first_name(owner_name)
    grantee_mobile = "+46701234571"
    owner = _phone(browser)
    sign_in(owner, Role.CUSTOMER, relationship_id)
    owner.goto(base_url + routes.CUSTOMER_PROFILE)
    owner.get_by_role("link", name=t("sharing.profile_link")).click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(t("sharing.title"))
    expect(owner.get_by_text(t("sharing.none"))).to_be_visible()
    assert blocking_violations(owner) == [], "share access, empty"

    # A mobile of neither Norway nor Sweden is refused next to its field.
    owner.get_by_label(t("sharing.mobile"), exact=True).fill("+45 20 12 34 56")
    owner.get_by_role("button", name=t("sharing.submit")).click()
    expect(owner.locator("#mobile-error")).to_have_text(t("sharing.mobile_not_nordic"))
    assert blocking_violations(owner) == [], "share access, refused"
    owner.get_by_label(t("sharing.mobile"), exact=True).fill(grantee_mobile)
    owner.get_by_role("button", name=t("sharing.submit")).click()
    row = owner.locator(".grant-row").first
    expect(row).to_contain_text("+46 70 123 45 71")
    expect(row).to_contain_text(t("sharing.status.active"))
    expect(owner.get_by_text(t("sharing.active_count.one", count=1))).to_be_visible()
    assert not has_horizontal_overflow(owner)
    assert blocking_violations(owner) == [], "share access, one grant"

    # The other person follows the SMS link and signs in with their own mobile.
    other = _phone(browser)
    other.goto(base_url + routes.CUSTOMER_LOGIN + "?delt=1")
    shared_tab = other.get_by_role("tab", name=t("customer.shared_login"))
    expect(shared_tab).to_have_attribute("aria-selected", "true")
    assert not has_horizontal_overflow(other)
    assert blocking_violations(other) == [], "shared sign-in"
    other.get_by_label(t("customer.shared_mobile"), exact=True).fill(grantee_mobile)
    other.get_by_role("button", name=t("customer.shared_send_code")).click()
    code_field = other.get_by_label(t("customer.code"), exact=True)
    expect(code_field).to_be_visible()  # the code is in the outbox by then
    code_field.fill(_code_sent_to(grantee_mobile))
    other.get_by_role("button", name=t("customer.confirm_code")).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(t("nav.customer"))
    expect(other.locator("#shared-note")).to_contain_text(t("sharing.shared_note", name=name))
    expect(other.get_by_text(re.compile("^" + re.escape(t("sharing.shared_by", name=name))))).to_be_visible()
    expect(other.get_by_role("link", name=t("han.go_to_orders"))).to_have_count(0)
    expect(other.get_by_role("link", name=t("customer.profile"))).to_have_count(0)
    assert not has_horizontal_overflow(other)
    assert blocking_violations(other) == [], "overview of a shared relationship"

    # No HAN page and no profile for it, even typed in.
    other.goto(base_url + routes.CUSTOMER_HAN)
    expect(other.get_by_text(t("sharing.not_shared"))).to_be_visible()
    expect(other).to_have_url(re.compile(re.escape(routes.CUSTOMER_HOME) + "/?$"))
    other.goto(base_url + routes.CUSTOMER_PROFILE)
    expect(other.get_by_text(t("sharing.not_shared")).first).to_be_visible()

    # Kari's consumption, open in the other's browser.
    other.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    expect(other.locator("#consumption-chart[data-level='year']")).to_be_visible()

    # The owner sees the use ("seen by … on …") and revokes while that page is open.
    _open_sharing(owner, base_url)
    seen = t("sharing.seen", mobile="+46 70 123 45 71", date="").strip()
    expect(owner.locator(".grant-row").first).to_contain_text(seen)
    owner.get_by_role("button", name=t("sharing.revoke_label", mobile="+46 70 123 45 71")).click()
    dialog = owner.get_by_role("alertdialog")
    expect(dialog).to_contain_text(t("sharing.revoke_title"))
    assert blocking_violations(owner) == [], "revoke question"
    dialog.get_by_role("button", name=t("sharing.revoke")).click()
    expect(owner.locator(".grant-row").first).to_contain_text(t("sharing.status.revoked", date="").strip())

    # The other's next tap is refused with a clear message, and they are out.
    other.get_by_role("button", name=t("consumption.power")).click()
    expect(other.get_by_text(t("sharing.access_ended")).first).to_be_visible()
    expect(other).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN)))


def test_an_expired_grant_is_gone(browser: Browser, base_url: str):
    relationship_id, _ = _owner()
    grantee_mobile = "+4741234572"
    today = local_today(utcnow())
    with session_scope() as db:  # shared until today, by the owner's own session
        owner_token = start_session(
            db, Role.CUSTOMER, relationship_id=relationship_id, client_address="127.0.7.20"
        )
        grant_access(
            db,
            resolve_principal(db, owner_token),
            mobile=grantee_mobile,
            consumption=True,
            invoices=False,
            until=today,
        )
    with running_from(end_of_day(today) + timedelta(minutes=1)):
        owner = _phone(browser)
        sign_in(owner, Role.CUSTOMER, relationship_id)
        _open_sharing(owner, base_url)
        row = owner.locator(".grant-row").first
        expect(row).to_contain_text(t("sharing.status.expired", date="").strip())
        expect(row.get_by_role("button")).to_have_count(0)
        expect(owner.get_by_text(t("sharing.active_count.other", count=0))).to_be_visible()

        other = _phone(browser)
        with session_scope() as db:
            token = start_session(
                db,
                Role.CUSTOMER,
                relationship_id=relationship_id,
                own_relationship_id=None,
                mobile=grantee_mobile,
            )
        other.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
        other.goto(base_url + routes.CUSTOMER_HOME)
        expect(other.get_by_text(t("sharing.access_ended")).first).to_be_visible()
        expect(other).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN)))
