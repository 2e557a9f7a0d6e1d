"""Installer-portal handlers called as a browser would: an installer cannot open or change another
firm's notification, and grid staff cannot see another grid company's."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest
from sqlmodel import Session

from app.db import get_engine, session_scope
from app.models import NotificationStatus, PreNotification, Role
from app.services.errors import AccessDenied
from app.services.installer.notifications import create_notification, save_notification, send_notification
from app.services.installer.processing import decide
from app.services.sessions import start_session
from app.states.installer.notification_form import NotificationFormState
from app.states.installer.notification_list import InstallerListState
from app.states.staff.notifications import StaffNotificationState, StaffQueueState
from tests.handler_callers import state_as
from tests.services.installer.installer_factories import FODSELSNUMMER, World, build_world, complete_values


def _token(caller) -> str:  # type: ignore[no-untyped-def]
    with Session(get_engine()) as db:
        token = start_session(db, Role(caller.role), user_id=caller.user_id)
        db.commit()
    return token


@pytest.fixture
def world(app_database_url) -> World:
    with session_scope() as db:
        return build_world(db, uuid.uuid4().hex[:8])


def _notification(world: World, *, sent: bool) -> int:
    with session_scope() as db:
        number = create_notification(
            db,
            world.installer,
            grid_company_id=world.grid,
            installation_type_id=world.installation_type,
            job_type_id=world.job_type,
            grid_area_id=world.area,
        )
        if sent:
            save_notification(
                db, world.installer, number, complete_values(), {"owner_id_number": FODSELSNUMMER}
            )
            send_notification(db, world.installer, number)
    return number


def test_an_installer_opens_their_own_firms_notification(world, monkeypatch):
    number = _notification(world, sent=False)
    state = state_as(NotificationFormState, _token(world.installer))
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    assert state.notification_id == number and state.editing


def test_a_notification_returned_for_changes_opens_read_only_until_edit(world, monkeypatch):
    number = _notification(world, sent=True)
    with session_scope() as db:
        decide(db, world.staff, number, NotificationStatus.NEEDS_CHANGES, "Fuse?")
    state = state_as(NotificationFormState, _token(world.installer))
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    assert not state.editing and state.reject_reason == "Fuse?"
    asyncio.run(NotificationFormState.edit.fn(state))
    assert state.editing


def test_an_installer_cannot_open_or_change_another_firms_notification(world, monkeypatch):
    number = _notification(world, sent=False)
    token = _token(world.other_installer)
    state = state_as(NotificationFormState, token)
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    with pytest.raises(AccessDenied):
        asyncio.run(NotificationFormState.load.fn(state))
    assert state.values == {} and state.notification_id == 0
    # Handlers that act on a notification id held in the tab refuse it too.
    state.notification_id = number
    with pytest.raises(AccessDenied):
        asyncio.run(
            NotificationFormState.submit_form.fn(state, {"intent": "save", "owner_surname": "Hacked"})
        )
    for name, args in (
        ("confirm_send", ()),
        ("add_note", ({"note": "x"},)),
        ("delete", ()),
        ("fetch", ({"fetch_meter": "x"},)),
    ):
        handler = NotificationFormState.event_handlers[name].fn
        with pytest.raises(AccessDenied):
            result = handler(state, *args)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
    with session_scope() as db:
        row = db.get(PreNotification, number)
        assert row is not None and row.owner_surname == "" and row.status == "not_sent"
    listing = state_as(InstallerListState, token)
    asyncio.run(InstallerListState.load.fn(listing))
    assert all(row["id"] != str(number) for row in listing.rows)


def test_staff_see_their_own_grid_companys_notification_with_the_numbers(world, monkeypatch):
    number = _notification(world, sent=True)
    state = state_as(StaffNotificationState, _token(world.staff))
    monkeypatch.setattr(StaffNotificationState, "_id_from_url", lambda self: number)
    asyncio.run(StaffNotificationState.load.fn(state))
    # Issue 20.12: the number is no state var; it is written into the page on request, audited.
    assert "id_numbers" not in StaffNotificationState.get_fields()
    assert FODSELSNUMMER not in repr(state.dict())
    shown = asyncio.run(StaffNotificationState.show_id_number.fn(state, "owner"))
    assert FODSELSNUMMER in str(shown) and "owner-id-number" in str(shown)
    assert FODSELSNUMMER not in repr(state.dict())
    with session_scope() as db:
        from sqlmodel import select

        from app.models import AuditEntry

        viewed = db.exec(
            select(AuditEntry).where(
                AuditEntry.action == "installer.id_number_viewed", AuditEntry.subject_id == str(number)
            )
        ).all()
    assert [entry.detail for entry in viewed] == ["owner party"]
    queue = state_as(StaffQueueState, _token(world.staff))
    asyncio.run(StaffQueueState.load.fn(queue))
    assert str(number) in [row["id"] for row in queue.rows]


def test_staff_cannot_see_or_decide_another_grid_companys_notification(world, monkeypatch):
    number = _notification(world, sent=True)
    token = _token(world.other_staff)
    state = state_as(StaffNotificationState, token)
    monkeypatch.setattr(StaffNotificationState, "_id_from_url", lambda self: number)
    with pytest.raises(AccessDenied):
        asyncio.run(StaffNotificationState.load.fn(state))
    assert state.values == {}
    state.notification_id = number
    for name, args in (
        ("approve", ()),
        ("reject", ({"reason": "x"},)),
        ("complete", ()),
        ("add_note", ({"note": "x"},)),
        ("show_id_number", ("owner",)),
    ):
        with pytest.raises(AccessDenied):
            result = StaffNotificationState.event_handlers[name].fn(state, *args)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
    with session_scope() as db:
        assert db.get(PreNotification, number).status == "for_approval"
    queue = state_as(StaffQueueState, token)
    asyncio.run(StaffQueueState.load.fn(queue))
    assert str(number) not in [row["id"] for row in queue.rows]


def test_send_refuses_with_the_missing_fields_before_asking_send_now(world, monkeypatch):
    number = _notification(world, sent=False)
    state = state_as(NotificationFormState, _token(world.installer))
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    asyncio.run(NotificationFormState.submit_form.fn(state, {"intent": "send"}))
    assert state.open_dialog != "send"  # no "Send now?" while a mandatory field is empty
    assert state.errors["form"] and len(state.errors) > 1
    form = {"intent": "send", **complete_values(), "owner_id_number": FODSELSNUMMER}
    asyncio.run(NotificationFormState.submit_form.fn(state, form))
    assert state.open_dialog == "send" and state.errors == {}


def test_save_on_a_draft_asks_to_send_now_as_elsmart_does(world, monkeypatch):
    """Elsmart's "Spara": "Ärendet har inte skickats för godkännande. Vill du göra detta nu?"."""
    number = _notification(world, sent=False)
    state = state_as(NotificationFormState, _token(world.installer))
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    values = {**complete_values(), "meter_placement": ""}
    asyncio.run(NotificationFormState.submit_form.fn(state, {"intent": "save", **values}))
    assert state.open_dialog == "send"
    asyncio.run(NotificationFormState.dialog_open_change.fn(state, False))  # Cancel: it stays a draft
    assert state.open_dialog == "" and state.status == NotificationStatus.NOT_SENT
    asyncio.run(NotificationFormState.submit_form.fn(state, {"intent": "save", **values}))
    # OK, but the desired meter placement is empty
    asyncio.run(NotificationFormState.confirm_send.fn(state, {}))
    assert state.status == NotificationStatus.NOT_SENT and state.errors["meter_placement"]
    form = {"intent": "save", **complete_values(), "owner_id_number": FODSELSNUMMER}
    asyncio.run(NotificationFormState.submit_form.fn(state, form))
    asyncio.run(NotificationFormState.confirm_send.fn(state, {}))
    assert state.status == NotificationStatus.FOR_APPROVAL and state.open_dialog == ""
    with session_scope() as db:
        assert db.get(PreNotification, number).status == NotificationStatus.FOR_APPROVAL


def test_save_on_a_notification_returned_for_changes_does_not_ask(world, monkeypatch):
    number = _notification(world, sent=True)
    with session_scope() as db:
        decide(db, world.staff, number, NotificationStatus.NEEDS_CHANGES, "Fuse?")
    state = state_as(NotificationFormState, _token(world.installer))
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    asyncio.run(NotificationFormState.edit.fn(state))
    asyncio.run(NotificationFormState.submit_form.fn(state, {"intent": "save", **complete_values()}))
    assert state.open_dialog == "" and state.status == NotificationStatus.NEEDS_CHANGES


def test_no_fills_only_the_fields_empty_on_screen(world, monkeypatch):
    """Issue 21.7: "Update and close" with "No" keeps what was typed but not saved."""
    number = _notification(world, sent=False)  # saved: Storgata 1, 7010 Trondheim
    state = state_as(NotificationFormState, _token(world.installer))
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    state._fetched = {"installation_address": "Hentet vei 2", "installation_city": "Hentby", "ean": ""}
    on_screen = {"installation_address": "Skrevet gate 5", "installation_city": ""}
    form = {"intent": "apply_fetched", "overwrite": "no", **on_screen}
    asyncio.run(NotificationFormState.submit_form.fn(state, form))
    assert state.values["installation_address"] == "Skrevet gate 5"  # typed, kept
    assert state.values["installation_city"] == "Hentby"  # emptied on screen, filled
    assert state.open_dialog == "" and state._fetched == {}


def test_installer_and_staff_lists_say_the_page_as_the_key_pages_do(world):
    from app.i18n import translate

    _notification(world, sent=True)
    listing = state_as(InstallerListState, _token(world.installer))
    asyncio.run(InstallerListState.load.fn(listing))
    assert listing.page_text == "Side 1 av 1" == translate("keys.list.page_of", "nb", page=1, pages=1)
    queue = state_as(StaffQueueState, _token(world.staff))
    asyncio.run(StaffQueueState.load.fn(queue))
    assert queue.page_text == "Side 1 av 1"


@pytest.mark.parametrize(
    ("language", "job_name"), [("sv", "Anläggning med en mätare"), ("en", "Installation with one meter")]
)
def test_job_types_show_in_the_readers_language(world, monkeypatch, language, job_name):
    """Issue 21.10: job type names were Norwegian in the Swedish UI."""
    from app.models import JobType
    from app.states.installer.new_notification import NewNotificationState

    with session_scope() as db:
        job = db.get(JobType, world.job_type)
        job.name_sv, job.name_en = "Anläggning med en mätare", "Installation with one meter"
    chooser = state_as(NewNotificationState, _token(world.installer))
    chooser.language = language
    asyncio.run(NewNotificationState.choose_grid_company.fn(chooser, str(world.grid)))
    asyncio.run(NewNotificationState.choose_installation_type.fn(chooser, str(world.installation_type)))
    assert [option["label"] for option in chooser.job_types] == [job_name]

    number = _notification(world, sent=False)
    state = state_as(NotificationFormState, _token(world.installer))
    state.language = language
    monkeypatch.setattr(NotificationFormState, "_id_from_url", lambda self: number)
    asyncio.run(NotificationFormState.load.fn(state))
    assert job_name in state.case_line


def test_approve_with_the_mail_server_down_succeeds_without_an_error_toast(world, monkeypatch):
    """Issue 21 point 2: "E-posten kunne ikke sendes" and no decision, when SMTP was unreachable."""
    from app.config import settings
    from app.i18n import translate
    from app.models import OutboxMessage, OutboxStatus
    from app.services.notify import mail
    from app.services.notify.mail import latest_mail_to
    from tests.local_servers import free_port

    down = replace(settings, mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=free_port())
    monkeypatch.setattr(mail, "settings", down)  # as the app runs with MAIL_BACKEND=smtp
    number = _notification(world, sent=True)
    state = state_as(StaffNotificationState, _token(world.staff))
    monkeypatch.setattr(StaffNotificationState, "_id_from_url", lambda self: number)
    asyncio.run(StaffNotificationState.load.fn(state))
    answer = str(asyncio.run(StaffNotificationState.approve.fn(state)))
    assert translate("staff.decided", "nb") in answer
    assert translate("mail.failed", "nb") not in answer and state.errors == {}
    with session_scope() as db:
        assert db.get(PreNotification, number).status == NotificationStatus.APPROVED
        queued = latest_mail_to(db, world.installer_email)
        assert isinstance(queued, OutboxMessage) and queued.status == OutboxStatus.PENDING
        assert queued.organisation_id == world.grid
