"""Issue 24 in the browser. A grid-company administrator at 1440x900 changes a job type's Swedish
name (the installer sees it in Swedish), issues and revokes an installation-API token (the revoked
token gets 401), changes the HAN target and the capacity steps from a date (the month before keeps
the old steps in the customer's chart); a customer on a phone (375x812) sees the promised date and
orders; a tenant is refused; an order past its date stands out for staff; staff find a customer by
part of the metering point ID and open them. axe-core on every new page; the forms by keyboard."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from reflex.config import get_config
from sqlmodel import select

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import (
    CustomerRelationship,
    HanPortOrder,
    Installation,
    Medium,
    Organisation,
    Role,
)
from app.services.consumption.tariffs import capacity_steps_for_month
from app.services.han.service_settings import local_today
from app.services.working_days import add_working_days
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    has_horizontal_overflow,
    sign_in,
    sign_in_demo_account,
    wait_for_animations,
)
from tests.factories import new_customer

pytestmark = pytest.mark.e2e

AXE = Axe()
LYSNETT = "912345678"
FIRM = "Elektro Trøndelag AS"
NEW_STEPS = "0: 100\n1: 200\n3: 300\n7: 400"


def t(key: str, language: str = "nb", **params) -> str:
    return translate(key, language, **params)


def blocking_violations(page: Page) -> list[str]:
    wait_for_animations(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in AXE.run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _page(browser: Browser, viewport: dict[str, int], **extra) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, **extra)
    context.set_default_timeout(30_000)
    return context.new_page()


def _grid() -> int:
    with session_scope() as db:
        return db.exec(select(Organisation.id).where(Organisation.org_number == LYSNETT)).one()


def _owners_without_orders(owner: bool = True, *, with_data: bool = False) -> list[tuple[int, str, str]]:
    """[(relationship id, metering point ID, customer name)] of a Lysnett electricity customer of
    this test's own without any HAN order, on a meter of their own (``with_data``: on the first
    demo meter, with its readings, which no test orders for); a tenant with ``owner=False``."""
    customer = new_customer(Medium.ELECTRICITY, is_owner=owner, with_data=with_data)
    return [(customer.relationship_id, customer.metering_point_id, customer.name)]


def _look_up(token: str, meter: str) -> int:
    answer = httpx.get(
        f"{get_config().api_url}/api/installations",
        params={"meter": meter},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return answer.status_code


def test_the_administrator_names_a_job_type_in_swedish_issues_and_revokes_a_token(
    browser: Browser, base_url: str
):
    page = _page(browser, DESKTOP)
    sign_in_demo_account(page, Role.GRID_ADMIN)
    page.goto(base_url + routes.STAFF_SETTINGS)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("settings.title"))
    expect(page.locator("#job-types tbody tr").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page) == [], "settings page"
    assert not has_horizontal_overflow(page)

    # By keyboard: the row's Edit button, the Swedish name, Enter saves.
    edit = page.get_by_role("button", name=f"{t('settings.edit')} Anlegg med én måler")
    edit.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert blocking_violations(page) == [], "job type dialog"
    swedish = dialog.get_by_label(t("settings.name_sv"))
    swedish.fill("Anläggning med en mätare (nätbolaget)")
    swedish.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#change-log")).to_contain_text("Anläggning med en mätare (nätbolaget)")
    expect(edit).to_be_focused()

    installer = _page(browser, DESKTOP)
    sign_in_demo_account(installer, Role.INSTALLER)
    installer.add_init_script("window.localStorage.setItem('mp_language', 'sv')")
    installer.goto(base_url + routes.INSTALLER_NEW)
    installer.get_by_label(t("installer.grid_company", "sv")).select_option(label="Lysnett AS")
    installer.get_by_label(t("installer.installation_type", "sv")).select_option(
        label=t("installer.type.new_installation", "sv")
    )
    expect(
        installer.get_by_label(t("installer.job_type", "sv")).locator("option", has_text="(nätbolaget)")
    ).to_have_count(1)

    # A token for the firm: shown once, works; revoked, the API answers 401.
    page.get_by_role("button", name=f"{t('settings.tokens')} {FIRM}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(t("settings.label")).fill("Fagsystem 2027")
    dialog.get_by_role("button", name=t("settings.issue_token")).click()
    issued = page.locator("#issued-token")
    expect(issued).not_to_be_empty()
    token = issued.inner_text().strip()
    assert len(token) > 30
    assert blocking_violations(page) == [], "token dialog"
    with session_scope() as db:
        meter = db.exec(
            select(Installation.meter_number).where(Installation.grid_company_id == _grid())
        ).first()
    assert _look_up(token, meter) == 200
    dialog.get_by_role("button", name=f"{t('settings.revoke')} Fagsystem 2027").click()
    expect(dialog.locator("tbody tr").first).to_contain_text(t("settings.token_revoked"))
    assert _look_up(token, meter) == 401


def test_the_han_target_and_the_capacity_steps_from_a_date(browser: Browser, base_url: str):
    page = _page(browser, DESKTOP)
    sign_in_demo_account(page, Role.GRID_ADMIN)
    page.goto(base_url + routes.STAFF_SETTINGS)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("settings.title"))
    days = page.get_by_label(t("settings.completion_days"))
    expect(days).to_have_value("5")
    days.fill("0")
    page.locator("#save-han-service").click()
    expect(page.locator("#completion_days-error")).to_have_text(t("settings.invalid_days"))
    days.fill("7")
    days.press("Enter")
    expect(page.locator("#change-log")).to_contain_text("completion_days")

    # Capacity steps from the first of next month.
    page.get_by_role("link", name=t("settings.tariffs_link")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("tariffs.title"))
    today = local_today()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    page.get_by_label(t("tariffs.valid_from")).fill(next_month.isoformat())
    page.get_by_label(t("tariffs.fixed")).fill("100")
    page.get_by_label(t("tariffs.steps")).fill(NEW_STEPS)
    for name in ("energy_winter_day", "energy_winter_night", "energy_summer_day", "energy_summer_night"):
        page.get_by_label(t(f"tariffs.{name}")).fill("0,30")
    page.locator("#save-tariff").click()
    expect(page.locator("#tariff-periods tbody")).to_contain_text(next_month.strftime("%d.%m.%Y"))
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page) == [], "tariff page"
    with session_scope() as db:
        this_month = [step.lower_kw for step in capacity_steps_for_month(db, _grid(), today.replace(day=1))]
        new_month = [step.lower_kw for step in capacity_steps_for_month(db, _grid(), next_month)]
    assert new_month == [0, 1, 3, 7] and this_month != new_month

    # The customer's chart of this month keeps the old steps; the promise counts 7 working days.
    relationship_id, _, _ = _owners_without_orders(with_data=True)[0]
    phone = _page(browser, PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, Role.CUSTOMER, relationship_id)
    phone.goto(base_url + routes.CUSTOMER_HAN)
    promised = add_working_days(today, 7).strftime("%d.%m.%Y")
    expect(phone.locator("#han-promised-if-today")).to_contain_text(promised)
    phone.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    months = t("consumption.months").split(",")
    phone.get_by_role(
        "button", name=t("consumption.open", period=f"{months[today.month - 1]} {today.year}")
    ).click()
    basis = phone.locator("#capacity-basis")
    expect(basis).to_contain_text(t("consumption.capacity_title"))
    for label in ("0–1 kW", "1–3 kW", "3–7 kW", "> 7 kW"):
        expect(basis).not_to_contain_text(t("consumption.capacity_step", step=label))


def test_a_customer_sees_the_promised_date_and_orders_and_a_tenant_is_refused(
    browser: Browser, base_url: str
):
    relationship_id, _, _ = _owners_without_orders()[0]
    page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    sign_in(page, Role.CUSTOMER, relationship_id)
    page.goto(base_url + routes.CUSTOMER_HAN)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("han.title"))
    expect(page.locator("#han-promised-if-today")).to_contain_text(t("han.promised_if_today"))
    expect(page.locator("#han-service-facts")).to_contain_text("99,00")
    assert blocking_violations(page) == [], "customer HAN page"
    page.get_by_label(t("han.action.open")).check()
    page.get_by_label(t("han.delivery.pickup")).check()
    page.get_by_label(t("han.confirm")).check()
    page.get_by_role("button", name=t("han.send")).click()
    order = page.locator("#han-orders li").first
    expect(order).to_contain_text(t("han.status.received"))
    with session_scope() as db:
        due: date = db.exec(
            select(HanPortOrder.due_on).where(HanPortOrder.relationship_id == relationship_id)
        ).one()
    expect(order).to_contain_text(f"{t('han.promised_on')}: {due.strftime('%d.%m.%Y')}")
    assert not has_horizontal_overflow(page)

    tenant_id, _, _ = _owners_without_orders(owner=False)[0]
    tenant = _page(browser, PHONE, is_mobile=True, has_touch=True)
    sign_in(tenant, Role.CUSTOMER, tenant_id)
    tenant.goto(base_url + routes.CUSTOMER_HAN)
    expect(tenant.locator("#han-refusal")).to_have_text(t("han.tenant"))
    expect(tenant.get_by_role("button", name=t("han.send"))).to_have_count(0)
    assert blocking_violations(tenant) == [], "tenant's HAN page"


def test_an_order_past_its_date_stands_out_and_staff_find_a_customer(browser: Browser, base_url: str):
    relationship_id, point, name = _owners_without_orders()[-1]
    with session_scope() as db:
        relationship = db.get(CustomerRelationship, relationship_id)
        late = HanPortOrder(
            meter_id=relationship.meter_id,
            relationship_id=relationship_id,
            customer_id=relationship.customer_id,
            grid_company_id=relationship.utility_id,
            action="open",
            delivery="pickup",
            due_on=local_today() - timedelta(days=3),
        )
        db.add(late)
        db.flush()
        number = late.id
    staff = _page(browser, DESKTOP)
    sign_in_demo_account(staff, Role.GRID_STAFF)
    staff.goto(base_url + routes.STAFF_HAN)
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("han.queue_title"))
    staff.get_by_label(t("han.filter_overdue")).check()
    staff.get_by_role("button", name=t("han.apply_filter"), exact=True).click()
    row = staff.locator(f"#han-queue tr[data-id='{number}']")
    expect(row).to_have_attribute("data-overdue", "1")
    expect(row).to_contain_text(t("han.overdue"))
    staff.wait_for_load_state("networkidle")
    assert blocking_violations(staff) == [], "overdue queue"

    # The back office: part of the metering point ID, by keyboard, then the customer's page.
    staff.goto(base_url + routes.STAFF_CUSTOMERS)
    expect(staff.get_by_role("heading", level=1)).to_have_text(t("customers.title"))
    query = staff.get_by_label(t("customers.search_label"))
    query.fill(point[9:])
    query.press("Enter")
    link = staff.locator("#customer-hits").get_by_role("link", name=name).first
    expect(link).to_be_visible()
    assert blocking_violations(staff) == [], "customer search"
    link.focus()
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", level=1)).to_have_text(name)
    expect(staff.locator("#relationships")).to_contain_text(point)
    expect(staff.locator("#han-orders")).to_contain_text(str(number))
    staff.wait_for_load_state("networkidle")
    assert blocking_violations(staff) == [], "customer page"
    assert not has_horizontal_overflow(staff)
