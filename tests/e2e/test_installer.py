"""The installer portal in the browser at 1440x900 (the form also at 820x1180): create a
pre-notification, fetch installation data by meter number (100) and by an unknown EAN (201),
refused sending while a mandatory field is empty (fields red), complete and send, approve as
grid staff, and see the status as the installer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from app import routes
from app.db import session_scope
from app.demo.installer import DEMO_OWNER_NUMBER
from app.i18n import translate
from app.models import Installation, Organisation, PreNotification, Role
from tests.e2e.conftest import DESKTOP, has_horizontal_overflow, sign_in_demo_account

pytestmark = pytest.mark.e2e

TABLET = {"width": 820, "height": 1180}
UNKNOWN_EAN = "707057500000090002"


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def _page(browser: Browser, viewport: dict[str, int], role: Role) -> Page:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in_demo_account(page, role)
    return page


def _demo_installation() -> Installation:
    with session_scope() as db:
        grid = db.exec(select(Organisation).where(Organisation.org_number == "912345678")).one()
        return db.exec(
            select(Installation).where(Installation.grid_company_id == grid.id).order_by(Installation.id)
        ).first()


def _create(page: Page, base_url: str) -> int:
    page.goto(base_url + routes.INSTALLER_HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("installer.title"))
    page.get_by_role("link", name=t("installer.new")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("installer.new_title"))
    page.get_by_label(t("installer.grid_company")).select_option(label="Lysnett AS")
    page.get_by_label(t("installer.installation_type")).select_option(
        label=t("installer.type.new_installation")
    )
    job = page.get_by_label(t("installer.job_type"))
    expect(job.locator("option")).to_have_count(3)  # the placeholder and the two job types
    job.select_option(label="Anlegg med én måler")
    page.get_by_label(t("installer.grid_area")).select_option(index=1)
    page.get_by_role("button", name=t("installer.create")).click()
    page.wait_for_url(re.compile(r"/installator/anmelding\?id=\d+"))
    number = int(page.url.rsplit("=", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(t("installer.notification", number=number))
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.not_sent"))
    return number


def _fetch(page: Page, *, meter: str = "", ean: str = "") -> None:
    page.get_by_role("button", name=t("installer.fetch")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    if meter:
        dialog.get_by_label(t("installer.fetch_meter")).fill(meter)
    if ean:
        dialog.get_by_label(t("installer.fetch_ean")).fill(ean)
    dialog.get_by_role("button", name=t("installer.fetch_button"), exact=True).click()


def test_create_fetch_refuse_send_approve_and_see_the_status(browser: Browser, base_url: str):
    page = _page(browser, DESKTOP, Role.INSTALLER)
    number = _create(page, base_url)
    installation = _demo_installation()

    # Fetch by meter number: 100, "Yes" preselected on an empty notification, the data applied.
    _fetch(page, meter=installation.meter_number)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label(t("installer.yes"))).to_be_checked()
    expect(dialog.locator("#fetch-status-code")).to_have_text("100")
    expect(dialog.locator("#fetch-status-text")).to_have_text(t("installer.fetch_completed"))
    dialog.get_by_role("button", name=t("installer.update_and_close")).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#installation_address")).to_have_value(installation.address)
    expect(page.locator("#ean")).to_have_value(installation.ean)
    expect(page.locator("#owner_surname")).to_have_value(installation.owner_surname)

    # An unknown metering point ID: 201 with the API's reason; "No" preselected now.
    _fetch(page, ean=UNKNOWN_EAN)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label(t("installer.no"))).to_be_checked()
    expect(dialog.locator("#fetch-status-code")).to_have_text("201")
    expect(dialog.locator("#fetch-status-text")).to_have_text(
        "Request failed with http status code 404 (NotFound): Installation not found"
    )
    expect(dialog.get_by_role("button", name=t("installer.update_and_close"))).to_be_disabled()
    dialog.get_by_role("button", name=t("installer.close"), exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # Empty mandatory fields are red while empty; sending is refused with the list of them.
    fuse = page.locator("#main_fuse_after")
    assert fuse.evaluate("e => e.matches(':invalid')")
    page.get_by_role("button", name=t("installer.send")).click()
    # Refused at once: "Send now?" is never asked while a mandatory field is empty.
    alert = page.get_by_role("alert").filter(has_text=t("installer.send_missing"))
    expect(alert).to_contain_text(t("installer.field.main_fuse_after"))
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(fuse).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#owner_id_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.not_sent"))

    # Complete: the personal number (write-only), the fuse, the billing party copied from the owner.
    page.locator("#owner_id_number").fill(DEMO_OWNER_NUMBER)
    fuse.fill("32")
    page.get_by_role("button", name=t("installer.copy_owner")).click()
    expect(page.locator("#billing_surname")).to_have_value(installation.owner_surname)
    expect(page.locator("#main_fuse_after")).to_have_value("32")
    expect(page.locator("#owner_id_number")).to_have_value("")  # never read back
    page.get_by_role("button", name=t("installer.send")).click()
    page.get_by_role("alertdialog").get_by_role("button", name=t("installer.ok")).click()
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.for_approval"))
    with session_scope() as db:
        row = db.get(PreNotification, number)
        assert DEMO_OWNER_NUMBER.encode() not in (row.owner_id_number_sealed or b"")

    # The grid company's staff find it in their queue, see the number, and approve it.
    staff = _page(browser, DESKTOP, Role.GRID_STAFF)
    staff.goto(base_url + routes.STAFF_NOTIFICATIONS)
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("staff.queue_title"))
    staff.locator("#queue-table").get_by_role("link", name=str(number), exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("installer.notification", number=number))
    expect(staff.get_by_text(DEMO_OWNER_NUMBER)).to_have_count(0)  # shown on request only
    staff.locator("#show-owner-id-number").click()
    staff.locator("#show-billing-id-number").click()
    expect(staff.get_by_text(DEMO_OWNER_NUMBER)).to_have_count(2)  # owner and billing party
    staff.get_by_role("button", name=t("staff.approve")).click()
    # Approving asks first, like rejecting.
    approve_dialog = staff.get_by_role("alertdialog")
    expect(approve_dialog).to_contain_text(t("staff.approve_title"))
    approve_dialog.get_by_role("button", name=t("staff.approve")).click()
    expect(staff.locator("#notification-status")).to_have_text(t("installer.status.approved"))
    staff.context.close()

    # The installer sees the new status, on the notification and in the list.
    page.reload()
    expect(page.locator("#notification-status")).to_have_text(t("installer.status.approved"))
    expect(page.get_by_role("button", name=t("installer.save"))).to_be_disabled()
    page.goto(base_url + routes.INSTALLER_HOME)
    row = page.locator(f"#notification-table tr[data-id='{number}']")
    expect(row).to_contain_text(t("installer.status.approved"))
    page.context.close()


def test_no_fills_only_the_fields_empty_on_screen(browser: Browser, base_url: str):
    """Issue 21.7: "No" keeps what was typed but not saved, and fills what is empty on screen."""
    page = _page(browser, DESKTOP, Role.INSTALLER)
    _create(page, base_url)
    installation = _demo_installation()
    page.locator("#installation_address").fill("Skrevet gate 5")  # typed, never saved
    page.locator("#main_fuse_after").fill("40")
    _fetch(page, meter=installation.meter_number)
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("#fetch-status-code")).to_have_text("100")
    dialog.get_by_label(t("installer.no")).check()
    dialog.get_by_role("button", name=t("installer.update_and_close")).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#tool-fetch")).to_be_focused()
    expect(page.locator("#installation_address")).to_have_value("Skrevet gate 5")
    expect(page.locator("#main_fuse_after")).to_have_value("40")
    expect(page.locator("#owner_surname")).to_have_value(installation.owner_surname)
    expect(page.locator("#ean")).to_have_value(installation.ean)
    page.context.close()


def test_the_form_is_usable_on_a_tablet(browser: Browser, base_url: str):
    page = _page(browser, TABLET, Role.INSTALLER)
    number = _create(page, base_url)
    assert not has_horizontal_overflow(page)
    toolbar = page.get_by_role("toolbar")
    for key in ("installer.save", "installer.send", "installer.fetch", "installer.print"):
        button = toolbar.get_by_role("button", name=t(key))
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= TABLET["width"], key
    page.locator("#installation_address").fill("Tablettveien 1")
    page.get_by_role("button", name=t("installer.save")).click()
    expect(page.get_by_text(t("installer.saved"))).to_be_visible()
    with session_scope() as db:
        assert db.get(PreNotification, number).installation_address == "Tablettveien 1"
    page.context.close()


def test_the_ingest_page_without_sources_says_how_to_feed_data(browser: Browser, base_url: str):
    from app.models import IngestSource

    with session_scope() as db:
        if db.exec(select(IngestSource.id)).first() is not None:
            pytest.skip("a source has reported in this database")
    staff = _page(browser, DESKTOP, Role.ADMIN)  # the operator's page (issue 20.14)
    staff.goto(base_url + routes.STAFF_INGEST)
    expect(staff.get_by_text(t("ingest.none"))).to_be_visible()
    expect(staff.locator("#ingest-how")).to_contain_text("make demo-ingest")
    staff.context.close()
