"""Issue 20.5: a deactivation sticks. No mailed link re-activates the account, its read rights are
suspended, and an invitation to its address sends nothing (the distributor is told the same)."""

from __future__ import annotations

import re

import pytest
from key_factories import signed_in
from sqlmodel import func, select

from app.models import AuditEntry, OutboxMessage, Role, User
from app.services.accounts.accounts import complete_registration, request_password_reset, reset_password
from app.services.accounts.administration import deactivate_account
from app.services.accounts.tokens import InvalidLink
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.keys.read_rights import assign_read_rights, reader_units, show_key
from app.services.keys.units import UnitQuery
from app.services.notify.mail import latest_mail_to

NEW_PASSWORD = "Lese#Tilgang2026"
READER = "invitert@example.no"


def _token(db, address: str) -> str:
    mail = latest_mail_to(db, address)
    assert mail is not None
    return re.search(r"token=(\S+)", mail.body).group(1)


def _mails_to(db, address: str) -> int:
    return db.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == address)
    ).one()


def _account(db, address: str) -> User:
    return db.exec(select(User).where(User.email == address)).one()


@pytest.fixture
def admin(db) -> Caller:
    return signed_in(db, Role.ADMIN, "admin@example.no")


def test_the_activation_link_mailed_before_a_deactivation_is_dead(db, world, admin):
    assign_read_rights(db, world.own, world.own_units[:2], READER)
    db.commit()
    token = _token(db, READER)
    deactivate_account(db, admin, _account(db, READER).id)
    db.commit()
    with pytest.raises(InvalidLink):
        complete_registration(db, token, "Inga", NEW_PASSWORD, NEW_PASSWORD, language="nb")
    db.rollback()
    account = _account(db, READER)
    assert not account.is_active and account.password_hash is None


def test_a_new_invitation_to_a_deactivated_address_sends_nothing_and_reactivates_nothing(db, world, admin):
    first = assign_read_rights(db, world.own, world.own_units[:2], READER)
    db.commit()
    deactivate_account(db, admin, _account(db, READER).id)
    db.commit()
    mails = _mails_to(db, READER)
    second = assign_read_rights(db, world.other, world.other_units[:1], READER)
    db.commit()
    # The distributor is told what any invitation tells; nothing is mailed ...
    assert (second.assigned, second.invited) == (1, first.invited)
    assert _mails_to(db, READER) == mails
    # ... and the administrator sees the attempt.
    attempt = db.exec(select(AuditEntry).where(AuditEntry.action == "account.invitation_suppressed")).one()
    assert attempt.subject_id == str(_account(db, READER).id) and "deactivated" in attempt.detail
    assert not _account(db, READER).is_active


def test_completing_a_registration_never_reactivates_a_deactivated_account(db, world, admin):
    """Even with a link the deactivation missed (issued behind its back)."""
    from app.models import AccountTokenPurpose
    from app.services.accounts.tokens import issue_token

    assign_read_rights(db, world.own, world.own_units[:1], READER)
    db.commit()
    account = _account(db, READER)
    deactivate_account(db, admin, account.id)
    db.commit()
    token = issue_token(db, AccountTokenPurpose.ACTIVATION, READER, user_id=account.id)
    db.commit()
    with pytest.raises(InvalidLink):
        complete_registration(db, token, "Inga", NEW_PASSWORD, NEW_PASSWORD, language="nb")
    assert not _account(db, READER).is_active
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "account.activation_refused")).one()


def test_deactivation_voids_reset_links_and_suspends_read_rights(db, world, admin):
    assign_read_rights(db, world.own, world.own_units[:2], READER)
    db.commit()
    complete_registration(db, _token(db, READER), "Inga", NEW_PASSWORD, NEW_PASSWORD, language="nb")
    db.commit()
    account = _account(db, READER)
    reader = Caller(role=Role.KEY_READER, user_id=account.id)
    assert reader_units(db, reader, UnitQuery()).total == 2
    request_password_reset(db, READER, language="nb")
    db.commit()
    reset_token = _token(db, READER)
    deactivate_account(db, admin, account.id)
    db.commit()
    with pytest.raises(InvalidLink):
        reset_password(db, reset_token, NEW_PASSWORD + "x", NEW_PASSWORD + "x")
    db.rollback()
    # A caller object that outlived its session still reads nothing.
    assert reader_units(db, reader, UnitQuery()).total == 0
    with pytest.raises(AccessDenied):
        show_key(db, reader, world.own_units[0])
