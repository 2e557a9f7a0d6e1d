"""Every dialog of the app from the keyboard: its button opens it, focus moves inside, Tab and
Shift+Tab stay inside, axe finds nothing serious, Escape closes it and focus is back on the
button that opened it. Dialogs close after their action succeeded, focus on the opener (or the
page's heading when the opener is now disabled), never on <body>."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import select

from app import routes
from app.clock import utcnow
from app.db import session_scope
from app.demo import DEMO_ACCOUNTS
from app.i18n import translate
from app.models import (
    GridArea,
    InstallationType,
    JobType,
    Medium,
    Organisation,
    Role,
    User,
    UserSession,
)
from app.services.caller import Caller
from app.services.customer.accounts import create_account
from app.services.han.orders import place_order
from app.services.installer.notifications import create_notification, save_notification, send_notification
from app.services.sessions import hash_token, resolve_principal, start_session
from tests.e2e.conftest import DESKTOP, PHONE, SESSION_KEY, sign_in
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import customer_session, new_customer
from tests.services.installer.installer_factories import FODSELSNUMMER, complete_values

pytestmark = pytest.mark.e2e

OPEN_DIALOG = "[role=dialog]:visible, [role=alertdialog]:visible"
FOCUS_IN_DIALOG = "() => !!document.activeElement?.closest('[role=dialog],[role=alertdialog]')"
TABBABLE = (
    "d => d.querySelectorAll('button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    'textarea:not([disabled]), select:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])\').length'
)


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def _page(browser: Browser, viewport: dict[str, int], **extra) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, **extra)
    context.set_default_timeout(20_000)
    return context.new_page()


def _account(role: Role) -> User:
    email = next(account.email for account in DEMO_ACCOUNTS if account.role is role)
    with session_scope() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        db.expunge(user)
        return user


def _signed_in(page: Page, user: User, *, minutes_ago: int = 0) -> None:
    with session_scope() as db:
        token = start_session(db, Role(user.role), user_id=user.id)
        if minutes_ago:
            session = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
            session.authenticated_at = utcnow() - timedelta(minutes=minutes_ago)
            db.add(session)
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")


def _caller(user: User) -> Caller:
    return Caller(role=Role(user.role), user_id=user.id, organisation_id=user.organisation_id)


def walk_dialog(page: Page, opener: Locator, *, name: str | re.Pattern[str], menu_item: str = "") -> None:
    """Open with the keyboard from ``opener`` (Enter; on a menu's button, Enter on ``menu_item``),
    Tab around inside, axe, Escape, focus back on the opener."""
    opener.focus()
    page.keyboard.press("Enter")
    if menu_item:
        item = page.get_by_role("menuitem", name=menu_item)
        expect(item).to_be_visible()
        item.focus()
        page.keyboard.press("Enter")
    dialog = page.locator(OPEN_DIALOG)
    expect(dialog).to_have_count(1)
    # Radix ends the title's accessible name with a space.
    expected = re.compile(f"^{re.escape(name)}\\s*$") if isinstance(name, str) else name
    expect(dialog).to_have_accessible_name(expected)
    page.wait_for_function(FOCUS_IN_DIALOG)
    stops = dialog.evaluate(TABBABLE)
    for step in range(stops + 2):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_IN_DIALOG), f"{name}: Tab {step + 1} left the dialog"
    for step in range(stops + 2):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(FOCUS_IN_DIALOG), f"{name}: Shift+Tab {step + 1} left the dialog"
    assert blocking_violations(page) == [], name
    page.keyboard.press("Escape")
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(opener).to_be_focused()


def _goto(page: Page, url: str) -> None:
    """Open ``url``; a cold dev server compiles a page for longer than a "load" wait, so wait for the
    navigation to commit and for the page's first content (in the test) for up to a minute."""
    page.goto(url, wait_until="commit")
    page.get_by_role("heading", level=1).wait_for(timeout=60_000)


# ------------------------------------------------------------------ installer and grid staff


def _notification(installer: User, *, sent: bool) -> int:
    with session_scope() as db:
        grid = db.exec(select(Organisation).where(Organisation.org_number == "912345678")).one()
        job = db.exec(select(JobType).where(JobType.grid_company_id == grid.id).order_by(JobType.id)).first()
        installation_type = db.get(InstallationType, job.installation_type_id)
        area = db.exec(select(GridArea).where(GridArea.grid_company_id == grid.id)).first()
        caller = _caller(installer)
        number = create_notification(
            db,
            caller,
            grid_company_id=grid.id,
            installation_type_id=installation_type.id,
            job_type_id=job.id,
            grid_area_id=area.id,
        )
        save_notification(db, caller, number, complete_values(), {"owner_id_number": FODSELSNUMMER})
        if sent:
            send_notification(db, caller, number)
    return number


def test_the_installers_dialogs_from_the_keyboard(browser: Browser, base_url: str):
    installer = _account(Role.INSTALLER)
    number = _notification(installer, sent=False)
    page = _page(browser, DESKTOP)
    _signed_in(page, installer)
    _goto(page, f"{base_url}{routes.INSTALLER_NOTIFICATION}?id={number}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(t("installer.notification", number=number), timeout=60_000)
    expect(page.locator("#installation_address")).to_have_value("Storgata 1")

    walk_dialog(page, page.locator("#tool-note"), name=t("installer.new_note"))
    walk_dialog(page, page.locator("#tool-delete"), name=t("installer.delete_title"))
    walk_dialog(page, page.locator("#tool-fetch"), name=t("installer.fetch_title"))
    # "Send now?" opens after the save that Send starts (issue 21.6: focus stayed behind it).
    walk_dialog(page, page.locator("#tool-send"), name=t("installer.send_title"))
    # Save on a draft asks too, as Elsmart's "Spara" does (issue 21.9); Escape keeps it Not sent.
    walk_dialog(page, page.locator("#tool-save"), name=t("installer.send_title"))
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.not_sent"))
    page.locator("#tool-save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alertdialog")).to_contain_text(t("installer.send_question"))
    page.get_by_role("alertdialog").get_by_role("button", name=t("installer.cancel")).click()
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(page.locator("#tool-save")).to_be_focused()
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.not_sent"))

    # A note added: the dialog closes and focus is back on "New note".
    page.locator("#tool-note").focus()
    page.keyboard.press("Enter")
    page.get_by_role("alertdialog").get_by_label(t("installer.note")).fill("Måler flyttes")
    page.get_by_role("alertdialog").get_by_role("button", name=t("installer.add_note")).click()
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(page.locator("#tool-note")).to_be_focused()

    # Sent with OK: Send is disabled now, so focus goes to the page's heading.
    page.locator("#tool-send").focus()
    page.keyboard.press("Enter")
    page.get_by_role("alertdialog").get_by_role("button", name=t("installer.ok")).click()
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.for_approval"))
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_focused()


def test_grid_staffs_dialogs_close_on_success(browser: Browser, base_url: str):
    number = _notification(_account(Role.INSTALLER), sent=True)
    page = _page(browser, DESKTOP)
    _signed_in(page, _account(Role.GRID_STAFF))
    _goto(page, f"{base_url}{routes.STAFF_NOTIFICATION}?id={number}")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("installer.notification", number=number))
    expect(page.locator("#staff-approve")).to_be_enabled()

    walk_dialog(page, page.locator("#staff-approve"), name=t("staff.approve_title"))
    walk_dialog(page, page.locator("#staff-reject"), name=t("staff.reject_title"))
    walk_dialog(page, page.locator("#staff-return"), name=t("staff.return_title"))
    walk_dialog(page, page.locator("#staff-note"), name=t("installer.new_note"))

    # Issue 21.1: Add note and Approve close their dialog once saved.
    page.locator("#staff-note").focus()
    page.keyboard.press("Enter")
    page.get_by_role("alertdialog").get_by_label(t("installer.note")).fill("Ringt kunden")
    page.get_by_role("alertdialog").get_by_role("button", name=t("installer.add_note")).click()
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(page.locator("#staff-note")).to_be_focused()
    page.locator("#staff-approve").focus()
    page.keyboard.press("Enter")
    page.get_by_role("alertdialog").get_by_role("button", name=t("staff.approve")).click()
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.approved"))
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_focused()  # Approve is disabled now


# ------------------------------------------------------------------ HAN port


def _han_order() -> tuple[int, int]:
    """A received order of an electricity customer of this test's own (relationship, order)."""
    customer = new_customer(Medium.ELECTRICITY)
    with session_scope() as db:
        caller = resolve_principal(db, customer_session(db, customer))
        number = place_order(
            db,
            caller,
            meter_number=customer.meter_serial,
            action="open",
            delivery="post",
            comment="",
            confirmed=True,
        )
    return customer.relationship_id, number


def test_han_dialogs_from_the_keyboard(browser: Browser, base_url: str):
    relationship_id, number = _han_order()
    customer = _page(browser, PHONE, is_mobile=True, has_touch=True)
    sign_in(customer, Role.CUSTOMER, relationship_id)
    _goto(customer, base_url + routes.CUSTOMER_HAN)
    cancel = customer.locator(f"#han-cancel-{number}")
    expect(cancel).to_be_visible()
    walk_dialog(customer, cancel, name=t("han.cancel_title"))

    staff = _page(browser, DESKTOP)
    _signed_in(staff, _account(Role.GRID_STAFF))
    _goto(staff, f"{base_url}{routes.STAFF_HAN_ORDER}?id={number}")
    expect(staff.locator("#han-take")).to_be_enabled()
    staff.locator("#han-take").click()
    expect(staff.locator("#han-complete")).to_be_enabled()
    walk_dialog(staff, staff.locator("#han-complete"), name=t("han.complete_title"))
    walk_dialog(staff, staff.locator("#han-reject"), name=t("han.reject_title"))
    walk_dialog(staff, staff.locator("#han-note"), name=t("han.note_title"))
    staff.locator("#han-note").focus()
    staff.keyboard.press("Enter")
    staff.get_by_role("dialog").get_by_label(t("han.note")).fill("Sendt i posten")
    staff.get_by_role("dialog").get_by_role("button", name=t("han.save_note")).click()
    expect(staff.locator(OPEN_DIALOG)).to_have_count(0)
    expect(staff.locator("#han-note")).to_be_focused()


def test_customer_profile_dialog_from_the_keyboard(browser: Browser, base_url: str):
    # A customer with a password account (only those can delete it), made for this test.
    customer = new_customer(Medium.ELECTRICITY, with_data=True)
    with session_scope() as db:
        token = customer_session(db, customer)
        create_account(db, resolve_principal(db, token), "Dialog#Test2026", "Dialog#Test2026")
    page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
    _goto(page, base_url + routes.CUSTOMER_PROFILE)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("customer.profile"))
    walk_dialog(page, page.locator("#delete-account"), name=t("customer.delete_account"))


# ------------------------------------------------------------------ keys


def test_key_dialogs_from_the_keyboard(browser: Browser, base_url: str):
    page = _page(browser, DESKTOP)
    # Signed in 6 minutes ago: an export asks for the password again.
    _signed_in(page, _account(Role.DISTRIBUTOR), minutes_ago=6)
    _goto(page, base_url + routes.KEYS_HOME)
    first_row = page.locator("#unit-table tbody tr").first
    expect(first_row).to_be_visible(timeout=30_000)
    readers = first_row.get_by_role("button", name=re.compile(translate("keys.list.readers_of")))
    walk_dialog(page, readers, name=re.compile(t("keys.dialog.readers_title")))
    first_row.get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    expect(page.locator("#selection-count")).to_have_text(translate("keys.list.selected", count="1"))

    menu = page.locator("#edit-read-rights")
    # Opened from a menu item: focus goes back to the menu's button (it fell to <body>, issue 21.6).
    walk_dialog(page, menu, menu_item=t("keys.list.assign"), name=t("keys.dialog.assign_title"))
    walk_dialog(page, menu, menu_item=t("keys.list.revoke_selected"), name=t("keys.dialog.revoke_title"))
    walk_dialog(page, page.locator("#revoke-everywhere"), name=t("keys.dialog.revoke_everywhere_title"))
    walk_dialog(page, page.locator("#export-keys"), name=t("keys.dialog.export.title"))

    # Export -> the password asked again: a second dialog that returns focus to the export button.
    page.locator("#export-keys").focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog").get_by_role("button", name=t("keys.dialog.export.download")).click()
    reauth = page.get_by_role("dialog", name=t("keys.dialog.reauth_title"))
    expect(reauth).to_be_visible()
    page.wait_for_function(FOCUS_IN_DIALOG)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_IN_DIALOG)
    assert blocking_violations(page) == [], "reauth"
    page.keyboard.press("Escape")
    expect(page.locator(OPEN_DIALOG)).to_have_count(0)
    expect(page.locator("#export-keys")).to_be_focused()
