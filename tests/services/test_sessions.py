"""Server-side sessions: hashed tokens, idle and absolute expiry, revocation."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.config import settings
from app.models import Role, UserSession
from app.models.base import utcnow
from app.services.sessions import (
    hash_token,
    resolve_principal,
    revoke_session,
    start_session,
)


def test_token_is_256_bits_and_only_its_hash_is_stored(db):
    token = start_session(db, Role.CUSTOMER)
    db.commit()
    stored = db.exec(select(UserSession)).one()
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash


def test_live_session_resolves_to_its_principal(db):
    token = start_session(db, Role.INSTALLER, user_id=None)
    principal = resolve_principal(db, token)
    assert principal is not None
    assert principal.role is Role.INSTALLER


def test_idle_session_expires(db):
    now = utcnow()
    token = start_session(db, Role.CUSTOMER, now=now)
    idle = timedelta(minutes=settings.session_idle_minutes)
    assert resolve_principal(db, token, now=now + idle - timedelta(seconds=1)) is not None
    later = now + idle - timedelta(seconds=1) + idle
    assert resolve_principal(db, token, now=later) is None


def test_activity_keeps_a_session_alive_until_its_absolute_expiry(db):
    now = utcnow()
    token = start_session(db, Role.CUSTOMER, now=now)
    step = timedelta(minutes=settings.session_idle_minutes - 1)
    moment = now
    while moment + step < now + timedelta(hours=settings.session_absolute_hours):
        moment += step
        assert resolve_principal(db, token, now=moment) is not None
    moment += step
    assert resolve_principal(db, token, now=moment) is None


def test_revoked_session_is_refused(db):
    token = start_session(db, Role.CUSTOMER)
    assert revoke_session(db, token) is True
    assert resolve_principal(db, token) is None
    assert revoke_session(db, token) is False


def test_unknown_or_empty_token_is_refused(db):
    assert resolve_principal(db, "") is None
    assert resolve_principal(db, "not-a-token") is None


def test_last_seen_is_written_at_most_once_a_minute(db):
    now = utcnow()
    token = start_session(db, Role.CUSTOMER, now=now)
    db.commit()
    row = db.exec(select(UserSession)).one()

    assert resolve_principal(db, token, now=now + timedelta(seconds=59)) is not None
    assert not db.dirty  # nothing to write: the tap within the minute costs no UPDATE
    db.refresh(row)
    assert row.last_seen_at.replace(tzinfo=now.tzinfo) == now

    assert resolve_principal(db, token, now=now + timedelta(seconds=61)) is not None
    db.commit()
    db.refresh(row)
    assert row.last_seen_at.replace(tzinfo=now.tzinfo) == now + timedelta(seconds=61)
