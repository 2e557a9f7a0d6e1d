"""Ownership transfers (issue 23): send with a mailed code, request by serials, accept, decline,
cancel; what an acceptance moves (units, sealed keys unchanged, history, read rights, mails, audit)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from key_factories import add_units, organisation, signed_in
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from transfer_factories import catch_codes, email_of, organisation_name, request, send, solved_robot_check

from app.clock import running_from, utcnow
from app.models import (
    AuditEntry,
    KeyOwnership,
    KeyReadRight,
    KeyTransfer,
    KeyTransferCode,
    KeyTransferUnit,
    MeterKey,
    OutboxMessage,
    Role,
    TransferStatus,
)
from app.services.errors import AccessDenied, DomainError
from app.services.keys.read_rights import assign_read_rights
from app.services.keys.transfers import (
    TransferQuery,
    accept_transfer,
    cancel_transfer,
    check_recipient,
    check_serials,
    decline_transfer,
    owner_on,
    request_send_code,
    request_units,
    send_units,
    serial_list,
    transfer_page,
    transfer_serials,
)
from app.services.keys.worker_keys import key_for_serial
from app.services.robot_check import redeem_proof


@pytest.fixture
def codes(monkeypatch):
    return catch_codes(monkeypatch)


def _serials(db, unit_ids):
    return sorted(db.exec(select(MeterKey.serial).where(col(MeterKey.id).in_(unit_ids))).all())


def _owners(db, unit_ids):
    db.expire_all()
    return {row.owner_id for row in db.exec(select(MeterKey).where(col(MeterKey.id).in_(unit_ids)))}


def _mails_to(db, address):
    return [m.kind for m in db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address))]


# ---------------------------------------------------------------- the recipient


def test_the_recipient_must_be_a_superuser_of_another_organisation(db, world):
    assert (
        check_recipient(db, world.own, email_of(db, world.other)).organisation_name == "Annen Distributør AS"
    )
    signed_in(db, Role.KEY_READER, "leser@example.no")
    cases = {
        "nobody@example.no": "keys.transfer.error.unknown_recipient",
        "leser@example.no": "keys.transfer.error.not_superuser",
        email_of(db, world.own): "keys.transfer.error.own_organisation",
    }
    for address, key in cases.items():
        with pytest.raises(DomainError) as refused:
            check_recipient(db, world.own, address)
        assert (refused.value.key, refused.value.field) == (key, "email")


# ---------------------------------------------------------------- send: the mailed code


def test_sending_asks_for_a_mailed_code_stored_only_as_a_hash(db, world, codes):
    to = email_of(db, world.other)
    code_id = request_send_code(db, world.own, world.own_units[:3], to)
    code = codes.last_code(email_of(db, world.own))
    stored = db.exec(select(KeyTransferCode).where(KeyTransferCode.public_id == code_id)).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as refused:
        send_units(db, world.own, world.own_units[:3], to, code_id, wrong)
    assert (refused.value.key, refused.value.params) == ("otp.wrong", {"tries_left": 4})
    transfer = send_units(db, world.own, world.own_units[:3], to, code_id, code)
    assert (transfer.status, transfer.unit_count) == (TransferStatus.OPEN.value, 3)
    assert "key_transfer_received" in _mails_to(db, to)
    with pytest.raises(DomainError, match=r"keys.transfer.error.code_invalid"):  # used once
        send_units(db, world.own, world.own_units[3:4], to, code_id, code)


def test_a_code_dies_after_five_wrong_tries_and_after_ten_minutes(db, world, codes):
    to = email_of(db, world.other)
    code_id = request_send_code(db, world.own, world.own_units[:1], to)
    code = codes.last_code(email_of(db, world.own))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(DomainError, match=r"otp.wrong"):
            send_units(db, world.own, world.own_units[:1], to, code_id, wrong)
    with pytest.raises(DomainError, match=r"otp.locked"):
        send_units(db, world.own, world.own_units[:1], to, code_id, wrong)
    with pytest.raises(DomainError, match=r"otp.locked"):  # even the right one, now
        send_units(db, world.own, world.own_units[:1], to, code_id, code)
    code_id = request_send_code(db, world.own, world.own_units[:1], to)
    code = codes.last_code(email_of(db, world.own))
    with (
        running_from(utcnow() + timedelta(minutes=10, seconds=1)),
        pytest.raises(DomainError, match=r"otp.expired"),
    ):
        send_units(db, world.own, world.own_units[:1], to, code_id, code)


def test_a_code_confirms_only_the_selection_and_recipient_it_was_asked_for(db, world, codes):
    to = email_of(db, world.other)
    code_id = request_send_code(db, world.own, world.own_units[:2], to)
    code = codes.last_code(email_of(db, world.own))
    with pytest.raises(DomainError, match=r"keys.transfer.error.code_other_send"):
        send_units(db, world.own, world.own_units[:3], to, code_id, code)
    assert db.exec(select(KeyTransfer)).all() == []


def test_a_new_code_supersedes_the_earlier_one(db, world, codes):
    to = email_of(db, world.other)
    first = request_send_code(db, world.own, world.own_units[:1], to)
    old = codes.last_code(email_of(db, world.own))
    request_send_code(db, world.own, world.own_units[:1], to)
    with pytest.raises(DomainError, match=r"keys.transfer.error.code_invalid"):
        send_units(db, world.own, world.own_units[:1], to, first, old)


def test_nobody_sends_units_they_do_not_own(db, world, codes):
    with pytest.raises(AccessDenied):
        request_send_code(
            db, world.own, [world.other_units[0], world.own_units[0]], email_of(db, world.other)
        )
    with pytest.raises(AccessDenied):
        send_units(db, world.own, [world.other_units[0]], email_of(db, world.other), "x", "123456")


# ---------------------------------------------------------------- acceptance moves everything, exactly


def test_accepting_moves_units_history_and_keys_unchanged_and_ends_the_old_readers_rights(db, world, codes):
    units = world.own_units[:4]
    serials = _serials(db, units)
    assign_read_rights(db, world.own, units[:2], "leser@kunde.no")
    db.commit()
    before = {s: key_for_serial(db, s).encryption_key for s in serials}  # type: ignore[union-attr]
    sealed = {
        r.serial: r.encryption_key_sealed
        for r in db.exec(select(MeterKey).where(col(MeterKey.id).in_(units)))
    }
    sent_at = utcnow()
    transfer = send(db, codes, world.own, units, world.other)
    accepted = accept_transfer(db, world.other, transfer.id)
    assert accepted.status == TransferStatus.SUCCEEDED.value
    assert _owners(db, units) == {world.other.organisation_id}
    rows = {r.serial: r for r in db.exec(select(MeterKey).where(col(MeterKey.id).in_(units)))}
    assert {s: r.encryption_key_sealed for s, r in rows.items()} == sealed  # sealed keys unchanged
    assert {s: key_for_serial(db, s).encryption_key for s in serials} == before  # type: ignore[union-attr]
    assert all(r.reader_count == 0 for r in rows.values())
    assert db.exec(select(KeyReadRight).where(col(KeyReadRight.unit_id).in_(units))).all() == []
    history = db.exec(select(KeyOwnership).where(KeyOwnership.transfer_id == transfer.id)).all()
    assert sorted(h.serial for h in history) == serials
    assert {(h.from_organisation_id, h.to_organisation_id) for h in history} == {
        (world.own.organisation_id, world.other.organisation_id)
    }
    assert owner_on(db, serials[0], sent_at) == world.own.organisation_id
    assert owner_on(db, serials[0], utcnow()) == world.other.organisation_id
    assert "key_rights_ended" in _mails_to(db, "leser@kunde.no")
    assert "key_transfer_gave" in _mails_to(db, email_of(db, world.own))
    assert "key_transfer_took" in _mails_to(db, email_of(db, world.other))
    assert (
        db.exec(select(KeyTransferUnit.open_unit_id).where(KeyTransferUnit.transfer_id == transfer.id)).all()
        == [None] * 4
    )
    # Both organisations' audit logs show each step, every serial named.
    for organisation_id in (world.own.organisation_id, world.other.organisation_id):
        actions = {
            e.action for e in db.exec(select(AuditEntry).where(AuditEntry.subject_id == str(organisation_id)))
        }
        assert {"key.transfer_send", "key.transfer_accept"} <= actions
    accept_rows = db.exec(select(AuditEntry).where(AuditEntry.action == "key.transfer_accept")).all()
    assert all(all(s in e.detail for s in serials) for e in accept_rows)


def test_a_declined_or_cancelled_transfer_moves_nothing_and_frees_its_units(db, world, codes):
    units = world.own_units[:2]
    declined = send(db, codes, world.own, units, world.other)
    assert decline_transfer(db, world.other, declined.id).status == TransferStatus.DECLINED.value
    assert "key_transfer_declined" in _mails_to(db, email_of(db, world.own))
    cancelled = send(db, codes, world.own, units, world.other)  # the units are free again
    assert cancel_transfer(db, world.own, cancelled.id).status == TransferStatus.CANCELLED.value
    assert "key_transfer_cancelled" in _mails_to(db, email_of(db, world.other))
    assert _owners(db, units) == {world.own.organisation_id}
    assert db.exec(select(KeyOwnership)).all() == []
    with pytest.raises(DomainError, match=r"keys.transfer.error.already_cancelled"):
        accept_transfer(db, world.other, cancelled.id)


def test_only_the_right_side_answers_or_cancels_and_a_stranger_nothing(db, world, codes):
    third_org = organisation(db, "Tredje AS")
    stranger = signed_in(db, Role.DISTRIBUTOR, "tre@tredje.no", third_org)
    db.commit()
    transfer = send(db, codes, world.own, world.own_units[:1], world.other)
    for caller, act in (
        (world.own, accept_transfer),
        (world.own, decline_transfer),
        (world.other, cancel_transfer),
        (stranger, accept_transfer),
        (stranger, decline_transfer),
        (stranger, cancel_transfer),
    ):
        with pytest.raises(AccessDenied):
            act(db, caller, transfer.id)
    with pytest.raises(AccessDenied):
        transfer_serials(db, stranger, transfer.id, TransferQuery())
    refusals = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "access.refused", AuditEntry.subject_type == "key_transfer"
        )
    ).all()
    assert len(refusals) == 7
    assert _owners(db, world.own_units[:1]) == {world.own.organisation_id}


def test_a_unit_is_in_at_most_one_open_transfer(db, world, codes):
    send(db, codes, world.own, world.own_units[:3], world.other)
    with pytest.raises(DomainError) as refused:
        send(db, codes, world.own, world.own_units[2:5], world.other)
    assert refused.value.key == "keys.transfer.error.busy" and refused.value.params["count"] == 1
    # The database itself refuses it, whatever a service would check.
    open_row = db.exec(select(KeyTransferUnit).where(col(KeyTransferUnit.open_unit_id).is_not(None))).first()
    other = KeyTransfer(
        kind="send",
        from_organisation_id=world.own.organisation_id,
        to_organisation_id=world.other.organisation_id,
        unit_count=1,
    )
    db.add(other)
    db.flush()
    db.add(
        KeyTransferUnit(
            transfer_id=other.id,
            unit_id=open_row.unit_id,
            serial=open_row.serial,
            open_unit_id=open_row.unit_id,
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_transfer_whose_unit_left_the_owner_fails_cleanly(db, world, codes):
    units = world.own_units[:3]
    transfer = send(db, codes, world.own, units, world.other)
    # The unit changed hands outside this transfer (as a transfer that won a race would leave it).
    third_org = organisation(db, "Tredje AS")
    db.execute(update(MeterKey).where(col(MeterKey.id) == units[0]).values(owner_id=third_org))
    db.commit()
    with pytest.raises(DomainError, match=r"keys.transfer.error.stale"):
        accept_transfer(db, world.other, transfer.id)
    db.expire_all()
    assert db.get(KeyTransfer, transfer.id).status == TransferStatus.FAILED.value
    assert _owners(db, units[1:]) == {world.own.organisation_id}  # none moved
    assert db.exec(select(KeyOwnership)).all() == []
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "key.transfer_failed")).all()


# ---------------------------------------------------------------- request


def test_requested_serials_are_checked_without_telling_who_owns_them(db, world):
    own_serial = _serials(db, world.own_units[:1])[0]
    other_serial = _serials(db, world.other_units[:1])[0]
    typed = serial_list(f" {other_serial.lower()}, {other_serial};{own_serial}\nKAM99999999 12AB")
    assert typed == [other_serial, own_serial, "KAM99999999", "12AB"]  # duplicates merged
    assert [(c.serial, c.problem) for c in check_serials(db, world.own, typed)] == [
        (other_serial, ""),
        (own_serial, "own"),
        ("KAM99999999", "unknown"),
        ("12AB", "format"),
    ]


def test_a_request_spanning_two_owners_is_one_transfer_per_owner(db, world):
    third_org = organisation(db, "Tredje AS")
    third_units = add_units(db, third_org, 2, start=69000000)
    third = signed_in(db, Role.DISTRIBUTOR, "tre@tredje.no", third_org)
    db.commit()
    wanted = _serials(db, world.other_units[:2]) + _serials(db, third_units)
    transfers = request(db, world.own, wanted)
    assert sorted((t.from_organisation_id, t.unit_count) for t in transfers) == sorted(
        [(world.other.organisation_id, 2), (third_org, 2)]
    )
    assert all(t.to_organisation_id == world.own.organisation_id for t in transfers)
    assert "key_transfer_requested" in _mails_to(db, "tre@tredje.no")
    by_owner = {t.from_organisation_id: t for t in transfers}
    with pytest.raises(AccessDenied):  # the requester cannot accept its own request
        accept_transfer(db, world.own, by_owner[third_org].id)
    accept_transfer(db, third, by_owner[third_org].id)
    cancel_transfer(db, world.own, by_owner[world.other.organisation_id].id)
    assert _owners(db, third_units) == {world.own.organisation_id}
    assert _owners(db, world.other_units[:2]) == {world.other.organisation_id}
    closed = transfer_page(db, world.own, TransferQuery(closed=True))
    assert sorted(r.status for r in closed.rows) == ["cancelled", "succeeded"]
    assert {r.counterparty for r in closed.rows} == {
        "Tredje AS",
        organisation_name(db, world.other.organisation_id),
    }


def test_a_request_needs_a_solved_robot_check_used_once(db, world):
    wanted = _serials(db, world.other_units[:1])
    with pytest.raises(DomainError, match=r"robot.missing"):
        request_units(db, world.own, wanted, "")
    with pytest.raises(DomainError, match=r"robot.failed"):
        request_units(db, world.own, wanted, "bm90IGEgcHJvb2Y=")
    proof = solved_robot_check()
    request_units(db, world.own, wanted, proof)
    with pytest.raises(DomainError, match=r"robot.used"):
        redeem_proof(db, proof)


def test_a_request_with_marked_serials_is_refused(db, world):
    with pytest.raises(DomainError, match=r"keys.transfer.error.serials_to_fix"):
        request(db, world.own, [*_serials(db, world.other_units[:1]), "KAM99999999"])
    assert db.exec(select(KeyTransfer)).all() == []


# ---------------------------------------------------------------- the activities lists


def test_open_and_closed_lists_show_direction_counterparty_and_the_actions_that_apply(db, world, codes):
    sent = send(db, codes, world.own, world.own_units[:2], world.other)
    requested = request(db, world.own, _serials(db, world.other_units[:1]))[0]
    mine = {r.id: r for r in transfer_page(db, world.own, TransferQuery()).rows}
    theirs = {r.id: r for r in transfer_page(db, world.other, TransferQuery()).rows}
    assert (mine[sent.id].outgoing, mine[sent.id].can_cancel, mine[sent.id].can_accept) == (True, True, False)
    assert (theirs[sent.id].outgoing, theirs[sent.id].can_accept, theirs[sent.id].can_cancel) == (
        False,
        True,
        False,
    )
    assert (mine[requested.id].outgoing, mine[requested.id].can_cancel) == (False, True)
    assert (theirs[requested.id].outgoing, theirs[requested.id].can_accept) == (True, True)
    assert transfer_page(db, world.own, TransferQuery(closed=True)).total == 0
    page = transfer_serials(db, world.other, sent.id, TransferQuery(page_size=1, page=2))
    assert (page.total, page.rows) == (2, _serials(db, world.own_units[:2])[1:])
