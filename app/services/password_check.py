"""The one password check of every sign-in: customers (mobile + password) and e-mail accounts.

The steps, in this order, are what keeps a password sign-in safe; both sign-ins call this
instead of writing them again (issue 22, point 4):

1. the client address's allowance of *failed* checks (``PASSWORD_LOGIN_PER_ADDRESS``): one is
   claimed atomically before the check and given back when the password is right, so only
   failures count (issue 21, point 5: an office behind one NAT address is never locked out by
   its own sign-ins);
2. the account's bounds (``login_throttle``): per (identity, address) and per identity. Past the
   per-identity bound, a caller that can ask for a fresh SMS code still gets its check
   (``step_up``): other addresses never lock the owner out (issue 20, point 8);
3. the claims are committed before the slow hash: they survive whatever follows, and on
   PostgreSQL no limiter lock is held while argon2 runs;
4. argon2 verify, a dummy of the same cost when there is no usable account (no oracle);
5. wrong: audit, commit, raise (past the per-identity bound: report it, the caller answers as
   for a right one); right: forget the address's failures, give back its claim, rehash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.models import User
from app.services import passwords
from app.services.audit import record_audit
from app.services.errors import DomainError
from app.services.login_throttle import (
    FAILURES_PER_IDENTITY_AND_ADDRESS,
    PasswordAttemptsLocked,
    claim_password_attempt,
    forget_password_failures,
    password_attempts_exhausted,
)
from app.services.rate_limit import PASSWORD_LOGIN_PER_ADDRESS, RateLimiter


@dataclass(frozen=True)
class PasswordLoginKind:
    """What differs between the sign-ins: audit actions and the answers' keys."""

    # Audit action of a refusal before any check (address out of attempts, account locked).
    refused_action: str
    # Audit action of a wrong password for an account.
    rejected_action: str
    # Audit action and detail when there is no usable account.
    unknown_action: str
    unknown_detail: str
    # The one answer to a wrong password and to an unknown account.
    wrong_key: str
    actor_role: str | None = None
    # When set, the failure that fills the (identity, address) bound answers "locked" at once
    # and is audited under this action.
    exhausted_action: str | None = None


@dataclass(frozen=True)
class PasswordChecked:
    """The outcome of a check that did not raise."""

    right: bool
    # The per-identity bound was full: a right password needs a fresh SMS code, and a wrong
    # one must be answered exactly like a right one (``right`` False only then).
    step_up: bool = False


def _address_key(client_address: str | None) -> str:
    return PASSWORD_LOGIN_PER_ADDRESS.key(client_address or "unknown")


def check_password(
    db: Session,
    limiter: RateLimiter,
    kind: PasswordLoginKind,
    *,
    identity: str,
    account: User | None,
    password: str,
    client_address: str | None,
    now: datetime,
    trusted_device: bool = False,
    step_up_possible: bool = False,
) -> PasswordChecked:
    """Check ``password`` against ``account`` (None or without a hash: a dummy check).

    Raises ``DomainError("login.too_many_attempts")`` when the address is out of failed
    checks, ``PasswordAttemptsLocked`` when the account's bounds refuse, and
    ``DomainError(kind.wrong_key)`` for a wrong password or an unknown account. Security state
    is committed before any error is raised.
    """
    limit = PASSWORD_LOGIN_PER_ADDRESS
    actor_id = account.id if account else None
    if not limiter.attempt(_address_key(client_address), limit.count, limit.window, now=now):
        _refuse(db, kind, actor_id, "too many attempts from this address", client_address)
        raise DomainError("login.too_many_attempts")
    try:
        step_up = claim_password_attempt(
            limiter,
            identity,
            client_address,
            trusted_device=trusted_device,
            step_up_possible=step_up_possible,
            now=now,
        )
    except PasswordAttemptsLocked:
        _refuse(db, kind, actor_id, "password checks locked", client_address)
        raise
    db.commit()
    usable = account is not None and bool(account.password_hash) and account.is_active
    if not usable:
        passwords.verify_password(None, password)  # the same cost as a wrong password
        return _wrong(db, limiter, kind, None, identity, client_address, now, step_up)
    assert account is not None and account.password_hash is not None
    if not passwords.verify_password(account.password_hash, password):
        return _wrong(db, limiter, kind, account, identity, client_address, now, step_up)
    forget_password_failures(limiter, identity, client_address)
    limiter.give_back(_address_key(client_address), now=now)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
        db.add(account)
    return PasswordChecked(right=True, step_up=step_up)


def _refuse(
    db: Session, kind: PasswordLoginKind, actor_id: int | None, detail: str, client_address: str | None
) -> None:
    record_audit(
        db,
        kind.refused_action,
        actor_user_id=actor_id,
        actor_role=kind.actor_role,
        outcome="refused",
        detail=detail,
        client_address=client_address,
    )
    db.commit()


def _wrong(
    db: Session,
    limiter: RateLimiter,
    kind: PasswordLoginKind,
    account: User | None,
    identity: str,
    client_address: str | None,
    now: datetime,
    step_up: bool,
) -> PasswordChecked:
    """Audit a wrong password (or no usable account) and raise the one answer for both."""
    exhausted = kind.exhausted_action is not None and password_attempts_exhausted(
        limiter, identity, client_address, now=now
    )
    if account is None:
        action, detail = kind.unknown_action, kind.unknown_detail
    else:
        action, detail = kind.rejected_action, ""
    if exhausted and kind.exhausted_action:
        action = kind.exhausted_action
    record_audit(
        db,
        action,
        actor_user_id=account.id if account else None,
        actor_role=(account.role if account else kind.actor_role) or None,
        subject_type="user" if account else "",
        subject_id=(account.id or "") if account else "",
        outcome="refused",
        detail=detail,
        client_address=client_address,
    )
    db.commit()
    if step_up:  # answered like a right password: past the bound, no answer tells them apart
        return PasswordChecked(right=False, step_up=True)
    if exhausted:
        raise PasswordAttemptsLocked(int(FAILURES_PER_IDENTITY_AND_ADDRESS.window.total_seconds() // 60))
    raise DomainError(kind.wrong_key)
