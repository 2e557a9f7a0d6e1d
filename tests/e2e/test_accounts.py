"""E-mail accounts in the browser at 1440x900, mail through a real SMTP server (aiosmtpd).

Register with the rules turning met while typing, complete by the mailed link, sign in and
out; reused and expired links refused; forgot password ending another open session; access
request approved by the administrator, then the key service. Every new page is checked by axe.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app import routes
from app.db import session_scope
from app.demo import DEMO_ACCOUNTS
from app.i18n import translate
from app.models import AccountTokenPurpose, Role
from app.models.base import utcnow
from app.services.accounts.tokens import issue_token
from tests.e2e.conftest import DESKTOP, has_horizontal_overflow, wait_for_animations
from tests.smtp_sink import SmtpSink, link_in

pytestmark = pytest.mark.e2e

PASSWORD = "Fjord#Blueberry26"
ADMIN = next(account for account in DEMO_ACCOUNTS if account.role is Role.ADMIN)
SERIOUS = {"serious", "critical"}


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    return context.new_page()


def _address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


def assert_accessible(page: Page, what: str) -> None:
    # Checked once the page is rendered: its heading and its title are there.
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile(r"\S"))
    wait_for_animations(page)
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [(n["html"][:200], n.get("failureSummary", "")) for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert serious == [], f"{what}: {serious}"
    assert not has_horizontal_overflow(page), what


def _rule(page: Page, rule: str):
    return page.locator(f'[data-rule="{rule}"]')


def _ask_for_activation(page: Page, base_url: str, smtp: SmtpSink, address: str) -> str:
    already = len(smtp.to(address))
    page.goto(base_url + routes.ACCOUNT_REGISTER)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("accounts.register_title"))
    page.get_by_label(t("accounts.email")).fill(address)
    page.get_by_role("button", name=t("accounts.send")).click()
    expect(page.get_by_role("status")).to_contain_text(t("accounts.activation_sent"))
    return link_in(smtp.wait_for(address, count=already + 1))


def _complete(page: Page, link: str, name: str = "", password: str = PASSWORD) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("accounts.activate_title"))
    if name:
        page.get_by_label(t("accounts.name_optional")).fill(name)
    page.get_by_label(t("accounts.password"), exact=True).fill(password)
    page.get_by_label(t("accounts.password_again")).fill(password)
    page.get_by_role("button", name=t("accounts.complete")).click()
    expect(page).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN)))


def _sign_in(
    page: Page, base_url: str, address: str, password: str = PASSWORD, route: str = routes.ACCOUNT_LOGIN
) -> None:
    page.goto(base_url + route)
    page.get_by_label(t("accounts.email")).fill(address)
    page.get_by_label(t("accounts.password"), exact=True).fill(password)
    page.get_by_role("button", name=t("accounts.login")).click()


def test_register_with_live_rules_complete_by_mail_sign_in_and_out(browser: Browser, base_url, smtp):
    page = _new_page(browser)
    address = _address("kari")
    page.goto(base_url + routes.ACCOUNT_REGISTER)
    assert_accessible(page, "register")
    link = _ask_for_activation(page, base_url, smtp, address)
    assert link.startswith(base_url + routes.ACCOUNT_ACTIVATE + "?token=")

    page.goto(link)
    expect(page.get_by_text(address)).to_be_visible()
    for rule in ("length", "lower", "upper", "digit", "special", "not_you"):
        expect(_rule(page, rule)).to_have_attribute("data-met", "false")
    assert_accessible(page, "activate")
    page.get_by_label(t("accounts.name_optional")).fill("Kari Berg")
    password_field = page.get_by_label(t("accounts.password"), exact=True)
    password_field.press_sequentially("berg")
    expect(_rule(page, "lower")).to_have_attribute("data-met", "true")
    expect(_rule(page, "not_you")).to_have_attribute("data-met", "false")  # contains the name
    expect(_rule(page, "upper")).to_have_attribute("data-met", "false")
    password_field.fill("")
    password_field.press_sequentially("Fjord#Blue")
    expect(_rule(page, "upper")).to_have_attribute("data-met", "true")
    expect(_rule(page, "special")).to_have_attribute("data-met", "true")
    expect(_rule(page, "length")).to_have_attribute("data-met", "true")
    expect(_rule(page, "digit")).to_have_attribute("data-met", "false")
    password_field.press_sequentially("berry26")
    for rule in ("length", "lower", "upper", "digit", "special", "not_you"):
        expect(_rule(page, rule)).to_have_attribute("data-met", "true")
    page.get_by_label(t("accounts.password_again")).fill(PASSWORD)
    page.get_by_role("button", name=t("accounts.complete")).click()
    expect(page).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN)))
    assert_accessible(page, "sign in")

    _sign_in(page, base_url, address)
    expect(page).to_have_url(re.compile(re.escape(routes.ACCOUNT_ACCESS)))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("access.title"))
    assert_accessible(page, "access request")
    token = page.evaluate("localStorage.getItem('mp_session')")
    assert token
    page.get_by_role("button", name="Kari Berg").click()
    page.get_by_role("menuitem", name=t("nav.logout")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    # The session is revoked on the server: the access page refuses it now.
    page.evaluate(f"localStorage.setItem('mp_session', '{token}')")
    page.goto(base_url + routes.ACCOUNT_ACCESS)
    expect(page).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN) + r"\?next="))
    page.context.close()


def test_reused_and_expired_activation_links_are_refused_clearly(browser: Browser, base_url, smtp):
    page = _new_page(browser)
    address = _address("reuse")
    link = _ask_for_activation(page, base_url, smtp, address)
    _complete(page, link)
    page.goto(link)
    expect(page.get_by_role("alert")).to_have_text(t("link.used"))
    expect(page.get_by_label(t("accounts.password"), exact=True)).to_have_count(0)

    with session_scope() as db:
        token = issue_token(
            db, AccountTokenPurpose.ACTIVATION, _address("late"), now=utcnow() - timedelta(hours=25)
        )
    page.goto(f"{base_url}{routes.ACCOUNT_ACTIVATE}?token={token}")
    expect(page.get_by_role("alert")).to_have_text(t("link.expired"))
    assert_accessible(page, "refused link")
    page.context.close()


def test_forgot_password_ends_another_open_session(browser: Browser, base_url, smtp):
    address = _address("glemt")
    first = _new_page(browser)
    _complete(first, _ask_for_activation(first, base_url, smtp, address))
    _sign_in(first, base_url, address)
    expect(first).to_have_url(re.compile(re.escape(routes.ACCOUNT_ACCESS)))

    second = _new_page(browser)
    second.goto(base_url + routes.ACCOUNT_FORGOT)
    assert_accessible(second, "forgot password")
    second.get_by_label(t("accounts.email")).fill(address)
    second.get_by_role("button", name=t("accounts.send")).click()
    expect(second.get_by_role("status")).to_contain_text(t("accounts.reset_sent"))
    link = link_in(smtp.wait_for(address, count=2))
    assert link.startswith(base_url + routes.ACCOUNT_RESET)
    second.goto(link)
    expect(second.get_by_role("heading", level=1)).to_have_text(t("accounts.reset_title"))
    assert_accessible(second, "reset password")
    new_password = "Kobber#Maaler26"
    second.get_by_label(t("accounts.password"), exact=True).fill(new_password)
    second.get_by_label(t("accounts.password_again")).fill(new_password)
    second.get_by_role("button", name=t("accounts.save_password")).click()
    expect(second).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN)))

    # The first browser's session has ended: its next request is refused.
    first.reload()
    expect(first).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN) + r"\?next="))
    _sign_in(second, base_url, address, new_password)
    expect(second).to_have_url(re.compile(re.escape(routes.ACCOUNT_ACCESS)))
    first.context.close()
    second.context.close()


def test_access_request_approved_then_the_key_service(browser: Browser, base_url, smtp):
    address = _address("dist")
    person = _new_page(browser)
    _complete(person, _ask_for_activation(person, base_url, smtp, address), name="Dina Strand")
    _sign_in(person, base_url, address, route=routes.KEYS_LOGIN)
    expect(person).to_have_url(re.compile(re.escape(routes.ACCOUNT_ACCESS)))
    person.get_by_label(t("role.distributor")).check()
    person.get_by_label(t("access.organisation_name")).fill("Måleservice Norge AS")
    person.get_by_role("button", name=t("access.send")).click()
    expect(person.get_by_role("status")).to_contain_text(t("access.pending"))
    assert_accessible(person, "access request pending")

    admin = _new_page(browser)
    _sign_in(admin, base_url, ADMIN.email, ADMIN.password)
    expect(admin).to_have_url(re.compile(re.escape(routes.ADMIN_HOME)))
    expect(admin.get_by_role("heading", name=address)).to_be_visible()
    assert_accessible(admin, "administration")
    # Issue 21: the administrator is told that requests wait (the menu counts them)...
    waiting = t("admin.requests_waiting", count=0).removesuffix("0")
    expect(
        admin.get_by_role("link", name=re.compile(re.escape(f"{t('nav.admin')}, {waiting}") + r"[1-9]"))
    ).to_be_visible()
    request_card = admin.locator(".rt-Card").filter(has=admin.get_by_role("heading", name=address))
    # ...and the new organisation's field holds the name the person typed.
    expect(request_card.get_by_label(t("admin.new_organisation"))).to_have_value("Måleservice Norge AS")
    option = request_card.locator("select option", has_text="Måleservice Norge AS").first
    request_card.locator("select").select_option(value=option.get_attribute("value"))
    request_card.get_by_role("button", name=f"{t('admin.approve')} {address}").click()
    expect(admin.get_by_role("heading", name=address)).to_have_count(0)
    approved = smtp.wait_for(address, count=2)
    assert approved["Subject"] == t("mail.access_approved.subject")

    admin.get_by_label(t("admin.search")).fill(address)
    admin.get_by_role("button", name=t("admin.apply")).click()
    expect(admin.get_by_role("rowheader", name=address)).to_be_visible()
    expect(admin.get_by_role("row").filter(has_text=address)).to_contain_text(t("role.distributor"))

    # The approval ended the person's session: their page sends them to sign in (no "sign out").
    person.reload()
    expect(person).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN) + r"\?next="))
    _sign_in(person, base_url, address, route=routes.KEYS_LOGIN)
    expect(person).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    expect(person.get_by_role("heading", level=1)).to_have_text(t("portal.keys.title"))
    assert_accessible(person, "key service start")
    person.context.close()
    admin.context.close()


@pytest.mark.parametrize("route", [routes.KEYS_LOGIN, routes.INSTALLER_LOGIN, routes.STAFF_LOGIN])
def test_every_portal_sign_in_page_is_accessible(desktop_page: Page, base_url, route):
    desktop_page.goto(base_url + route)
    expect(desktop_page.get_by_label(t("accounts.email"))).to_be_visible()
    assert_accessible(desktop_page, route)


def test_grid_staff_signs_in_on_the_staff_page_and_reaches_case_handling(browser: Browser, base_url):
    staff = next(account for account in DEMO_ACCOUNTS if account.role is Role.GRID_STAFF)
    page = _new_page(browser)
    _sign_in(page, base_url, staff.email, staff.password, route=routes.STAFF_LOGIN)
    expect(page).to_have_url(re.compile(re.escape(routes.STAFF_HOME) + "/?$"))
    expect(page.get_by_role("heading", level=1, name=t("nav.staff"))).to_be_visible()
    page.context.close()
