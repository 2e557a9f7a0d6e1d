"""Key material leaves only within minutes of the person proving who they are.

An export and a reveal (one key shown) both need the session's last authentication
(``user_session.authenticated_at``) to be at most five minutes old; reveals are moreover bounded
per session (20 an hour): past that the password is asked again, which starts a new count. A
stale or stolen session therefore cannot drain keys one by one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.clock import utcnow
from app.models import User, UserSession
from app.services import passwords
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.login_throttle import (
    claim_password_attempt,
    email_identity,
    forget_password_failures,
)
from app.services.rate_limit import Limit, default_rate_limiter

# An export or a reveal asks for the password again when the last sign-in is older than this.
FRESH_AUTHENTICATION = timedelta(minutes=5)
# Keys shown one by one per session before the password is asked again.
REVEALS_PER_SESSION = Limit("key-reveals-per-session", 20, timedelta(hours=1))


class ReauthenticationRequired(DomainError):
    """The last sign-in is too old (or the session used up its reveals): the password again."""

    def __init__(self) -> None:
        super().__init__("keys.error.reauthenticate", field="password")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def require_fresh_authentication(db: Session, caller: Caller) -> None:
    """ReauthenticationRequired unless the caller's session proved the password within 5 minutes."""
    session = db.get(UserSession, caller.session_id) if caller.session_id is not None else None
    if session is None or session.revoked_at is not None or session.user_id != caller.user_id:
        raise ReauthenticationRequired()
    if session.authenticated_at is None or utcnow() - _aware(session.authenticated_at) > FRESH_AUTHENTICATION:
        raise ReauthenticationRequired()


def _reveal_key(caller: Caller) -> str:
    return REVEALS_PER_SESSION.key(str(caller.session_id))


def claim_reveal(db: Session, caller: Caller) -> None:
    """Count one key shown by this session: fresh authentication, and fewer than 20 reveals this
    hour since the password was last given; else ReauthenticationRequired."""
    require_fresh_authentication(db, caller)
    limit = REVEALS_PER_SESSION
    if not default_rate_limiter(db).attempt(_reveal_key(caller), limit.count, limit.window):
        raise ReauthenticationRequired()


def reauthenticate(db: Session, caller: Caller, password: str) -> None:
    """Check the account's password again (the sign-in's limits apply), mark the session freshly
    authenticated and give it a new count of reveals. A wrong password: DomainError on the field
    "password"."""
    account = db.get(User, caller.user_id) if caller.user_id is not None else None
    session = db.get(UserSession, caller.session_id) if caller.session_id is not None else None
    if account is None or session is None or session.user_id != account.id or not account.email:
        raise AccessDenied("auth.denied")
    limiter = default_rate_limiter(db)
    identity = email_identity(account.email)
    claim_password_attempt(limiter, identity, caller.client_address)
    if not password or not passwords.verify_password(account.password_hash, password):
        record_audit(
            db,
            "key.reauthenticate",
            caller,
            outcome="refused",
            subject_type="user",
            subject_id=account.id or "",
            detail="wrong password",
        )
        db.commit()  # the counted attempt and its audit row survive the caller's rollback
        raise DomainError("keys.error.wrong_password", field="password")
    forget_password_failures(limiter, identity, caller.client_address)
    limiter.clear(_reveal_key(caller))
    session.authenticated_at = utcnow()
    db.add(session)
    record_audit(db, "key.reauthenticate", caller, subject_type="user", subject_id=account.id or "")
