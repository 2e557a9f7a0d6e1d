"""Customer sign-in by mobile + password: a remembered device signs in at once, a new one gets
an SMS code. Password checks are bounded by ``login_throttle``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlmodel import Session

from app.models import (
    ChallengePurpose,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import passwords
from app.services.audit import record_audit
from app.services.customer.login import send_code
from app.services.customer.remembered_devices import is_remembered_device
from app.services.customer.sign_in import (
    REQUIRED,
    LoginResult,
    count_attempt_from_address,
    find_customer_account,
    keep_security_state,
    linked_relationship_ids,
    start_customer_session,
)
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.login_throttle import (
    FAILURES_PER_IDENTITY_AND_ADDRESS,
    PasswordAttemptsLocked,
    claim_password_attempt,
    customer_identity,
    forget_password_failures,
    password_attempts_exhausted,
)
from app.services.mobile_numbers import normalise_mobile
from app.services.otp import (
    ChallengeInfo,
)
from app.services.rate_limit import (
    PASSWORD_LOGIN_PER_ADDRESS,
    RateLimiter,
    default_rate_limiter,
)


@dataclass(frozen=True)
class PasswordLoginOutcome:
    """Either signed in (remembered device) or a code was sent (``challenge``)."""

    result: LoginResult | None = None
    challenge: ChallengeInfo | None = None


def login_with_password(
    db: Session,
    mobile: str | None,
    password: str | None,
    device_token: str | None,
    client_address: str | None,
    now: datetime | None = None,
    *,
    language: str = "nb",
    limiter: RateLimiter | None = None,
) -> PasswordLoginOutcome:
    """Mobile + password. A remembered device signs in at once; a new one gets an SMS code.

    Password checks are bounded by ``login_throttle`` per (mobile, address) and per mobile,
    the same whether or not an account exists (``login.locked``).
    """
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    with keep_security_state(db):
        errors: dict[str, str] = {}
        if not (mobile or "").strip():
            errors["mobile"] = REQUIRED
        if not password:
            errors["password"] = REQUIRED
        if errors:
            raise FieldErrors(errors)
        assert password is not None
        count_attempt_from_address(
            db, limiter, PASSWORD_LOGIN_PER_ADDRESS, "customer.password_login", client_address, now
        )
        e164 = normalise_mobile(mobile)
        account = find_customer_account(db, e164)
        if account is not None and not account.password_hash:
            account = None
        identity = customer_identity(e164)
        trusted_device = account is not None and is_remembered_device(
            db, account.id or 0, device_token, now=now
        )
        try:
            claim_password_attempt(
                limiter, identity, client_address, trusted_device=trusted_device, now=now
            )
        except PasswordAttemptsLocked:
            record_audit(
                db,
                "customer.password_login",
                actor_user_id=account.id if account else None,
                actor_role=Role.CUSTOMER.value,
                outcome="refused",
                detail="password checks locked",
                client_address=client_address,
            )
            raise
        # The claim is committed before the slow hash: it survives whatever follows, and on
        # PostgreSQL the limiter's lock is not held while argon2 runs.
        db.commit()
        if account is None:
            passwords.verify_password(None, password)  # same cost as a wrong password
            _password_rejected(db, limiter, None, identity, client_address, now)
        assert account is not None and account.password_hash is not None
        if not passwords.verify_password(account.password_hash, password):
            _password_rejected(db, limiter, account, identity, client_address, now)
        forget_password_failures(limiter, identity, client_address)
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash_password(password)
        db.add(account)

        assert account.id is not None
        linked = linked_relationship_ids(db, account.id)
        if not linked:
            raise DomainError("login.no_relationship")
        if is_remembered_device(db, account.id, device_token, now=now):
            return PasswordLoginOutcome(
                result=start_customer_session(
                    db,
                    user=account,
                    relationship_id=linked[0],
                    client_address=client_address,
                    device_token=device_token,
                    issue_device_token=True,
                    how="password on remembered device",
                    now=now,
                )
            )
        return PasswordLoginOutcome(
            challenge=send_code(
                db,
                limiter,
                purpose=ChallengePurpose.PASSWORD_LOGIN,
                mobile=e164,
                relationship_id=None,
                user_id=account.id,
                client_address=client_address,
                language=language,
                now=now,
            )
        )


def _password_rejected(
    db: Session,
    limiter: RateLimiter,
    account: User | None,
    identity: str,
    client_address: str | None,
    now: datetime,
) -> NoReturn:
    """Audit a wrong password (or an unknown mobile) and raise the one answer for both."""
    exhausted = password_attempts_exhausted(limiter, identity, client_address, now=now)
    record_audit(
        db,
        "customer.account_locked" if exhausted else "customer.password_rejected",
        actor_user_id=account.id if account else None,
        actor_role=Role.CUSTOMER.value,
        subject_type="user" if account else "",
        subject_id=(account.id or "") if account else "",
        outcome="refused",
        detail="" if account else "no account",
        client_address=client_address,
    )
    if exhausted:
        raise PasswordAttemptsLocked(int(FAILURES_PER_IDENTITY_AND_ADDRESS.window.total_seconds() // 60))
    raise DomainError("login.bad_credentials")
