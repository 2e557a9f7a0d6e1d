"""The code that confirms a send: 6 digits mailed to the sender, through the sign-in code machinery.

The digits, the keyed hash and its constant-time check are the SMS codes' (``app.services.otp``):
only the HMAC is stored; the code lives 10 minutes; 5 wrong tries kill it; each try is counted in
one conditional UPDATE committed before the code is compared, so concurrent guesses cannot pass
the limit; a new code supersedes the person's live one. The code is mailed at once (the sender is
waiting for it, as for a sign-in code) and never written to the outbox. A code confirms one send:
``subject_digest`` binds it to the recipient organisation and the exact units.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import KeyTransferCode, TransferCodeStatus, User
from app.services.errors import DomainError
from app.services.notify.mail import compose, deliver_mail
from app.services.otp import MAX_WRONG_TRIES, code_matches, generate_code, normalise_code
from app.services.otp import code_digest as hashed_code

CODE_TTL = timedelta(minutes=10)


def subject_digest(to_organisation_id: int, unit_ids: Sequence[int]) -> str:
    """What a code confirms: the recipient and the exact set of units."""
    text = f"{to_organisation_id}:" + ",".join(str(i) for i in sorted(set(unit_ids)))
    return hashlib.sha256(text.encode()).hexdigest()


def issue_transfer_code(db: Session, user: User, digest: str, *, language: str) -> str:
    """Mail a new code to ``user`` for the send ``digest`` names; returns the challenge's public id.

    The person's earlier live codes are superseded. Commits (the mail has gone out by then).
    """
    assert user.id is not None
    now = utcnow()
    public_id = secrets.token_urlsafe(24)
    code = generate_code()
    db.execute(
        update(KeyTransferCode)
        .where(
            col(KeyTransferCode.user_id) == user.id,
            col(KeyTransferCode.status) == TransferCodeStatus.LIVE.value,
        )
        .values(status=TransferCodeStatus.SUPERSEDED.value)
        .execution_options(synchronize_session=False)
    )
    db.add(
        KeyTransferCode(
            public_id=public_id,
            user_id=user.id,
            subject_digest=digest,
            code_hash=hashed_code(public_id, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    )
    db.flush()
    deliver_mail(
        compose(
            user.email or "",
            "key_transfer_code",
            user.language or language,
            code=code,
            minutes=int(CODE_TTL.total_seconds() // 60),
        )
    )
    db.commit()
    return public_id


def _claim_try(db: Session, code_id: int) -> int:
    claimed = db.execute(
        update(KeyTransferCode)
        .where(
            col(KeyTransferCode.id) == code_id,
            col(KeyTransferCode.status) == TransferCodeStatus.LIVE.value,
            col(KeyTransferCode.failed_attempts) < MAX_WRONG_TRIES,
        )
        .values(failed_attempts=col(KeyTransferCode.failed_attempts) + 1)
        .returning(col(KeyTransferCode.failed_attempts))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.commit()
    if claimed is None:
        raise DomainError("otp.locked", field="code")
    return int(claimed)


def redeem_transfer_code(db: Session, user_id: int, public_id: str, code: str | None, digest: str) -> None:
    """Use the code (once) when it is right, live, the person's own and for this very send; else raise.

    The try is committed before the comparison; on success the code is marked used in the
    caller's transaction (a conditional UPDATE: two right answers cannot both send).
    """
    now = utcnow()
    row = db.exec(
        select(KeyTransferCode)
        .where(KeyTransferCode.public_id == (public_id or ""))
        .execution_options(populate_existing=True)
    ).first()
    if (
        row is None
        or row.user_id != user_id
        or row.status in (TransferCodeStatus.USED.value, TransferCodeStatus.SUPERSEDED.value)
    ):
        raise DomainError("keys.transfer.error.code_invalid", field="code")
    if row.status == TransferCodeStatus.DEAD.value:
        raise DomainError("otp.locked", field="code")
    if row.expires_at <= now:
        raise DomainError("otp.expired", field="code")
    typed = normalise_code(code)
    assert row.id is not None
    tries = _claim_try(db, row.id)
    if not code_matches(row.code_hash, public_id, typed) or row.subject_digest != digest:
        tries_left = MAX_WRONG_TRIES - tries
        if tries_left <= 0:
            db.execute(
                update(KeyTransferCode)
                .where(col(KeyTransferCode.id) == row.id)
                .values(status=TransferCodeStatus.DEAD.value)
            )
            db.commit()
            raise DomainError("otp.locked", field="code")
        if row.subject_digest != digest and code_matches(row.code_hash, public_id, typed):
            raise DomainError("keys.transfer.error.code_other_send", field="code")
        raise DomainError("otp.wrong", field="code", tries_left=tries_left)
    used = db.execute(
        update(KeyTransferCode)
        .where(
            col(KeyTransferCode.id) == row.id, col(KeyTransferCode.status) == TransferCodeStatus.LIVE.value
        )
        .values(status=TransferCodeStatus.USED.value, used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise DomainError("keys.transfer.error.code_invalid", field="code")
