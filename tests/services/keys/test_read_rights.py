"""Read rights: assign by e-mail (invitation or notice), revoke per unit or per reader, a key
reader sees only their units and a key only on "Show" (audited)."""

from __future__ import annotations

import re

import pytest
from key_factories import PASSWORD, signed_in
from sqlmodel import col, select

from app.models import AuditEntry, KeyReadRight, MeterKey, OutboxMessage, Role, User
from app.services.accounts.accounts import complete_registration, login
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.keys.key_audit import audited_detail, audited_serials
from app.services.keys.read_rights import (
    assign_read_rights,
    reader_units,
    readers_of,
    revoke_read_rights,
    revoke_reader,
    show_key,
)
from app.services.keys.units import UnitQuery, list_units
from app.services.keys.worker_keys import key_for_serial
from app.services.notify.mail import latest_mail_to

NEW_PASSWORD = "Lese#Tilgang2026"


def _reader_caller(db, email: str) -> Caller:
    account = db.exec(select(User).where(User.email == email)).one()
    return Caller(role=Role(account.role), user_id=account.id)


def test_assigning_to_a_new_address_invites_a_key_reader_who_registers_and_sees_the_units(db, world):
    units = world.own_units[:3]
    outcome = assign_read_rights(db, world.own, units, " Kunde@Example.NO ", language="en")
    db.commit()
    assert (outcome.assigned, outcome.already, outcome.invited) == (3, 0, True)
    invitation = latest_mail_to(db, "kunde@example.no")
    assert invitation is not None and "Måleservice Norge AS" in invitation.body
    assert "3 meters or concentrators" in invitation.body
    token = re.search(r"token=(\S+)", invitation.body).group(1)
    account = complete_registration(db, token, "Kari Kunde", NEW_PASSWORD, NEW_PASSWORD, language="en")
    db.commit()
    assert account.role == Role.KEY_READER.value
    signed = login(db, "kunde@example.no", NEW_PASSWORD, client_address="192.0.2.5")
    assert signed.role == Role.KEY_READER
    reader = _reader_caller(db, "kunde@example.no")
    page = reader_units(db, reader, UnitQuery())
    assert sorted(row.id for row in page.rows) == sorted(units) and page.total == 3
    assert {row.readers for row in page.rows} == {0}  # other readers are not the reader's business
    counts = {row.id: row.readers for row in list_units(db, world.own, UnitQuery(page_size=100)).rows}
    assert [counts[unit] for unit in units] == [1, 1, 1] and counts[world.own_units[3]] == 0


def test_a_registered_person_gets_a_notice_and_repeats_count_as_already(db, world):
    signed_in(db, Role.KEY_READER, "lese@example.no")
    assign_read_rights(db, world.own, world.own_units[:2], "lese@example.no")
    outcome = assign_read_rights(db, world.own, world.own_units[:4], "lese@example.no")
    db.commit()
    assert (outcome.assigned, outcome.already, outcome.invited) == (2, 2, False)
    notice = latest_mail_to(db, "lese@example.no")
    # The notice counts the units newly assigned, not the selection.
    assert notice is not None and "token=" not in notice.body
    assert "for 2 målere eller konsentratorer" in notice.body
    assert len(db.exec(select(KeyReadRight)).all()) == 4


def _mails_to(db, address: str) -> int:
    return len(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address)).all())


def _audit_rows(db, action: str) -> list[AuditEntry]:
    return list(db.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))))


def test_assigning_only_units_the_person_already_reads_stores_mails_and_audits_nothing(db, world):
    signed_in(db, Role.KEY_READER, "har@example.no")
    assign_read_rights(db, world.own, world.own_units[:3], "har@example.no")
    db.commit()
    mails, audits = _mails_to(db, "har@example.no"), len(_audit_rows(db, "key.assign"))
    outcome = assign_read_rights(db, world.own, world.own_units[1:3], "har@example.no")
    db.commit()
    assert (outcome.assigned, outcome.already, outcome.invited) == (0, 2, False)
    assert _mails_to(db, "har@example.no") == mails
    assert len(_audit_rows(db, "key.assign")) == audits
    assert len(db.exec(select(KeyReadRight)).all()) == 3
    counts = dict(db.exec(select(MeterKey.id, MeterKey.reader_count)).all())
    assert [counts[unit] for unit in world.own_units[:3]] == [1, 1, 1]


def test_an_invited_person_assigned_the_same_units_again_is_not_invited_again(db, world):
    assign_read_rights(db, world.own, world.own_units[:1], "ventar@example.no")
    db.commit()
    outcome = assign_read_rights(db, world.own, world.own_units[:1], "ventar@example.no")
    assert (outcome.assigned, outcome.already, outcome.invited) == (0, 1, False)
    assert _mails_to(db, "ventar@example.no") == 1


@pytest.mark.parametrize("role", [Role.DISTRIBUTOR, Role.INSTALLER, Role.GRID_STAFF, Role.ADMIN])
def test_an_account_that_cannot_read_keys_is_refused_beside_the_field_and_audited(db, world, role):
    """Another organisation's distributor (or an installer, staff, an administrator) has no
    /nokler/mine: a right given to them could never be used. Refused, nothing stored or mailed."""
    address = "odd@annen.no" if role == Role.DISTRIBUTOR else f"{role.value}@example.no"
    if role != Role.DISTRIBUTOR:
        signed_in(db, role, address)
    db.commit()
    with pytest.raises(DomainError) as refused:
        assign_read_rights(db, world.own, world.own_units[:2], address)
    db.rollback()  # as session_scope does on the error: the refusal's audit row was committed
    assert (refused.value.key, refused.value.field) == ("keys.error.not_a_reader", "email")
    assert db.exec(select(KeyReadRight)).all() == []
    assert db.exec(select(User).where(User.email == address)).one().role == role.value
    assert latest_mail_to(db, address) is None
    [row] = _audit_rows(db, "key.assign")
    assert row.outcome == "refused" and row.actor_user_id == world.own.user_id
    assert audited_detail(row.detail) == f"to {address} (refused: not a key reader)"
    serials = sorted(db.get(MeterKey, unit).serial for unit in world.own_units[:2])
    assert audited_serials(row.detail).split(",") == serials
    counts = dict(db.exec(select(MeterKey.id, MeterKey.reader_count)).all())
    assert [counts[unit] for unit in world.own_units[:2]] == [0, 0]


def test_a_registered_account_without_organisation_becomes_a_key_reader(db, world):
    signed_in(db, Role.REGISTERED, "ny@example.no")
    assign_read_rights(db, world.own, world.own_units[:1], "ny@example.no")
    assert db.exec(select(User).where(User.email == "ny@example.no")).one().role == Role.KEY_READER.value


def test_an_account_still_activating_becomes_a_key_reader_who_can_use_the_rights(db, world):
    """Signed up at /konto/registrer but not activated yet: invited, and a key reader once activated."""
    db.add(User(email="halv@example.no", role=Role.REGISTERED.value, language="nb"))
    db.commit()
    outcome = assign_read_rights(db, world.own, world.own_units[:1], "halv@example.no")
    db.commit()
    assert outcome.invited
    token = re.search(r"token=(\S+)", latest_mail_to(db, "halv@example.no").body).group(1)
    account = complete_registration(db, token, "Halv", NEW_PASSWORD, NEW_PASSWORD, language="nb")
    assert account.role == Role.KEY_READER.value


def test_an_invalid_address_is_a_field_error(db, world):
    with pytest.raises(DomainError) as refused:
        assign_read_rights(db, world.own, world.own_units[:1], "not-an-address")
    assert refused.value.field == "email"


def test_revoke_per_unit_and_per_reader(db, world):
    assign_read_rights(db, world.own, world.own_units[:5], "a@example.no")
    assign_read_rights(db, world.own, world.own_units[:2], "b@example.no")
    assign_read_rights(db, world.other, world.other_units[:2], "a@example.no")
    assert [r.email for r in readers_of(db, world.own, world.own_units[0])] == [
        "a@example.no",
        "b@example.no",
    ]
    assert revoke_read_rights(db, world.own, world.own_units[:1], "a@example.no") == 1
    revokes = len(_audit_rows(db, "key.revoke"))
    # Nothing held: nothing taken back, nothing audited (the page says so, not "revoked").
    assert revoke_read_rights(db, world.own, world.own_units[:1], "a@example.no") == 0
    assert revoke_read_rights(db, world.own, world.own_units[:1], "nobody@example.no") == 0
    assert revoke_reader(db, world.own, "b@example.no") == 2
    assert revoke_reader(db, world.own, "b@example.no") == 0
    assert len(_audit_rows(db, "key.revoke")) == revokes + 1
    assign_read_rights(db, world.own, world.own_units[:2], "b@example.no")
    assert [r.email for r in readers_of(db, world.own, world.own_units[0])] == ["b@example.no"]
    # Per reader: every right on this organisation's units, none on the other organisation's.
    assert revoke_reader(db, world.own, "a@example.no") == 4
    reader = _reader_caller(db, "a@example.no")
    assert {row.id for row in reader_units(db, reader, UnitQuery()).rows} == set(world.other_units[:2])
    counts = dict(db.exec(select(MeterKey.id, MeterKey.reader_count)).all())
    assert counts[world.own_units[0]] == 1 and counts[world.own_units[4]] == 0
    assert assert_audited(db, "key.revoke") >= 3


def assert_audited(db, action: str) -> int:
    return len(db.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_show_key_for_the_distributor_and_the_reader_is_audited(db, world):
    unit = world.own_units[0]
    serial = db.get(MeterKey, unit).serial
    expected = key_for_serial(db, serial).encryption_key.hex().upper()
    assert show_key(db, world.own, unit).encryption_key_hex == expected
    assign_read_rights(db, world.own, [unit], "r@example.no")
    reader = signed_in(db, Role.KEY_READER, "r@example.no")  # a reveal needs a fresh session
    shown = show_key(db, reader, unit)
    assert (shown.serial, shown.encryption_key_hex) == (serial, expected)
    assert shown.authentication_key_hex is not None  # every seventh test unit has one
    with pytest.raises(AccessDenied):
        show_key(db, reader, world.own_units[1])
    db.commit()
    views = db.exec(
        select(AuditEntry).where(AuditEntry.action == "key.view", AuditEntry.actor_role != "ingest_worker")
    ).all()
    assert [audited_serials(v.detail) for v in views][-2:] == [serial, serial]
    assert views[-1].actor_user_id == reader.user_id


def test_assigning_thousands_of_units_lists_every_serial_in_the_audit(db, world):
    from key_factories import add_units

    many = add_units(db, world.own.organisation_id, 300, start=59000000)
    outcome = assign_read_rights(db, world.own, many, "mange@example.no")
    db.commit()
    assert outcome.assigned == 300
    rows = db.exec(select(AuditEntry).where(AuditEntry.action == "key.assign")).all()
    listed = [s for row in rows for s in audited_serials(row.detail).split(",")]
    assert len(listed) == 300 and len(rows) > 1 and all(len(row.detail) <= 1000 for row in rows)


def test_reader_page_for_someone_with_no_rights_is_empty(db, world):
    signed_in(db, Role.KEY_READER, "tom@example.no")
    reader = _reader_caller(db, "tom@example.no")
    assert reader_units(db, reader, UnitQuery()).total == 0
    with pytest.raises(AccessDenied):
        reader_units(db, world.own, UnitQuery())  # a distributor is not a reader
    assert PASSWORD  # the helper's accounts sign in with it
