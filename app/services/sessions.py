"""Server-side sessions: a random 256-bit token in the browser, its SHA-256 in the database.

A session ends when it is idle too long, reaches its absolute lifetime, or is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.config import settings
from app.models import Role, User, UserSession
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.caller import OWN_IS_CURRENT, Caller

# How stale user_session.last_seen_at may get before a request writes it again.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    db: Session,
    role: Role,
    *,
    user_id: int | None = None,
    relationship_id: int | None = None,
    client_address: str | None = None,
    now: datetime | None = None,
    own_relationship_id: int | None = OWN_IS_CURRENT,
    mobile: str | None = None,
) -> str:
    """Create a session and return the token the browser keeps (the only copy of it).

    A customer session owns the relationship it starts on unless ``own_relationship_id`` says
    otherwise (None: a session that only holds access shared with ``mobile``)."""
    if own_relationship_id == OWN_IS_CURRENT:
        own_relationship_id = relationship_id
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            token_hash=hash_token(token),
            role=role.value,
            user_id=user_id,
            relationship_id=relationship_id,
            own_relationship_id=own_relationship_id,
            mobile=mobile,
            client_address=client_address,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            authenticated_at=now,
        )
    )
    db.flush()
    return token


def find_live_session(db: Session, token: str, *, now: datetime | None = None) -> UserSession | None:
    """The session behind ``token`` if it is neither revoked, idle too long nor expired."""
    if not token:
        return None
    now = now or utcnow()
    row = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    return row if row is not None and _is_live(row, now) else None


def _is_live(row: UserSession | Row, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and row.expires_at > now
        and row.last_seen_at + timedelta(minutes=settings.session_idle_minutes) > now
    )


_session = UserSession.__table__.c
_user = User.__table__.c
# Built once: every event of a signed-in browser runs it (building it cost as much as running it).
_LIVE_SESSION = (
    sa_select(
        _session.id,
        _session.role,
        _session.user_id,
        _session.relationship_id,
        _session.revoked_at,
        _session.expires_at,
        _session.last_seen_at,
        _user.organisation_id,
        _session.own_relationship_id,
        _session.mobile,
        _user.mobile.label("user_mobile"),
    )
    .select_from(UserSession.__table__.outerjoin(User.__table__, _user.id == _session.user_id))
    .where(_session.token_hash == bindparam("token_hash"))
)
_SEEN = (
    update(UserSession.__table__)
    .where(_session.id == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


def resolve_principal(
    db: Session, token: str, *, now: datetime | None = None, client_address: str | None = None
) -> Caller | None:
    """The caller behind the token, the session marked as seen; None when it is not live."""
    now = now or utcnow()
    if not token:
        return None
    if db.new or db.dirty or db.deleted:
        db.flush()  # what the ORM would have flushed before its own query (a revocation)
    row = db.connection().execute(_LIVE_SESSION, {"token_hash": hash_token(token)}).first()
    if row is None or not _is_live(row, now):
        return None
    # A tap every few seconds need not write the row each time: idle expiry counts in minutes.
    if now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        db.connection().execute(_SEEN, {"session_id": row.id, "now": now})
    return Caller(
        role=Role(row.role),
        user_id=row.user_id,
        organisation_id=row.organisation_id,
        session_id=row.id,
        relationship_id=row.relationship_id,
        client_address=client_address,
        own_relationship_id=row.own_relationship_id,
        mobile=row.user_mobile or row.mobile,
    )


def switch_session_relationship(db: Session, session_id: int, relationship_id: int) -> None:
    row = db.get(UserSession, session_id)
    if row is not None:
        row.relationship_id = relationship_id
        db.add(row)


def _revoke(db: Session, token: str, now: datetime | None) -> UserSession | None:
    row = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now or utcnow()
    db.add(row)
    return row


def revoke_session(db: Session, token: str, *, now: datetime | None = None) -> bool:
    return _revoke(db, token, now) is not None


def end_user_sessions(
    db: Session, user_id: int, *, keep_session_id: int | None = None, now: datetime | None = None
) -> int:
    """Revoke every live session of an account (but ``keep_session_id``); returns how many."""
    now = now or utcnow()
    rows = db.exec(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at == None)  # noqa: E711
    ).all()
    ended = 0
    for row in rows:
        if row.id != keep_session_id:
            row.revoked_at = now
            db.add(row)
            ended += 1
    return ended


def sign_out(db: Session, token: str, *, client_address: str | None = None) -> bool:
    """Logout, whatever the role: revoke the session server-side and audit it.

    False when the session was not live.
    """
    row = _revoke(db, token, None)
    if row is not None:
        record_audit(
            db,
            "session.signed_out",
            actor_user_id=row.user_id,
            actor_role=row.role,
            client_address=client_address,
        )
    return row is not None
