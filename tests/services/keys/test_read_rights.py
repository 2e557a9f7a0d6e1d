"""Read rights: assign by e-mail (invitation or notice), revoke per unit or per reader, a key
reader sees only their units and a key only on "Show" (audited)."""

from __future__ import annotations

import re

import pytest
from key_service_helpers import PASSWORD, signed_in
from sqlmodel import select

from app.models import AuditEntry, KeyReadRight, MeterKey, Role, User
from app.services.accounts.accounts import complete_registration, sign_in
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.keys.key_audit import audited_serials
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
    signed = sign_in(db, "kunde@example.no", NEW_PASSWORD, client_address="192.0.2.5")
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
    assert notice is not None and "4 målere" in notice.body and "token=" not in notice.body
    assert len(db.exec(select(KeyReadRight)).all()) == 4


def test_a_registered_account_without_organisation_becomes_a_key_reader(db, world):
    signed_in(db, Role.REGISTERED, "ny@example.no")
    assign_read_rights(db, world.own, world.own_units[:1], "ny@example.no")
    assert db.exec(select(User).where(User.email == "ny@example.no")).one().role == Role.KEY_READER.value


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
    assert revoke_read_rights(db, world.own, world.own_units[:1], "a@example.no") == 0
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
    from key_service_helpers import add_units

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
