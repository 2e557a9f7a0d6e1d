"""Min side on a phone: SMS first login, wrong codes, password account, logout, relationships."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import Medium, PrivacyConsent, UserSession
from app.services.customer.login_steps import find_customer_account
from app.services.customer.privacy_terms import PRIVACY_TERMS_PARAGRAPHS, PRIVACY_TERMS_VERSION
from app.services.mobile_numbers import normalise_mobile
from app.services.notify.sms import latest_sms_to
from app.services.sessions import hash_token
from tests.e2e.conftest import has_horizontal_overflow
from tests.factories import NewCustomer, new_customer

pytestmark = pytest.mark.e2e


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def _new_customer(relationships: int = 1) -> tuple[NewCustomer, list[NewCustomer]]:
    """A customer of this test's own with ``relationships`` relationships (one mobile), each on a
    demo electricity meter with readings."""
    first = new_customer(Medium.ELECTRICITY, with_data=True)
    more = [
        new_customer(Medium.ELECTRICITY, with_data=True, customer_id=first.customer_id)
        for _ in range(relationships - 1)
    ]
    return first, [first, *more]


def _sent_code(mobile: str) -> str:
    with session_scope() as db:
        message = latest_sms_to(db, mobile)
    assert message is not None, "no SMS in the dev outbox"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def _start_first_login(page: Page, base_url: str, relationship: NewCustomer, mobile: str):
    page.goto(base_url + routes.CUSTOMER_LOGIN)
    page.get_by_role("tab", name=t("customer.first_time")).click()
    page.get_by_label(t("customer.installation_number"), exact=True).fill(relationship.installation_number)
    page.get_by_label(t("customer.metering_point_id"), exact=True).fill(relationship.metering_point_id)
    page.get_by_label(t("customer.mobile"), exact=True).fill(mobile)
    consent = page.get_by_label(t("customer.consent"), exact=True)
    consent.click()
    expect(consent).to_be_checked()
    page.get_by_role("button", name=t("customer.send_code")).click()
    expect(page.get_by_text(t("customer.code_sent_to"))).to_be_visible()
    expect(page.get_by_text(re.compile(re.escape(mobile[-3:]) + "$"))).to_be_visible()
    # The cursor waits in the code field: a phone's keyboard opens for the code at once.
    expect(page.get_by_label(t("customer.code"), exact=True)).to_be_focused()


def _enter_code(page: Page, code: str):
    page.get_by_label(t("customer.code"), exact=True).fill(code)
    page.get_by_role("button", name=t("customer.confirm_code")).click()


def _sign_out(page: Page, name: str):
    page.get_by_role("button", name=name).click()
    page.get_by_role("menuitem", name=t("nav.logout")).click()
    # Issue 21: a customer signs out onto Min side's sign-in page, not the site's start page.
    expect(page).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN) + "$"))


def overview_card(page: Page):
    return page.get_by_label(t("customer.overview"), exact=True)


def _stored_token(page: Page) -> str:
    return page.evaluate("() => localStorage.getItem('mp_session') || ''")


def test_first_login_validates_fields_and_keeps_the_combination_secret(phone_page: Page, base_url: str):
    customer, (relationship, *_) = _new_customer()
    page = phone_page
    page.goto(base_url + routes.CUSTOMER_LOGIN)
    page.get_by_role("button", name=t("customer.send_code")).click()
    expect(page.get_by_text(t("form.required"))).to_have_count(3)
    expect(page.get_by_text(t("login.consent_required"))).to_be_visible()
    # A wrong combination gets one generic message, whichever field was wrong.
    page.get_by_label(t("customer.installation_number"), exact=True).fill(relationship.installation_number)
    page.get_by_label(t("customer.metering_point_id"), exact=True).fill("707057500000099999")
    page.get_by_label(t("customer.mobile"), exact=True).fill(customer.mobile)
    page.get_by_label(t("customer.consent"), exact=True).check()
    page.get_by_role("button", name=t("customer.send_code")).click()
    expect(page.get_by_role("alert").filter(has_text=t("login.no_match"))).to_be_visible()
    assert not has_horizontal_overflow(page)


def test_first_login_shows_the_privacy_terms_and_records_the_version(phone_page: Page, base_url: str):
    customer, (relationship, *_) = _new_customer()
    page = phone_page
    page.goto(base_url + routes.CUSTOMER_LOGIN)
    terms = page.locator("#privacy-terms")
    expect(terms.get_by_text(t("privacy.mobile_use"))).to_be_hidden()
    terms.get_by_text(t("privacy.title")).click()
    for key in PRIVACY_TERMS_PARAGRAPHS:
        expect(terms.get_by_text(t(key))).to_be_visible()
    expect(terms.get_by_text(PRIVACY_TERMS_VERSION)).to_be_visible()
    assert not has_horizontal_overflow(page)
    _start_first_login(page, base_url, relationship, customer.mobile)
    with session_scope() as db:
        versions = db.exec(
            select(PrivacyConsent.terms_version).where(
                PrivacyConsent.relationship_id == relationship.relationship_id
            )
        ).all()
    assert versions == [PRIVACY_TERMS_VERSION]


def test_five_wrong_codes_lock_the_code(phone_page: Page, base_url: str):
    customer, (relationship, *_) = _new_customer()
    page = phone_page
    _start_first_login(page, base_url, relationship, customer.mobile)
    right = _sent_code(customer.mobile)
    wrong = "000000" if right != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        _enter_code(page, wrong)
        expect(page.get_by_text(t("otp.wrong", tries_left=tries_left))).to_be_visible()
    _enter_code(page, wrong)
    expect(page.get_by_text(t("otp.locked"))).to_be_visible()
    _enter_code(page, right)  # the right code no longer helps
    expect(page).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN)))
    assert _stored_token(page) == ""


def test_customer_journey_password_logout_and_relationships(phone_page: Page, base_url: str):
    customer, (first, second, *_) = _new_customer(2)
    page = phone_page

    # 1. First login by invoice data and the SMS code.
    _start_first_login(page, base_url, first, customer.mobile)
    _enter_code(page, _sent_code(customer.mobile))
    expect(page).to_have_url(re.compile(re.escape(routes.CUSTOMER_HOME) + "/?$"))
    overview = overview_card(page)
    expect(overview.get_by_text(first.installation_number)).to_be_visible()
    expect(overview.get_by_text(first.metering_point_id)).to_be_visible()
    expect(overview.get_by_text(re.compile(r"kWh"))).to_be_visible()
    assert not has_horizontal_overflow(page)

    # 2. Create a password on the profile page.
    page.get_by_role("link", name=t("customer.profile")).click()
    page.get_by_label(t("customer.new_password"), exact=True).fill("password")
    page.get_by_label(t("customer.new_password_again"), exact=True).fill("password")
    page.get_by_role("button", name=t("customer.create_account")).click()
    expect(page.get_by_text(t("password.common"))).to_be_visible()
    page.get_by_label(t("customer.new_password"), exact=True).fill("Fjordvarme-Kveld-2026")
    page.get_by_label(t("customer.new_password_again"), exact=True).fill("Fjordvarme-Kveld-2026")
    page.get_by_role("button", name=t("customer.create_account")).click()
    expect(page.get_by_role("heading", name=t("customer.change_password"))).to_be_visible()

    # 3. Logout revokes the session on the server.
    token = _stored_token(page)
    assert token
    _sign_out(page, customer.name)
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
        assert row.revoked_at is not None
    page.goto(base_url + routes.CUSTOMER_HOME)
    # Refused: sent to Min side's sign-in page, which would bring them back here.
    expect(page).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN) + r"\?next="))

    # 4. Mobile + password on the browser that just proved the mobile by SMS and created the
    # account: remembered, no second code (issue 21.11; a new device gets a code, see
    # tests/services/test_customer_accounts.py).
    assert page.evaluate("() => localStorage.getItem('mp_device') || ''")

    def password_login():
        page.goto(base_url + routes.CUSTOMER_LOGIN)
        page.get_by_role("tab", name=t("customer.with_password")).click()
        page.get_by_label(t("customer.mobile"), exact=True).fill(customer.mobile)
        page.get_by_label(t("customer.password"), exact=True).fill("Fjordvarme-Kveld-2026")
        page.get_by_role("button", name=t("customer.login")).click()

    password_login()  # the remembered device needs no code
    expect(page).to_have_url(re.compile(re.escape(routes.CUSTOMER_HOME) + "/?$"))
    expect(overview_card(page).get_by_text(first.installation_number)).to_be_visible()
    _sign_out(page, customer.name)

    # 5. Sign in on the second relationship, link it to the account, switch back and forth.
    _start_first_login(page, base_url, second, customer.mobile)
    _enter_code(page, _sent_code(customer.mobile))
    expect(overview_card(page).get_by_text(second.installation_number)).to_be_visible()
    page.get_by_role("button", name=t("customer.link_current")).click()
    expect(page.get_by_role("button", name=t("customer.link_current"))).to_have_count(0)
    switch = page.get_by_role("button", name=re.compile("^" + re.escape(t("customer.switch"))))
    expect(switch).to_have_count(1)
    switch.click()
    expect(overview_card(page).get_by_text(first.installation_number)).to_be_visible()
    page.get_by_role("button", name=re.compile("^" + re.escape(t("customer.switch")))).click()
    expect(overview_card(page).get_by_text(second.installation_number)).to_be_visible()

    # 6. Deleting the account asks for its password, also in this session opened by SMS alone.
    page.get_by_role("link", name=t("customer.profile")).click()
    page.get_by_role("button", name=t("customer.delete_account")).click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_label(t("customer.delete_account_password")).fill("not the password")
    dialog.get_by_role("button", name=t("customer.delete_account_confirm")).click()
    expect(dialog.get_by_text(t("password.wrong"))).to_be_visible()
    dialog.get_by_label(t("customer.delete_account_password")).fill("Fjordvarme-Kveld-2026")
    dialog.get_by_role("button", name=t("customer.delete_account_confirm")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert _stored_token(page) == ""
    with session_scope() as db:
        assert find_customer_account(db, normalise_mobile(customer.mobile)) is None
