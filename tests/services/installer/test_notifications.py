"""Pre-notifications: create, save (numbers sealed), send (mandatory fields), decisions, access."""

from __future__ import annotations

import pytest
from installer_factories import FODSELSNUMMER, complete_values, new_notification, sent_for_approval
from sqlmodel import select

from app.models import NotificationStatus, NotificationTransition, OutboxMessage, PreNotification
from app.services.case_status import IllegalTransition
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.installer import notifications as service
from app.services.installer.processing import decide, id_number_for_staff, staff_notification
from app.services.installer.transitions import add_note, history


def test_a_new_notification_starts_not_sent_for_the_installers_firm(db, world):
    row = db.get(PreNotification, new_notification(db, world))
    assert row.status == NotificationStatus.NOT_SENT and row.installer_firm_id == world.firm


def test_only_a_grid_company_the_firm_is_authorised_for_with_its_own_job_types_and_areas(db, world):
    with pytest.raises(FieldErrors) as refused:
        service.create_notification(
            db,
            world.installer,
            grid_company_id=world.other_grid,
            installation_type_id=world.installation_type,
            job_type_id=world.job_type,
            grid_area_id=world.other_area,
        )
    assert set(refused.value.errors) == {"grid_company", "job_type"}
    with pytest.raises(FieldErrors) as refused:
        service.create_notification(
            db,
            world.installer,
            grid_company_id=world.grid,
            installation_type_id=world.installation_type,
            job_type_id=world.job_type,
            grid_area_id=world.other_area,
        )
    assert set(refused.value.errors) == {"grid_area"}


def test_personal_numbers_are_validated_sealed_and_never_read_back(db, world):
    number = new_notification(db, world)
    with pytest.raises(FieldErrors) as refused:
        service.save_notification(
            db, world.installer, number, {"owner_kind": "private"}, {"owner_id_number": "15108695089"}
        )
    assert refused.value.errors == {"owner_id_number": "installer.invalid_id_number"}
    service.save_notification(
        db, world.installer, number, {"owner_kind": "private"}, {"owner_id_number": FODSELSNUMMER}
    )
    db.commit()
    row = db.get(PreNotification, number)
    assert row.owner_id_number_sealed and FODSELSNUMMER.encode() not in row.owner_id_number_sealed
    from app.services.installer.form_fields import form_values

    values = form_values(row)
    assert FODSELSNUMMER not in values.values() and values["owner_id_number_stored"] == "1"
    # An empty field keeps the number on file.
    service.save_notification(db, world.installer, number, {"owner_surname": "X"}, {"owner_id_number": ""})
    assert db.get(PreNotification, number).owner_id_number_sealed == row.owner_id_number_sealed
    # The grid company's staff see it once the notification is sent.
    service.save_notification(db, world.installer, number, complete_values(), {})
    service.send_notification(db, world.installer, number)
    db.commit()
    opened = id_number_for_staff(db, world.staff, staff_notification(db, world.staff, number), "owner")
    assert opened == FODSELSNUMMER


def test_an_invalid_ean_is_a_field_error(db, world):
    number = new_notification(db, world)
    with pytest.raises(FieldErrors) as refused:
        service.save_notification(db, world.installer, number, {"ean": "707057500000099998"}, {})
    assert refused.value.errors == {"ean": "installer.invalid_ean"}


def test_sending_is_refused_with_the_missing_fields_until_complete(db, world):
    number = new_notification(db, world)
    values = complete_values()
    del values["main_fuse_after"], values["meter_placement"]
    service.save_notification(db, world.installer, number, values, {})
    with pytest.raises(service.MissingFields) as refused:
        service.send_notification(db, world.installer, number)
    # Desired meter placement is mandatory, as in Elsmart's manual.
    assert refused.value.fields == ["owner_id_number", "meter_placement", "main_fuse_after"]
    assert db.get(PreNotification, number).status == NotificationStatus.NOT_SENT
    service.save_notification(
        db,
        world.installer,
        number,
        {"main_fuse_after": "32", "meter_placement": "Kjeller"},
        {"owner_id_number": FODSELSNUMMER},
    )
    service.send_notification(db, world.installer, number)
    db.commit()
    assert db.get(PreNotification, number).status == NotificationStatus.FOR_APPROVAL


def test_staff_decisions_are_logged_with_who_and_when_and_mailed_to_the_installer(db, world):
    number = sent_for_approval(db, world)
    with pytest.raises(DomainError) as refused:
        decide(db, world.staff, number, NotificationStatus.REJECTED, "  ")
    assert refused.value.key == "installer.reason_required"
    decide(db, world.staff, number, NotificationStatus.NEEDS_CHANGES, "Wrong fuse")
    db.commit()
    assert db.get(PreNotification, number).reject_reason == "Wrong fuse"
    # Back to the installer, who changes and sends again.
    service.save_notification(db, world.installer, number, {"main_fuse_after": "40"}, {})
    service.send_notification(db, world.installer, number)
    decide(db, world.staff, number, NotificationStatus.APPROVED)
    decide(db, world.staff, number, NotificationStatus.COMPLETED)
    db.commit()
    moves = db.exec(
        select(NotificationTransition)
        .where(NotificationTransition.notification_id == number)
        .order_by(NotificationTransition.id)
    ).all()
    assert [(m.from_status, m.to_status) for m in moves] == [
        ("not_sent", "for_approval"),
        ("for_approval", "needs_changes"),
        ("needs_changes", "for_approval"),
        ("for_approval", "approved"),
        ("approved", "completed"),
    ]
    assert moves[1].actor_user_id == world.staff.user_id and moves[1].reason == "Wrong fuse"
    assert all(m.at is not None for m in moves)
    mails = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == world.installer_email)).all()
    assert len(mails) == 3 and "Wrong fuse" in mails[0].body


def test_illegal_moves_are_refused(db, world):
    number = sent_for_approval(db, world)
    with pytest.raises(IllegalTransition):
        decide(db, world.staff, number, NotificationStatus.COMPLETED)
    decide(db, world.staff, number, NotificationStatus.REJECTED, "No")
    with pytest.raises(IllegalTransition):
        decide(db, world.staff, number, NotificationStatus.APPROVED)
    with pytest.raises(DomainError):
        service.save_notification(db, world.installer, number, {"main_fuse_after": "40"}, {})
    with pytest.raises(DomainError):
        service.delete_notification(db, world.installer, number)


def test_an_installer_sees_only_their_firms_notifications(db, world):
    number = new_notification(db, world)
    for attempt in (
        lambda: service.installer_notification(db, world.other_installer, number),
        lambda: service.save_notification(db, world.other_installer, number, {"owner_surname": "X"}, {}),
        lambda: service.send_notification(db, world.other_installer, number),
        lambda: service.delete_notification(db, world.other_installer, number),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    rows, total = service.list_notifications(db, world.other_installer)
    assert total == 0 and rows == []
    rows, total = service.list_notifications(db, world.installer)
    assert [row.id for row in rows] == [number]


def test_staff_see_only_their_grid_companys_sent_notifications(db, world):
    draft = new_notification(db, world)
    sent = sent_for_approval(db, world)
    with pytest.raises(AccessDenied):
        staff_notification(db, world.staff, draft)  # not sent yet
    with pytest.raises(AccessDenied):
        staff_notification(db, world.other_staff, sent)
    with pytest.raises(AccessDenied):
        decide(db, world.other_staff, sent, NotificationStatus.APPROVED)
    with pytest.raises(AccessDenied):
        staff_notification(db, world.installer, sent)
    assert staff_notification(db, world.staff, sent).id == sent


def test_list_filters_by_status_and_searches(db, world):
    draft = new_notification(db, world)
    sent = sent_for_approval(db, world)
    rows, _ = service.list_notifications(db, world.installer, status=NotificationStatus.NOT_SENT)
    assert [row.id for row in rows] == [draft]
    rows, _ = service.list_notifications(db, world.installer, search="storgata")
    assert [row.id for row in rows] == [sent]
    rows, _ = service.list_notifications(db, world.installer, search=str(draft))
    assert [row.id for row in rows] == [draft]


def test_notes_and_history(db, world):
    number = sent_for_approval(db, world)
    row = staff_notification(db, world.staff, number)
    with pytest.raises(DomainError):
        add_note(db, world.staff, row, " ")
    add_note(db, world.staff, row, "Called the owner")
    db.commit()
    lines = history(db, row)
    assert [line.what for line in lines] == ["not_sent>for_approval", "note"]
    assert lines[1].text == "Called the owner"


def test_copy_from_owner_and_delete_a_draft(db, world):
    number = new_notification(db, world)
    service.save_notification(
        db,
        world.installer,
        number,
        complete_values() | {"owner_surname": "Eier"},
        {"owner_id_number": FODSELSNUMMER},
    )
    row = service.copy_owner_to_billing(db, world.installer, number)
    assert row.billing_surname == "Eier" and row.billing_id_number_sealed
    service.delete_notification(db, world.installer, number)
    db.commit()
    assert db.get(PreNotification, number) is None
