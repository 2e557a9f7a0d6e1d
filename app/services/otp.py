"""One-time SMS codes for the customer sign-in.

- 6 digits from ``secrets``; only an HMAC-SHA256 of the code (server secret, bound to the
  challenge id) is stored, and it is compared in constant time.
- Valid 5 minutes; 5 wrong tries kill the code; one live code per mobile (a new one
  supersedes the old); a new code for the same challenge only after a cooldown.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import ChallengePurpose, ChallengeStatus, LoginChallenge
from app.models.base import utcnow
from app.services.errors import DomainError
from app.services.mobile_numbers import mask_mobile
from app.services.notify.sms import PROVIDER_LOCAL, check_login_code, send_login_code
from app.services.server_secret import keyed_digest

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_WRONG_TRIES = 5
RESEND_COOLDOWN = timedelta(seconds=60)
# A challenge no code opens: the answer to a wrong password past the account's bound looks
# exactly like the answer to a right one (issue 20.8), and no SMS goes out for it.
PROVIDER_DECOY = "decoy"


@dataclass(frozen=True)
class ChallengeInfo:
    """What the code-entry screen shows: where the code went and when a new one can be asked."""

    challenge_id: str
    masked_mobile: str
    resend_available_at: datetime
    expires_at: datetime


def challenge_info(challenge: LoginChallenge) -> ChallengeInfo:
    return ChallengeInfo(
        challenge_id=challenge.public_id,
        masked_mobile=mask_mobile(challenge.mobile),
        resend_available_at=challenge.resend_available_at,
        expires_at=challenge.expires_at,
    )


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(challenge_id: str, code: str) -> str:
    return keyed_digest("login-code", f"{challenge_id}:{code}")


def code_matches(stored_digest: str | None, challenge_id: str, code: str) -> bool:
    """Constant-time comparison of the stored HMAC with the HMAC of what was typed."""
    if not stored_digest:
        return False
    return hmac.compare_digest(stored_digest, code_digest(challenge_id, code))


def find_challenge(db: Session, challenge_id: str) -> LoginChallenge | None:
    if not challenge_id:
        return None
    return db.exec(select(LoginChallenge).where(LoginChallenge.public_id == challenge_id)).first()


def supersede_live_codes(db: Session, mobile: str) -> None:
    for old in db.exec(
        select(LoginChallenge).where(
            LoginChallenge.mobile == mobile,
            col(LoginChallenge.status) == ChallengeStatus.LIVE.value,
        )
    ).all():
        old.status = ChallengeStatus.SUPERSEDED.value
        db.add(old)


def issue_challenge(
    db: Session,
    *,
    purpose: ChallengePurpose,
    mobile: str,
    relationship_id: int | None = None,
    user_id: int | None = None,
    client_address: str | None = None,
    language: str = "nb",
    now: datetime | None = None,
) -> LoginChallenge:
    """Send a new code to ``mobile`` and make it the only live one for that number.

    Raises ``SmsDeliveryError`` when the SMS cannot be sent (the old code then stays live).
    """
    now = now or utcnow()
    public_id = secrets.token_urlsafe(24)
    code = generate_code()
    provider = send_login_code(db, mobile, code, language=language)
    supersede_live_codes(db, mobile)
    challenge = LoginChallenge(
        public_id=public_id,
        purpose=purpose.value,
        mobile=mobile,
        relationship_id=relationship_id,
        user_id=user_id,
        provider=provider,
        code_hash=code_digest(public_id, code) if provider == PROVIDER_LOCAL else None,
        created_at=now,
        expires_at=now + CODE_TTL,
        resend_available_at=now + RESEND_COOLDOWN,
        client_address=client_address,
    )
    db.add(challenge)
    db.flush()
    return challenge


def issue_decoy_challenge(
    db: Session,
    *,
    purpose: ChallengePurpose,
    mobile: str,
    user_id: int | None = None,
    client_address: str | None = None,
    now: datetime | None = None,
) -> LoginChallenge:
    """A challenge shaped like a real one that no code opens and no SMS announced.

    The customer's live code (if any) stays live: a wrong guess must not disturb it.
    """
    now = now or utcnow()
    challenge = LoginChallenge(
        public_id=secrets.token_urlsafe(24),
        purpose=purpose.value,
        mobile=mobile,
        user_id=user_id,
        provider=PROVIDER_DECOY,
        code_hash=None,
        created_at=now,
        expires_at=now + CODE_TTL,
        resend_available_at=now + RESEND_COOLDOWN,
        client_address=client_address,
    )
    db.add(challenge)
    db.flush()
    return challenge


def normalise_code(code: str | None) -> str:
    typed = "".join((code or "").split())
    if len(typed) != CODE_DIGITS or not typed.isdigit():
        raise DomainError("otp.format", field="code")
    return typed


def claim_code_try(db: Session, challenge: LoginChallenge) -> int:
    """Count one try of the code before it is compared, in one atomic UPDATE; the tries so far.

    A read-then-write count let concurrent guesses pass the limit on PostgreSQL. Committed at
    once, so a rollback by the caller cannot give the try back. ``otp.locked`` when no try is
    left (or the challenge stopped being live meanwhile).
    """
    claimed = db.execute(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.id) == challenge.id,
            col(LoginChallenge.status) == ChallengeStatus.LIVE.value,
            col(LoginChallenge.failed_attempts) < MAX_WRONG_TRIES,
        )
        .values(failed_attempts=col(LoginChallenge.failed_attempts) + 1)
        .returning(col(LoginChallenge.failed_attempts))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.commit()
    db.refresh(challenge)
    if claimed is None:
        raise DomainError("otp.locked", field="code")
    return int(claimed)


def redeem_code(
    db: Session, challenge_id: str, code: str | None, *, now: datetime | None = None
) -> LoginChallenge:
    """Mark the challenge used when ``code`` is right; otherwise raise.

    Every try is counted (atomically, and committed) before the code is compared; the caller
    commits the rest before letting an error through.
    """
    now = now or utcnow()
    challenge = find_challenge(db, challenge_id)
    if challenge is None or challenge.status in (
        ChallengeStatus.USED.value,
        ChallengeStatus.SUPERSEDED.value,
    ):
        raise DomainError("otp.invalid", field="code")
    if challenge.status == ChallengeStatus.DEAD.value:
        raise DomainError("otp.locked", field="code")
    if challenge.expires_at <= now:
        raise DomainError("otp.expired", field="code")
    typed = normalise_code(code)
    tries = claim_code_try(db, challenge)
    if challenge.provider == PROVIDER_DECOY:
        right = False
    elif challenge.provider == PROVIDER_LOCAL:
        right = code_matches(challenge.code_hash, challenge.public_id, typed)
    else:
        right = check_login_code(challenge.mobile, typed)
    if not right:
        tries_left = MAX_WRONG_TRIES - tries
        if tries_left <= 0:
            challenge.status = ChallengeStatus.DEAD.value
            db.add(challenge)
            db.flush()
            raise DomainError("otp.locked", field="code")
        raise DomainError("otp.wrong", field="code", tries_left=tries_left)
    # Conditional, so two concurrent right answers cannot both start a session.
    used = db.execute(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.id) == challenge.id,
            col(LoginChallenge.status) == ChallengeStatus.LIVE.value,
        )
        .values(status=ChallengeStatus.USED.value, used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise DomainError("otp.invalid", field="code")
    db.refresh(challenge)
    return challenge
