"""The check every customer-portal service applies to its ``Caller``.

A principal is only trusted when its session row still says the same thing: live, customer,
same account, same customer relationship. A refusal is logged and audited (committed at once,
since the caller rolls back on the error) and raised as ``AccessDenied``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.models import Role, User, UserSession
from app.models.base import utcnow
from app.services.access import refuse
from app.services.caller import Caller
from app.services.errors import DomainError


def require_customer(
    db: Session, principal: Caller | None, action: str, *, now: datetime | None = None
) -> UserSession:
    """The live session row behind ``principal``, or AccessDenied."""
    now = now or utcnow()
    if principal is None:
        raise refuse(db, None, action, "no session")
    if principal.role is not Role.CUSTOMER:
        raise refuse(db, principal, action, f"role {principal.role} is not customer")
    row = db.get(UserSession, principal.session_id)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise refuse(db, principal, action, "session not live")
    if (
        row.role != Role.CUSTOMER.value
        or row.user_id != principal.user_id
        or row.relationship_id != principal.relationship_id
    ):
        raise refuse(db, principal, action, "principal does not match its session")
    if principal.relationship_id is None:
        raise refuse(db, principal, action, "no customer relationship in session")
    if principal.user_id is not None:
        user = db.get(User, principal.user_id)
        if user is None or not user.is_active or user.role != Role.CUSTOMER.value:
            raise refuse(db, principal, action, "account inactive")
    return row


def require_account(
    db: Session, principal: Caller | None, action: str, *, now: datetime | None = None
) -> tuple[UserSession, User]:
    """Like ``require_customer``, for a customer with a password account."""
    row = require_customer(db, principal, action, now=now)
    if row.user_id is None:
        raise DomainError("account.required")
    user = db.get(User, row.user_id)
    assert user is not None
    return row, user
