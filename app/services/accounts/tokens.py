"""Mailed one-time links: single use, with an expiry, and a newer link voids the older ones.

The link carries a random 256-bit token; the database keeps only its SHA-256.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import AccountToken, AccountTokenPurpose, User
from app.models.base import utcnow
from app.services.errors import DomainError
from app.services.sessions import hash_token

LIFETIMES = {
    AccountTokenPurpose.ACTIVATION: timedelta(hours=24),
    AccountTokenPurpose.PASSWORD_RESET: timedelta(hours=1),
}


class InvalidLink(DomainError):
    """The link is unknown, used, voided by a newer one, or expired: ``key`` says which."""


def issue_token(
    db: Session,
    purpose: AccountTokenPurpose,
    email: str,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """A fresh link token for ``email``; every earlier live link of the same purpose is voided."""
    now = now or utcnow()
    earlier = db.exec(
        select(AccountToken).where(
            AccountToken.email == email,
            AccountToken.purpose == purpose.value,
            AccountToken.used_at == None,  # noqa: E711
            AccountToken.voided_at == None,  # noqa: E711
        )
    ).all()
    for row in earlier:
        row.voided_at = now
        db.add(row)
    token = secrets.token_urlsafe(32)
    db.add(
        AccountToken(
            token_hash=hash_token(token),
            purpose=purpose.value,
            email=email,
            user_id=user_id,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.flush()
    return token


def void_links(db: Session, account: User, *, now: datetime | None = None) -> int:
    """Void every live link (any purpose) of the account or its address; the number voided."""
    now = now or utcnow()
    owner = col(AccountToken.user_id) == account.id
    if account.email:
        owner = owner | (col(AccountToken.email) == account.email)
    voided = db.exec(
        update(AccountToken)
        .where(owner, col(AccountToken.used_at).is_(None), col(AccountToken.voided_at).is_(None))
        .values(voided_at=now)
    )
    return int(voided.rowcount or 0)


def find_token(
    db: Session, purpose: AccountTokenPurpose, token: str | None, *, now: datetime | None = None
) -> AccountToken:
    """The live link behind ``token``, or InvalidLink saying why it cannot be used."""
    now = now or utcnow()
    row = (
        db.exec(select(AccountToken).where(AccountToken.token_hash == hash_token(token))).first()
        if token
        else None
    )
    if row is None or row.purpose != purpose.value:
        raise InvalidLink("link.unknown")
    if row.used_at is not None:
        raise InvalidLink("link.used")
    if row.voided_at is not None:
        raise InvalidLink("link.voided")
    if row.expires_at <= now:
        raise InvalidLink("link.expired")
    return row


def redeem_token(
    db: Session, purpose: AccountTokenPurpose, token: str | None, *, now: datetime | None = None
) -> AccountToken:
    """Check the link and mark it used in the caller's transaction (single use)."""
    now = now or utcnow()
    row = find_token(db, purpose, token, now=now)
    # One conditional UPDATE: of two browsers following the same link at once, one wins.
    claimed = db.exec(
        update(AccountToken)
        .where(
            col(AccountToken.id) == row.id,
            col(AccountToken.used_at).is_(None),
            col(AccountToken.voided_at).is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise InvalidLink("link.used")
    db.refresh(row)
    return row
