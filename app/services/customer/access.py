"""The check every customer-portal service applies to its ``Caller``.

A principal is only trusted when its session row still says the same thing: live, customer,
same account, same customer relationship; and that relationship is one the selector
(``customer.visibility``) lets it see, with the scope the service needs. A refusal is logged
and audited (committed at once, since the caller rolls back on the error) and raised as
``AccessDenied``: ``sharing.access_ended`` when a grant the session relied on is gone.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.models import Role, User, UserSession
from app.models.base import utcnow
from app.services.access import refuse
from app.services.caller import Caller
from app.services.customer.visibility import Scope, VisibleRelationship, access_to
from app.services.errors import AccessDenied, DomainError


def require_customer(
    db: Session,
    principal: Caller | None,
    action: str,
    *,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> UserSession:
    """The live session row behind ``principal``, or AccessDenied.

    ``scope`` is what the service shows of the session's current relationship; without one the
    service is the owner's alone (profile, HAN orders, sharing): its own or a linked relationship.
    """
    return require_scope(db, principal, action, scope, now=now)[0]


def require_scope(
    db: Session,
    principal: Caller | None,
    action: str,
    scope: Scope | None,
    *,
    now: datetime | None = None,
) -> tuple[UserSession, VisibleRelationship]:
    """``require_customer``, with what the selector lets the session see of its relationship."""
    now = now or utcnow()
    row = require_session(db, principal, action, now=now)
    assert principal is not None
    visible = access_to(db, row, principal.relationship_id, now=now)
    if visible is None:
        refuse(
            db,
            principal,
            action,
            "relationship not visible (grant ended?)",
            subject_type="customer_relationship",
            subject_id=principal.relationship_id,
        )
        raise AccessDenied("sharing.access_ended")
    if not (visible.allows(scope) if scope is not None else not visible.is_shared):
        refuse(
            db,
            principal,
            action,
            f"shared relationship: {scope or 'owner only'} not granted",
            subject_type="customer_relationship",
            subject_id=principal.relationship_id,
        )
        raise AccessDenied("sharing.not_shared")
    return row, visible


def require_session(
    db: Session, principal: Caller | None, action: str, *, now: datetime | None = None
) -> UserSession:
    """The live customer session row behind ``principal``, whatever relationship it is on."""
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
        or row.own_relationship_id != principal.own_relationship_id
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
    """Like ``require_customer``, for a customer with a password account (on a relationship
    of their own)."""
    row = require_customer(db, principal, action, now=now)
    if row.user_id is None:
        raise DomainError("account.required")
    user = db.get(User, row.user_id)
    assert user is not None
    return row, user
