"""The key service in the browser at 1440x900, mail through a real SMTP server (aiosmtpd).

A distributor imports a CSV with a bad row (the preview names it; cancel writes nothing; confirm
writes the good rows), filters and selects all matching units, assigns read rights to a new
e-mail; the invited person registers through the mailed link, shows and downloads a key as a key
reader; the audit view lists each step. Every page is checked by axe.
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from app import routes
from app.db import session_scope
from app.i18n import translate, translate_count
from app.models import KeyReadRight, MeterKey, OrganisationKind, Role, User
from app.services.keys.sealing import add_key
from app.states.keys.display import format_count
from tests.e2e.conftest import DESKTOP, choose_language
from tests.e2e.test_accounts import assert_accessible
from tests.factories import add_account, add_organisation, new_unit_prefix
from tests.smtp_sink import SmtpSink, link_in

pytestmark = pytest.mark.e2e

PASSWORD = "Kobber#Maaler26"
READER_PASSWORD = "Fjord#Blueberry26"
UNITS = 60  # more than one page of 50


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def tc(key: str, count: int, **params) -> str:
    return translate_count(key, "nb", count=count, **params)


@dataclass
class Distributor:
    email: str
    prefix: str
    keys: dict[str, str]  # serial -> key hex of the units made before the test


@pytest.fixture
def distributor(app_harness) -> Distributor:
    """A distributor organisation of this test's own, with UNITS meters whose serials share a
    prefix (one per test: a test that imports or assigns changes what the next one would count)."""
    prefix = new_unit_prefix()
    keys: dict[str, str] = {}
    with session_scope() as db:
        org = add_organisation(db, OrganisationKind.DISTRIBUTOR, f"E2E Måleservice {uuid.uuid4().hex[:6]}")
        for n in range(UNITS):
            serial, key = f"{prefix}{n:04d}", os.urandom(16)
            add_key(db, serial, key, owner_id=org, model="MULTICAL 21", medium="water")
            keys[serial] = key.hex()
        account = add_account(
            db, Role.DISTRIBUTOR, organisation_id=org, name="Dina Distributør", password=PASSWORD
        )
    return Distributor(account.email, prefix, keys)


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(20_000)
    return context.new_page()


def _sign_in(page: Page, base_url: str, email: str, password: str, route: str = routes.KEYS_LOGIN) -> None:
    # The harness's dev server builds a route on its first request: on a loaded machine over 20 s.
    page.goto(base_url + route, timeout=90_000)
    page.get_by_label(t("accounts.email")).fill(email)
    page.get_by_label(t("accounts.password"), exact=True).fill(password)
    page.get_by_role("button", name=t("accounts.login")).click()


def _csv(prefix: str, tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    good = {f"{prefix}9{n:03d}": os.urandom(16).hex() for n in range(3)}
    bad_serial = f"{prefix}9999"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["serial", "kind", "model", "medium", "key"])
    for serial, key in good.items():
        writer.writerow([serial, "meter", "OMNIPOWER", "electricity", key])
    writer.writerow([bad_serial, "meter", "OMNIPOWER", "electricity", "ZZ" * 16])
    path = tmp_path / "keys.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path, good, bad_serial


def _stored(serials) -> set[str]:
    with session_scope() as db:
        return set(db.exec(select(MeterKey.serial).where(col(MeterKey.serial).in_(list(serials)))).all())


def _choose_and_preview(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=t("keys.page.import.choose"), exact=True).click()
    chooser.value.set_files(str(path))
    expect(page.get_by_text(path.name)).to_be_visible()
    page.get_by_role("button", name=t("keys.page.import.preview")).click()
    expect(page.get_by_role("heading", name=t("keys.page.import.preview_heading"))).to_be_visible()


def _import_csv(page: Page, base_url: str, distributor: Distributor, tmp_path: Path) -> dict[str, str]:
    path, good, bad_serial = _csv(distributor.prefix, tmp_path)
    page.goto(base_url + routes.KEYS_IMPORT)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("keys.page.import.title"))
    assert_accessible(page, "import")
    _choose_and_preview(page, path)
    bad_rows = page.locator("#bad-rows")
    expect(bad_rows.get_by_role("row").filter(has_text=bad_serial)).to_be_visible()
    expect(bad_rows.get_by_role("row").filter(has_text=bad_serial).locator("td").last).not_to_be_empty()
    expect(page.locator("#good-rows").get_by_role("rowheader")).to_have_count(len(good))
    assert_accessible(page, "import preview")
    page.get_by_role("button", name=t("keys.dialog.cancel")).click()
    expect(page.get_by_role("button", name=t("keys.page.import.choose"), exact=True)).to_be_visible()
    assert _stored([*good, bad_serial]) == set()

    _choose_and_preview(page, path)
    page.get_by_role("button", name=t("keys.page.import.confirm")).click()
    expect(page.get_by_role("status").filter(has_text=tc("keys.page.import.done", len(good)))).to_be_visible()
    assert _stored([*good, bad_serial]) == set(good)
    # The green "N keys imported" callout passes colour contrast (it failed: green 11 on green 3).
    assert_accessible(page, "import done")
    return good


def _select_all_matching_and_assign(
    page: Page, base_url: str, distributor: Distributor, reader: str, expected: int
) -> None:
    page.goto(base_url + routes.KEYS_HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("portal.keys.title"))
    page.get_by_label(t("keys.list.search")).fill(distributor.prefix)
    page.get_by_label(t("keys.list.kind"), exact=True).select_option(label=t("keys.list.kind.meter"))
    page.get_by_role("button", name=t("keys.list.apply"), exact=True).click()
    expect(page.get_by_text(tc("keys.list.total", expected)).first).to_be_visible()
    expect(page.locator("#unit-table tbody tr")).to_have_count(50)
    # Sorting by serial, descending: the header says so.
    serial_header = page.locator("#unit-table th").filter(has_text=t("keys.list.serial"))
    serial_header.get_by_role("button").click()
    expect(serial_header).to_have_attribute("aria-sort", "descending")
    serial_header.get_by_role("button").click()
    expect(serial_header).to_have_attribute("aria-sort", "ascending")
    assert_accessible(page, "key list")

    count = format_count(expected, "nb")
    page.get_by_role("button", name=t("keys.list.select_all_matching", count=count)).click()
    expect(page.locator("#selection-count")).to_have_text(t("keys.list.selected", count=count))
    first = page.get_by_role("checkbox", name=f"{t('keys.list.select_unit')} {distributor.prefix}0000")
    expect(first).to_be_checked()

    page.get_by_role("button", name=t("keys.list.edit_read_rights")).click()
    page.get_by_role("menuitem", name=t("keys.list.assign")).click()
    dialog = page.get_by_role("dialog", name=t("keys.dialog.assign_title"))
    expect(dialog).to_be_visible()
    assert_accessible(page, "assign dialog")
    dialog.get_by_label(t("keys.dialog.user_email")).fill(reader)
    dialog.get_by_role("button", name=t("keys.dialog.assign"), exact=True).click()
    expect(dialog).to_be_hidden()
    row = page.locator(f'#unit-table tr[data-unit="{distributor.prefix}0000"]')
    expect(row.get_by_role("button", name=re.compile(r": 1$"))).to_be_visible()


def _register_through_invitation(page: Page, smtp: SmtpSink, reader: str) -> None:
    page.goto(link_in(smtp.wait_for(reader)))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("accounts.activate_title"))
    page.get_by_label(t("accounts.name_optional")).fill("Rita Leser")
    page.get_by_label(t("accounts.password"), exact=True).fill(READER_PASSWORD)
    page.get_by_label(t("accounts.password_again")).fill(READER_PASSWORD)
    page.get_by_role("button", name=t("accounts.complete")).click()
    expect(page).to_have_url(re.compile(re.escape(routes.ACCOUNT_LOGIN)))


def _show_and_download(
    page: Page, base_url: str, reader: str, serial: str, key_hex: str, tmp_path: Path
) -> None:
    _sign_in(page, base_url, reader, READER_PASSWORD, route=routes.ACCOUNT_LOGIN)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_READER)))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("keys.reader.title"))
    row = page.locator(f'#reader-table tr[data-unit="{serial}"]')
    expect(row).to_be_visible()
    assert key_hex.upper() not in page.content().upper()  # hidden until "Show"
    assert_accessible(page, "key reader")
    row.get_by_role("button", name=f"{t('keys.reader.show_key_of')} {serial}").click()
    expect(row.locator("code")).to_have_text(key_hex.upper())
    # Once shown, the button hides the key again.
    row.get_by_role("button", name=f"{t('keys.reader.hide_key_of')} {serial}").click()
    expect(row.locator("code")).to_have_text("")
    expect(row.get_by_role("button", name=f"{t('keys.reader.show_key_of')} {serial}")).to_be_visible()

    # A controlled checkbox: it turns checked when the server's answer arrives.
    checkbox = row.get_by_role("checkbox", name=f"{t('keys.list.select_unit')} {serial}")
    checkbox.click()
    expect(checkbox).to_be_checked()
    expect(page.locator("#selection-count")).to_have_text(t("keys.list.selected", count="1"))
    with page.expect_download() as download:
        page.get_by_role("button", name=t("keys.reader.download")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    content = saved.read_text(encoding="utf-8")
    assert serial in content and key_hex.upper() in content.upper()


def _audit_shows_each_step(page: Page, base_url: str, reader: str, serials: list[str]) -> None:
    page.goto(base_url + routes.KEYS_AUDIT)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("keys.audit.title"))
    table = page.locator("#audit-table")
    expect(table.get_by_role("row").first).to_be_visible()
    assert_accessible(page, "audit")
    text = table.inner_text()
    for serial in serials:
        assert serial in text, serial
    # The reader's download is listed by its format's name, not its code.
    assert t("keys.audit.detail.format", format=t("keys.dialog.export.format.csv")) in text
    assert "format csv" not in text
    # The action filter names each action in the reader's language, key transfers included.
    actions = page.get_by_label(t("keys.audit.action")).locator("option").all_inner_texts()
    assert t("keys.audit.action.key.assign") in actions
    assert t("keys.audit.action.key.transfer_accept") in actions
    assert not any(a.startswith("key.") or "keys.audit" in a for a in actions)
    page.get_by_label(t("keys.audit.person")).fill(reader)
    page.get_by_role("button", name=t("keys.list.apply"), exact=True).click()
    expect(table.locator("tbody tr").first).to_contain_text(reader)
    # Waits for the filtered page (listing the rows at once raced the table's re-render).
    expect(table.locator("tbody tr").filter(has_not_text=reader)).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name=t("keys.audit.export_csv")).click()
    assert download.value.suggested_filename.endswith(".csv")


def test_import_assign_register_show_download_and_audit(
    browser: Browser, base_url, smtp, distributor, tmp_path
):
    page = _new_page(browser)
    _sign_in(page, base_url, distributor.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    imported = _import_csv(page, base_url, distributor, tmp_path)

    reader = f"rita-{uuid.uuid4().hex[:8]}@example.org"
    _select_all_matching_and_assign(page, base_url, distributor, reader, UNITS + len(imported))

    reader_page = _new_page(browser)
    _register_through_invitation(reader_page, smtp, reader)
    serial = f"{distributor.prefix}0000"
    _show_and_download(reader_page, base_url, reader, serial, distributor.keys[serial], tmp_path)

    _audit_shows_each_step(page, base_url, reader, [serial, *imported])
    page.context.close()
    reader_page.context.close()


def _stored_key_hex(serial: str) -> str:
    from app.services.keys.worker_keys import key_for_serial

    with session_scope() as db:
        return key_for_serial(db, serial).encryption_key.hex()


def test_an_import_replaces_an_existing_key_only_when_ticked(
    browser: Browser, base_url, distributor, tmp_path
):
    existing, new = f"{distributor.prefix}0059", f"{distributor.prefix}8000"
    new_key = os.urandom(16).hex()
    path = tmp_path / "replace.csv"
    path.write_text(
        f"serial,kind,model,medium,key\n{existing},meter,MULTICAL 21,water,{new_key}\n"
        f"{new},meter,OMNIPOWER,electricity,{os.urandom(16).hex()}\n",
        encoding="utf-8",
    )
    page = _new_page(browser)
    _sign_in(page, base_url, distributor.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    page.goto(base_url + routes.KEYS_IMPORT)
    _choose_and_preview(page, path)
    replacing_row = page.locator("#good-rows").get_by_role("row").filter(has_text=existing)
    expect(replacing_row).to_contain_text(t("keys.page.import.replaces"))
    expect(replacing_row).to_contain_text(t("keys.list.medium.water"))
    expect(page.locator("#import-replacing")).to_contain_text(tc("keys.page.import.replacing", 1))
    # The summary does not count the skipped row among those that "can be imported".
    expect(page.locator("#import-summary")).to_contain_text(tc("keys.page.import.summary_new", 1))
    expect(page.locator("#import-summary")).to_contain_text(tc("keys.page.import.summary_existing", 1))
    assert_accessible(page, "import preview replacing")
    # Not ticked: the existing unit keeps its key and the page says it was skipped.
    page.get_by_role("button", name=t("keys.page.import.confirm")).click()
    expect(page.locator("#import-skipped")).to_contain_text(existing)
    assert _stored_key_hex(existing) == distributor.keys[existing]
    assert _stored([new]) == {new}
    # Ticked: the key is replaced.
    _choose_and_preview(page, path)
    page.get_by_label(t("keys.page.import.replace_existing")).check()
    page.get_by_role("button", name=t("keys.page.import.confirm")).click()
    expect(page.get_by_role("status").filter(has_text=tc("keys.page.import.done", 2))).to_be_visible()
    assert _stored_key_hex(existing) == new_key
    page.context.close()


@pytest.fixture
def other_distributor(app_harness) -> str:
    """The e-mail of another organisation's distributor: someone who can never use read rights."""
    with session_scope() as db:
        org = add_organisation(
            db, OrganisationKind.DISTRIBUTOR, f"E2E Annen Distributør {uuid.uuid4().hex[:6]}"
        )
        return add_account(
            db, Role.DISTRIBUTOR, organisation_id=org, name="Odd Annen", password=PASSWORD
        ).email


def _readers_of(serial: str) -> list[str]:
    with session_scope() as db:
        return list(
            db.exec(
                select(User.email)
                .join(KeyReadRight, col(KeyReadRight.user_id) == User.id)
                .join(MeterKey, col(MeterKey.id) == KeyReadRight.unit_id)
                .where(MeterKey.serial == serial)
            ).all()
        )


def _list_by_prefix(page: Page, base_url: str, search: str) -> None:
    if not re.search(re.escape(routes.KEYS_HOME) + "/?$", page.url):
        page.goto(base_url + routes.KEYS_HOME)
    # A loaded machine's dev server may take longer than expect's 5 s to draw the list.
    expect(page.get_by_role("heading", level=1)).to_have_text(t("portal.keys.title"), timeout=20_000)
    expect(page.locator("#unit-table tbody tr").first).to_be_visible(timeout=20_000)
    page.get_by_label(t("keys.list.search")).fill(search)
    page.get_by_role("button", name=t("keys.list.apply"), exact=True).click()


def _tick(page: Page, serial: str) -> None:
    checkbox = page.get_by_role("checkbox", name=f"{t('keys.list.select_unit')} {serial}")
    checkbox.click()
    expect(checkbox).to_be_checked()


def _open_assign(page: Page):  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=t("keys.list.edit_read_rights")).click()
    page.get_by_role("menuitem", name=t("keys.list.assign")).click()
    dialog = page.get_by_role("dialog", name=t("keys.dialog.assign_title"))
    expect(dialog).to_be_visible()
    return dialog


def _filters_on_one_row(page: Page) -> bool:
    return page.evaluate("""() => {
        const boxes = [...document.querySelector('form[role=search]').firstElementChild.children]
            .map(child => child.getBoundingClientRect());
        return Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom));
    }""")


def test_the_key_list_uses_1440_px_pages_at_the_top_and_returns_there_after_next(
    browser: Browser, base_url, distributor
):
    page = _new_page(browser)
    _sign_in(page, base_url, distributor.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    expect(page.locator("#unit-table tbody tr").first).to_be_visible()
    # The list takes the window's width (it was a 1,152 px column) and the filters fit on one row.
    assert page.locator("#unit-table").bounding_box()["width"] > 1350
    assert _filters_on_one_row(page)
    # "Edit read rights" looks disabled while nothing is selected (it looked like an active button).
    edit = page.get_by_role("button", name=t("keys.list.edit_read_rights"))
    expect(edit).to_be_disabled()
    expect(edit).to_have_attribute("data-disabled", "")
    disabled_look = edit.evaluate("button => getComputedStyle(button).backgroundColor")
    _list_by_prefix(page, base_url, distributor.prefix)
    expect(page.get_by_text(t("keys.list.page_of", page=1, pages=2)).first).to_be_visible()
    _tick(page, f"{distributor.prefix}0001")
    expect(edit).to_be_enabled()
    expect(edit).not_to_have_attribute("data-disabled", "")
    assert edit.evaluate("button => getComputedStyle(button).backgroundColor") != disabled_look
    assert_accessible(page, "key list with pagers")

    top = page.get_by_role("navigation", name=t("keys.list.paging_top"))
    bottom = page.get_by_role("navigation", name=t("keys.list.paging"), exact=True)
    expect(top.get_by_role("button", name=t("keys.list.next"))).to_be_enabled()
    bottom.get_by_role("button", name=t("keys.list.next")).scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500
    bottom.get_by_role("button", name=t("keys.list.next")).click()
    expect(top).to_contain_text(t("keys.list.page_of", page=2, pages=2))
    expect(page.locator(f'#unit-table tr[data-unit="{distributor.prefix}0050"]')).to_be_visible()
    # Back at the top of the list: the top pager is in view, below the sticky header.
    page.wait_for_function("""() => {
        const box = document.getElementById('unit-list-top').getBoundingClientRect();
        const header = document.querySelector('header').getBoundingClientRect();
        return box.top >= header.bottom - 1 && box.bottom <= window.innerHeight;
    }""")
    top.get_by_role("button", name=t("keys.list.previous")).click()
    expect(top).to_contain_text(t("keys.list.page_of", page=1, pages=2))

    # In English too the filters stay on one row.
    choose_language(page, "nb", "en")
    expect(page.get_by_role("button", name=translate("keys.list.apply", "en"), exact=True)).to_be_visible()
    assert _filters_on_one_row(page)
    page.context.close()


def test_pasted_serials_that_do_not_exist_are_named(browser: Browser, base_url, distributor):
    page = _new_page(browser)
    _sign_in(page, base_url, distributor.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    missing = f"{distributor.prefix}7777"
    _list_by_prefix(page, base_url, f"{distributor.prefix}0003\n{missing}\n{distributor.prefix}0004")
    expect(page.locator("#unit-table tbody tr")).to_have_count(2)
    expect(page.locator("#serials-not-found")).to_have_text(tc("keys.list.not_found", 1, serials=missing))
    assert_accessible(page, "serials not found")
    page.context.close()


def test_read_rights_refused_for_a_distributor_not_repeated_and_revoked_after_confirming(
    browser: Browser, base_url, smtp, distributor, other_distributor
):
    page = _new_page(browser)
    _sign_in(page, base_url, distributor.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    serial = f"{distributor.prefix}0020"
    _list_by_prefix(page, base_url, serial)
    expect(page.locator("#unit-table tbody tr")).to_have_count(1)
    _tick(page, serial)

    # Another organisation's distributor can never read keys here: refused beside the field.
    dialog = _open_assign(page)
    email_field = dialog.get_by_label(t("keys.dialog.user_email"))
    email_field.fill(other_distributor)
    dialog.get_by_role("button", name=t("keys.dialog.assign"), exact=True).click()
    expect(dialog.get_by_text(t("keys.error.not_a_reader"))).to_be_visible()
    expect(email_field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "assign refused")
    assert smtp.to(other_distributor) == [] and other_distributor not in _readers_of(serial)

    # A new reader: assigned and invited once; assigning the same unit again changes nothing.
    reader = f"rune-{uuid.uuid4().hex[:8]}@example.org"
    email_field.fill(reader)
    dialog.get_by_role("button", name=t("keys.dialog.assign"), exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(tc("keys.dialog.assigned_invited", 1, email=reader))).to_be_visible()
    smtp.wait_for(reader)
    assert "for 1 måler eller konsentrator " in smtp.to(reader)[0].get_body(("plain",)).get_content()
    dialog = _open_assign(page)
    dialog.get_by_label(t("keys.dialog.user_email")).fill(reader)
    dialog.get_by_role("button", name=t("keys.dialog.assign"), exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(tc("keys.dialog.already_assigned", 1, email=reader))).to_be_visible()
    assert len(smtp.to(reader)) == 1 and _readers_of(serial).count(reader) == 1

    # Revoking for the selection an address without rights says so beside the field.
    nobody = f"ingen-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_role("button", name=t("keys.list.edit_read_rights")).click()
    page.get_by_role("menuitem", name=t("keys.list.revoke_selected")).click()
    revoke = page.get_by_role("dialog", name=t("keys.dialog.revoke_title"))
    revoke.get_by_label(t("keys.dialog.user_email")).fill(nobody)
    revoke.get_by_role("button", name=t("keys.dialog.revoke"), exact=True).click()
    expect(revoke.get_by_text(t("keys.dialog.revoked_none", email=nobody))).to_be_visible()
    revoke.get_by_role("button", name=t("keys.dialog.cancel")).click()
    expect(revoke).to_be_hidden()

    # The readers panel's Revoke asks first; Cancel keeps the right, Revoke takes it.
    row = page.locator(f'#unit-table tr[data-unit="{serial}"]')
    row.get_by_role("button", name=re.compile(t("keys.list.readers_of"))).click()
    panel = page.get_by_role("dialog", name=re.compile(t("keys.dialog.readers_title")))
    expect(panel.get_by_role("rowheader", name=reader)).to_be_visible()
    revoke_button = panel.get_by_role("button", name=f"{t('keys.dialog.revoke')} {reader}")
    revoke_button.click()
    confirm = page.get_by_role("dialog", name=t("keys.dialog.revoke_reader_title"))
    expect(confirm).to_contain_text(reader)
    assert_accessible(page, "revoke confirmation")
    # Escape takes nothing, and the focus is back on the reader's "Revoke".
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(revoke_button).to_be_focused()
    assert reader in _readers_of(serial)
    revoke_button.click()
    confirm.get_by_role("button", name=t("keys.dialog.cancel")).click()
    expect(confirm).to_be_hidden()
    expect(panel.get_by_role("rowheader", name=reader)).to_be_visible()
    revoke_button.click()
    confirm.get_by_role("button", name=t("keys.dialog.revoke"), exact=True).click()
    expect(confirm).to_be_hidden()
    expect(panel.get_by_role("rowheader", name=reader)).to_have_count(0)
    expect(page.get_by_text(tc("keys.dialog.revoked", 1, email=reader))).to_be_visible()
    expect(panel.get_by_role("button", name=t("keys.dialog.close"))).to_be_focused()
    assert reader not in _readers_of(serial)


def test_a_key_reader_opening_the_audit_log_is_told_and_stays_in_the_key_portal(
    desktop_page: Page, base_url: str
):
    """Issue 21: a signed-in key reader on /nokler/logg read "You need to sign in to do this"."""
    from tests.e2e.conftest import sign_in_demo_account

    sign_in_demo_account(desktop_page, Role.KEY_READER)
    desktop_page.goto(base_url + routes.KEYS_AUDIT, wait_until="commit")
    expect(desktop_page.get_by_text(t("auth.no_access"))).to_be_visible()
    expect(desktop_page).to_have_url(re.compile(re.escape(routes.KEYS_READER) + "/?$"))
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(t("keys.reader.title"))
    expect(desktop_page.get_by_text(t("auth.denied"))).to_have_count(0)


def _age_sessions_of(email: str, minutes: int) -> None:
    """The person signed in ``minutes`` ago (their sessions' last authentication)."""
    from datetime import timedelta

    from app.clock import utcnow
    from app.models import UserSession

    with session_scope() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        for session in db.exec(select(UserSession).where(UserSession.user_id == user.id)).all():
            session.authenticated_at = utcnow() - timedelta(minutes=minutes)
            db.add(session)


def test_a_key_shown_an_hour_after_sign_in_asks_for_the_password_first(
    browser: Browser, base_url, distributor
):
    serial = f"{distributor.prefix}0042"
    page = _new_page(browser)
    _sign_in(page, base_url, distributor.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(routes.KEYS_HOME) + "/?$"))
    page.get_by_label(t("keys.list.search")).fill(serial)
    page.get_by_role("button", name=t("keys.list.apply"), exact=True).click()
    row = page.locator(f'#unit-table tr[data-unit="{serial}"]')
    row.get_by_role("button", name=re.compile(re.escape(f"{t('keys.list.readers_of')} {serial}"))).click()
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    _age_sessions_of(distributor.email, 60)
    panel.get_by_role("button", name=t("keys.list.show_key")).click()
    password = panel.get_by_label(t("keys.dialog.password"))
    expect(password).to_be_visible()
    expect(panel.locator("#unit-key")).to_have_text("")
    assert_accessible(page, "password asked before a key shows")
    password.fill(PASSWORD)
    panel.get_by_role("button", name=t("keys.dialog.reauth_confirm")).click()
    expect(panel.locator("#unit-key")).to_have_text(distributor.keys[serial].upper())
    expect(password).to_be_hidden()
    page.context.close()
