"""What every customer sign-in shares: the session it starts, the account it finds, the
per-address attempt count, and keeping security state when the caller rolls back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import (
    AccountRelationship,
    Role,
    User,
)
from app.services.audit import record_audit
from app.services.caller import OWN_IS_CURRENT
from app.services.customer.remembered_devices import is_remembered_device, remember_device
from app.services.customer.visibility import live_grants_for_mobile
from app.services.errors import DomainError
from app.services.rate_limit import (
    Limit,
    RateLimiter,
)
from app.services.sessions import start_session

log = logging.getLogger(__name__)

REQUIRED = "form.required"


@dataclass(frozen=True)
class LoginResult:
    """A signed-in customer: the session token for the browser to keep."""

    session_token: str
    relationship_id: int | None
    user_id: int | None
    # Set after a code when the mobile has an account: keep it 30 days to skip the code.
    device_token: str | None = None
    # False when an account holder signed in on a relationship not yet linked to the account.
    relationship_linked: bool = False


@contextmanager
def keep_security_state(db: Session) -> Iterator[None]:
    try:
        yield
    except DomainError:
        db.commit()
        raise


def address_or_unknown(client_address: str | None) -> str:
    return client_address or "unknown"


def without_spaces(text: str | None) -> str:
    return "".join((text or "").split())


def count_attempt_from_address(
    db: Session,
    limiter: RateLimiter,
    limit: Limit,
    action: str,
    client_address: str | None,
    now: datetime,
) -> None:
    """Count one sign-in attempt from this client address; refuse (and audit) past the limit."""
    if limiter.attempt(limit.key(address_or_unknown(client_address)), limit.count, limit.window, now=now):
        return
    record_audit(
        db,
        action,
        actor_role=Role.CUSTOMER.value,
        outcome="refused",
        detail="too many attempts from this address",
        client_address=client_address,
    )
    raise DomainError("login.too_many_attempts")


def find_customer_account(db: Session, mobile: str) -> User | None:
    """The active customer account of an E.164 mobile number, if any."""
    return db.exec(
        select(User).where(User.mobile == mobile, User.role == Role.CUSTOMER.value, col(User.is_active))
    ).first()


def linked_relationship_ids(db: Session, user_id: int) -> list[int]:
    return list(
        db.exec(
            select(AccountRelationship.relationship_id)
            .where(AccountRelationship.user_id == user_id)
            .order_by(col(AccountRelationship.linked_at), col(AccountRelationship.id))
        ).all()
    )


def account_landing(db: Session, account: User, now: datetime) -> tuple[int, int | None]:
    """Where an account's password sign-in lands: its first linked relationship (owned), else
    the first relationship shared with its mobile (not owned); ``login.no_relationship`` if none."""
    linked = linked_relationship_ids(db, account.id or 0)
    if linked:
        return linked[0], linked[0]
    shared = live_grants_for_mobile(db, account.mobile, now)
    if shared:
        return shared[0][0].relationship_id, None
    raise DomainError("login.no_relationship")


def start_customer_session(
    db: Session,
    *,
    user: User | None,
    relationship_id: int | None,
    client_address: str | None,
    device_token: str | None,
    issue_device_token: bool,
    how: str,
    now: datetime,
    mobile: str | None = None,
    own_relationship_id: int | None = OWN_IS_CURRENT,
) -> LoginResult:
    """``mobile``: the number the sign-in's SMS code proved (what shared access is matched on);
    ``own_relationship_id`` None: the session only holds access shared with that mobile."""
    user_id = user.id if user else None
    token = start_session(
        db,
        Role.CUSTOMER,
        user_id=user_id,
        relationship_id=relationship_id,
        client_address=client_address,
        now=now,
        own_relationship_id=own_relationship_id,
        mobile=mobile,
    )
    linked = bool(user_id and relationship_id in linked_relationship_ids(db, user_id))
    if issue_device_token and user_id is not None:
        if not is_remembered_device(db, user_id, device_token, now=now):
            device_token = remember_device(db, user_id, now=now)
    else:
        device_token = None
    record_audit(
        db,
        "customer.signed_in",
        actor_user_id=user_id,
        actor_role=Role.CUSTOMER.value,
        subject_type="customer_relationship",
        subject_id=relationship_id or "",
        detail=how,
        client_address=client_address,
    )
    return LoginResult(
        session_token=token,
        relationship_id=relationship_id,
        user_id=user_id,
        device_token=device_token,
        relationship_linked=linked,
    )
