"""A key shown one by one needs what an export needs (a password given within five minutes), and a
session shows at most 20 keys before the password is asked again; administrators read no keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from key_factories import PASSWORD, signed_in
from sqlmodel import func, select

from app.clock import running_from, utcnow
from app.models import AuditEntry, Role, User
from app.services import passwords
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.keys.exports import ExportFormat, export_keys
from app.services.keys.fresh_authentication import (
    REVEALS_PER_SESSION,
    ReauthenticationRequired,
    reauthenticate,
)
from app.services.keys.imports import stage_csv_import
from app.services.keys.read_rights import assign_read_rights, readers_of, show_key
from app.services.keys.units import UnitQuery, list_units


def _views(db) -> int:
    return db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "key.view")).one()


def _reader(db, world) -> Caller:
    assign_read_rights(db, world.own, world.own_units[:3], "leser@example.no")
    account = db.exec(select(User).where(User.email == "leser@example.no")).one()
    account.password_hash = passwords.hash_password(PASSWORD)  # registered since
    db.add(account)
    return signed_in(db, Role.KEY_READER, "leser@example.no")


def test_a_session_signed_in_an_hour_ago_shows_no_key_until_the_password_is_given(db, world):
    reader = _reader(db, world)
    with running_from(utcnow() + timedelta(minutes=60)):
        for caller, unit in ((world.own, world.own_units[5]), (reader, world.own_units[0])):
            with pytest.raises(ReauthenticationRequired) as asked:
                show_key(db, caller, unit)
            assert asked.value.field == "password"
        assert _views(db) == 0
        reauthenticate(db, reader, PASSWORD)
        assert show_key(db, reader, world.own_units[0]).encryption_key_hex
        with pytest.raises(ReauthenticationRequired):  # the distributor's session is still stale
            show_key(db, world.own, world.own_units[5])
    assert _views(db) == 1


def test_twenty_reveals_an_hour_then_the_password_again(db, world):
    bound = REVEALS_PER_SESSION.count
    assert bound == 20
    units = world.own_units[: bound + 1]
    for unit in units[:bound]:
        show_key(db, world.own, unit)
    with pytest.raises(ReauthenticationRequired):
        show_key(db, world.own, units[bound])
    # Another session of the same person counts on its own.
    other_session = signed_in(db, Role.DISTRIBUTOR, "dina@maaleservice.no", world.own.organisation_id)
    show_key(db, other_session, units[bound])
    reauthenticate(db, world.own, PASSWORD)
    show_key(db, world.own, units[bound])
    assert _views(db) == bound + 2  # each reveal audited, the refused one not


def test_an_administrator_reads_exports_and_assigns_no_keys(db, world):
    admin = signed_in(db, Role.ADMIN, "ada@example.no")
    units = world.own_units[:2]
    for attempt in (
        lambda: show_key(db, admin, units[0]),
        lambda: export_keys(db, admin, units, ExportFormat.CSV),
        lambda: assign_read_rights(db, admin, units, "leser@example.no"),
        lambda: readers_of(db, admin, units[0]),
        lambda: list_units(db, admin, UnitQuery()),
        lambda: stage_csv_import(db, admin, "k.csv", b"serial,key\nKAM1,00112233445566778899AABBCCDDEEFF\n"),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    # Even one that carries an organisation (an administrator of a distributor).
    with pytest.raises(AccessDenied):
        show_key(
            db,
            Caller(
                role=Role.ADMIN,
                user_id=admin.user_id,
                organisation_id=world.own.organisation_id,
                session_id=admin.session_id,
            ),
            units[0],
        )
    assert _views(db) == 0
