"""Remembered devices: a browser that passed an SMS code skips it for 30 days.

The token is ``<random>.<expiry epoch>.<HMAC>``: the HMAC (server secret) rejects forged or
altered tokens before any lookup; the server keeps only the token's SHA-256, so a device can be
forgotten (revoked) one by one or all at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.models import RememberedDevice
from app.models.base import utcnow
from app.services.server_secret import keyed_digest

REMEMBER_FOR = timedelta(days=30)


def _signature(user_id: int, nonce: str, expires: int) -> str:
    return keyed_digest("remembered-device", f"{user_id}:{nonce}:{expires}")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_device(db: Session, user_id: int, *, now: datetime | None = None) -> str:
    """Issue a device token for ``user_id``: the browser keeps it (the only copy)."""
    now = now or utcnow()
    expires_at = now + REMEMBER_FOR
    nonce = secrets.token_urlsafe(24)
    expires = int(expires_at.timestamp())
    token = f"{nonce}.{expires}.{_signature(user_id, nonce, expires)}"
    db.add(
        RememberedDevice(
            user_id=user_id, token_hash=_token_hash(token), created_at=now, expires_at=expires_at
        )
    )
    db.flush()
    return token


def is_remembered_device(
    db: Session, user_id: int, token: str | None, *, now: datetime | None = None
) -> bool:
    """True when ``token`` was issued to ``user_id``, is unaltered, unexpired and not revoked."""
    if not token:
        return False
    now = now or utcnow()
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    nonce, expires_text, signature = parts
    expected = _signature(user_id, nonce, int(expires_text))
    if not hmac.compare_digest(expected, signature):
        return False
    if int(expires_text) <= now.timestamp():
        return False
    row = db.exec(select(RememberedDevice).where(RememberedDevice.token_hash == _token_hash(token))).first()
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    if row.expires_at <= now:
        return False
    row.last_used_at = now
    db.add(row)
    return True


def forget_devices(db: Session, user_id: int, *, now: datetime | None = None) -> int:
    """Revoke every remembered device of ``user_id``; the number revoked."""
    now = now or utcnow()
    rows = db.exec(
        select(RememberedDevice).where(
            RememberedDevice.user_id == user_id, col(RememberedDevice.revoked_at).is_(None)
        )
    ).all()
    for row in rows:
        row.revoked_at = now
        db.add(row)
    return len(rows)


def delete_devices(db: Session, user_id: int) -> None:
    for row in db.exec(select(RememberedDevice).where(RememberedDevice.user_id == user_id)).all():
        db.delete(row)
