"""No password and no SMS code typed into a form ever reaches the state Reflex persists.

Reflex keeps each tab's state in memory, on disk (``.states/``) or in Redis, serialised with
pickle. The forms are uncontrolled, so what is typed goes to the handler with the submitted form
and nowhere else. This test types a code and passwords into every form that takes one, then
serialises every state of every tab the app holds, as the disk and Redis managers would, and
searches the bytes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from reflex.state import BaseState

from app import routes
from tests.e2e.test_customer_portal import (
    _enter_code,
    _new_customer,
    _sent_code,
    _sign_out,
    _start_first_login,
    t,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Nordlys-Sekret-4471"
WRONG_PASSWORD = "Feil-Passord-9182"


def _every_state(state: BaseState) -> list[BaseState]:
    found = [state]
    for substate in state.substates.values():
        found.extend(_every_state(substate))
    return found


def _persisted_bytes(app_harness) -> bytes:
    manager = app_harness.app_instance._state_manager
    roots = list(getattr(manager, "states", {}).values())
    assert roots, f"{type(manager).__name__} holds no state to search"
    payload = b"".join(state._serialize() for root in roots for state in _every_state(root))
    states_directory = getattr(manager, "states_directory", None)
    if states_directory is not None and states_directory.exists():
        payload += b"".join(path.read_bytes() for path in states_directory.glob("*.pkl"))
    return payload


def test_no_code_or_password_typed_reaches_the_persisted_state(phone_page: Page, base_url: str, app_harness):
    customer, (relationship,) = _new_customer()
    page = phone_page

    _start_first_login(page, base_url, relationship, customer.mobile)
    code = _sent_code(customer.mobile)
    _enter_code(page, "000000" if code != "000000" else "111111")  # a wrong code first
    expect(page.get_by_role("alert")).to_be_visible()
    _enter_code(page, code)
    expect(page).to_have_url(re.compile(re.escape(routes.CUSTOMER_HOME) + "/?$"))

    page.get_by_role("link", name=t("customer.profile")).click()
    page.get_by_label(t("customer.new_password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(t("customer.new_password_again"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("customer.create_account")).click()
    expect(page.get_by_role("heading", name=t("customer.change_password"))).to_be_visible()
    _sign_out(page, customer.name)

    page.goto(base_url + routes.CUSTOMER_LOGIN)
    page.get_by_role("tab", name=t("customer.with_password")).click()
    page.get_by_label(t("customer.mobile"), exact=True).fill(customer.mobile)
    page.get_by_label(t("customer.password"), exact=True).fill(WRONG_PASSWORD)
    page.get_by_role("button", name=t("customer.login")).click()
    expect(page.get_by_role("alert")).to_be_visible()

    persisted = _persisted_bytes(app_harness)
    assert customer.mobile.encode()[-8:] in persisted  # the search does see what the state keeps
    for secret in (code, NEW_PASSWORD, WRONG_PASSWORD):
        assert secret.encode() not in persisted, f"{secret!r} is in the persisted state"


def test_a_personal_number_is_shown_on_request_and_never_reaches_the_persisted_state(
    desktop_page: Page, base_url: str, app_harness
):
    """Issue 20.12: the owner's fødselsnummer sat in ``StaffNotificationState.id_numbers``."""
    import uuid

    from sqlmodel import Session, select

    from app.db import get_engine, session_scope
    from app.models import AuditEntry, Role
    from app.services.installer.notifications import (
        create_notification,
        save_notification,
        send_notification,
    )
    from app.services.sessions import start_session
    from tests.e2e.conftest import SESSION_KEY
    from tests.services.installer.installer_factories import FODSELSNUMMER, build_world, complete_values

    with session_scope() as db:
        world = build_world(db, uuid.uuid4().hex[:8])
        number = create_notification(
            db,
            world.installer,
            grid_company_id=world.grid,
            installation_type_id=world.installation_type,
            job_type_id=world.job_type,
            grid_area_id=world.area,
        )
        save_notification(db, world.installer, number, complete_values(), {"owner_id_number": FODSELSNUMMER})
        send_notification(db, world.installer, number)
    with Session(get_engine()) as db:
        token = start_session(db, Role.GRID_STAFF, user_id=world.staff.user_id)
        db.commit()
    page = desktop_page
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
    page.goto(f"{base_url}{routes.STAFF_NOTIFICATION}?id={number}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(number))
    expect(page.get_by_text(FODSELSNUMMER)).to_have_count(0)  # not until asked for
    assert FODSELSNUMMER.encode() not in _persisted_bytes(app_harness)

    page.locator("#show-owner-id-number").click()
    expect(page.locator("#owner-id-number")).to_have_text(FODSELSNUMMER)
    assert FODSELSNUMMER.encode() not in _persisted_bytes(app_harness)
    with session_scope() as db:
        viewed = db.exec(
            select(AuditEntry).where(
                AuditEntry.action == "installer.id_number_viewed", AuditEntry.subject_id == str(number)
            )
        ).all()
    assert [entry.detail for entry in viewed] == ["owner party"]
