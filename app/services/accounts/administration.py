"""Access requests and the administrators' work: approve or decline, list, deactivate.

A registered person without an organisation asks for a role; an administrator approves
(choosing or creating the organisation) or declines with a reason, and the person is told
by e-mail. Every function re-checks the caller's role, whatever the page did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app import routes
from app.models import (
    AccessRequest,
    AccessRequestStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.models.base import utcnow
from app.services.accounts.accounts import EMAIL_ROLES
from app.services.accounts.tokens import void_links
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.notify.mail import public_link
from app.services.notify.outbox import queue_mail
from app.services.sessions import end_user_sessions

# The roles a person may ask for, and the kinds of organisation each belongs to (first: created).
REQUESTABLE_ROLES: dict[Role, tuple[OrganisationKind, ...]] = {
    Role.DISTRIBUTOR: (OrganisationKind.DISTRIBUTOR,),
    Role.INSTALLER: (OrganisationKind.INSTALLER_FIRM,),
    Role.GRID_STAFF: (OrganisationKind.GRID_COMPANY, OrganisationKind.DISTRICT_HEATING),
}
PAGE_SIZE = 25


@dataclass(frozen=True)
class AccountRow:
    user_id: int
    email: str
    name: str
    role: str
    organisation: str
    is_active: bool


@dataclass(frozen=True)
class RequestRow:
    request_id: int
    email: str
    name: str
    requested_role: str
    organisation_name: str
    customer_number: str
    created_at: datetime


def _require_admin(principal: Caller | None) -> Caller:
    if principal is None or principal.role is not Role.ADMIN:
        raise AccessDenied("auth.denied")
    return principal


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


# ---------------------------------------------------------------- the person asking


def pending_request(db: Session, user_id: int) -> AccessRequest | None:
    return db.exec(
        select(AccessRequest).where(
            AccessRequest.user_id == user_id,
            AccessRequest.status == AccessRequestStatus.PENDING.value,
        )
    ).first()


def latest_request(db: Session, user_id: int) -> AccessRequest | None:
    return db.exec(
        select(AccessRequest).where(AccessRequest.user_id == user_id).order_by(col(AccessRequest.id).desc())
    ).first()


def request_access(
    db: Session,
    principal: Caller,
    requested_role: str,
    organisation_name: str | None,
    customer_number: str | None,
) -> AccessRequest:
    """A registered account without an organisation asks for a role in one."""
    user = db.get(User, principal.user_id) if principal.user_id else None
    if user is None or principal.role is not Role.REGISTERED or user.organisation_id is not None:
        raise AccessDenied("auth.denied")
    errors: dict[str, str] = {}
    try:
        role = Role(requested_role)
    except ValueError:
        role = None
    if role not in REQUESTABLE_ROLES:
        errors["requested_role"] = "access.role_required"
    organisation_name = _clean(organisation_name, 200)
    customer_number = _clean(customer_number, 40)
    if not organisation_name and not customer_number:
        errors["organisation_name"] = "access.organisation_required"
    if errors:
        raise FieldErrors(errors)
    assert role is not None
    if pending_request(db, user.id or 0) is not None:
        raise DomainError("access.already_pending")
    request = AccessRequest(
        user_id=user.id or 0,
        requested_role=role.value,
        organisation_name=organisation_name,
        customer_number=customer_number,
    )
    db.add(request)
    db.flush()
    record_audit(
        db,
        "access_request.created",
        principal,
        actor_user_id=user.id,
        subject_type="access_request",
        subject_id=request.id or "",
        detail=role.value,
    )
    return request


# ---------------------------------------------------------------- the administrator


def organisations(db: Session, principal: Caller) -> list[Organisation]:
    _require_admin(principal)
    return list(db.exec(select(Organisation).order_by(col(Organisation.name))).all())


def pending_requests(db: Session, principal: Caller) -> list[RequestRow]:
    _require_admin(principal)
    rows = db.exec(
        select(AccessRequest, User)
        .join(User, col(User.id) == AccessRequest.user_id)
        .where(AccessRequest.status == AccessRequestStatus.PENDING.value)
        .order_by(col(AccessRequest.created_at), col(AccessRequest.id))
    ).all()
    return [
        RequestRow(
            request_id=request.id or 0,
            email=user.email or "",
            name=user.name,
            requested_role=request.requested_role,
            organisation_name=request.organisation_name,
            customer_number=request.customer_number,
            created_at=request.created_at,
        )
        for request, user in rows
    ]


def count_pending_requests(db: Session, principal: Caller) -> int:
    """How many access requests wait for an administrator (the menu shows it beside "Administration")."""
    _require_admin(principal)
    return db.exec(
        select(func.count())
        .select_from(AccessRequest)
        .where(AccessRequest.status == AccessRequestStatus.PENDING.value)
    ).one()


def _decidable(db: Session, request_id: int) -> tuple[AccessRequest, User]:
    request = db.get(AccessRequest, request_id)
    if request is None or request.status != AccessRequestStatus.PENDING.value:
        raise DomainError("access.not_pending")
    user = db.get(User, request.user_id)
    assert user is not None
    return request, user


def approve_request(
    db: Session,
    principal: Caller,
    request_id: int,
    *,
    organisation_id: int | None = None,
    new_organisation_name: str | None = None,
    now: datetime | None = None,
) -> User:
    """Give the person the role asked for, in a chosen or a new organisation, and mail them.

    Their sessions end: a session keeps the role it started with, so they sign in again.
    """
    _require_admin(principal)
    now = now or utcnow()
    request, user = _decidable(db, request_id)
    role = Role(request.requested_role)
    kinds = REQUESTABLE_ROLES[role]
    new_organisation_name = _clean(new_organisation_name, 200)
    if organisation_id:
        organisation = db.get(Organisation, organisation_id)
        if organisation is None or organisation.kind not in {kind.value for kind in kinds}:
            raise FieldErrors({"organisation": "access.organisation_kind"})
    elif new_organisation_name:
        organisation = Organisation(name=new_organisation_name, kind=kinds[0].value)
        db.add(organisation)
        db.flush()
        record_audit(
            db,
            "organisation.created",
            principal,
            subject_type="organisation",
            subject_id=organisation.id or "",
        )
    else:
        raise FieldErrors({"organisation": "access.organisation_choose"})
    user.role = role.value
    user.organisation_id = organisation.id
    request.status = AccessRequestStatus.APPROVED.value
    request.organisation_id = organisation.id
    request.decided_by_user_id = principal.user_id
    request.decided_at = now
    db.add_all([user, request])
    end_user_sessions(db, user.id or 0, now=now)
    queue_mail(
        db,
        user.email or "",
        "access_approved",
        user.language,
        link=public_link(routes.ACCOUNT_LOGIN),
        organisation=organisation.name,
    )
    record_audit(
        db,
        "access_request.approved",
        principal,
        subject_type="user",
        subject_id=user.id or "",
        detail=f"{role.value} in organisation {organisation.id}",
    )
    return user


def decline_request(
    db: Session,
    principal: Caller,
    request_id: int,
    reason: str | None,
    *,
    now: datetime | None = None,
) -> None:
    """Decline with a reason the person reads in the e-mail they get."""
    _require_admin(principal)
    reason = _clean(reason, 500)
    if not reason:
        raise FieldErrors({"reason": "access.reason_required"})
    request, user = _decidable(db, request_id)
    request.status = AccessRequestStatus.DECLINED.value
    request.decline_reason = reason
    request.decided_by_user_id = principal.user_id
    request.decided_at = now or utcnow()
    db.add(request)
    queue_mail(db, user.email or "", "access_declined", user.language, reason=reason)
    record_audit(
        db, "access_request.declined", principal, subject_type="user", subject_id=user.id or "", detail=reason
    )


def list_accounts(
    db: Session,
    principal: Caller,
    *,
    search: str = "",
    organisation_id: int | None = None,
    role: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[AccountRow], int]:
    """One page (from 1) of e-mail accounts (search in e-mail and name) and how many match in all."""
    _require_admin(principal)
    conditions = [col(User.role).in_([r.value for r in EMAIL_ROLES])]
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        conditions.append(
            or_(func.lower(col(User.email)).like(pattern), func.lower(col(User.name)).like(pattern))
        )
    if organisation_id:
        conditions.append(col(User.organisation_id) == organisation_id)
    if role:
        conditions.append(col(User.role) == role)
    total = db.exec(select(func.count()).select_from(User).where(*conditions)).one()
    rows = db.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == User.organisation_id, isouter=True)
        .where(*conditions)
        .order_by(col(User.email))
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        AccountRow(
            user_id=user.id or 0,
            email=user.email or "",
            name=user.name,
            role=user.role,
            organisation=organisation.name if organisation else "",
            is_active=user.is_active,
        )
        for user, organisation in rows
    ], int(total)


def deactivate_account(
    db: Session,
    principal: Caller,
    user_id: int,
    *,
    now: datetime | None = None,
) -> None:
    """The account can no longer sign in: its sessions end at once, every live activation or
    reset link dies, and its read rights are suspended (``reader_scope`` reads only active
    accounts'). Nothing but an administrator undoes it (issue 20.5)."""
    _require_admin(principal)
    if user_id == principal.user_id:
        raise DomainError("admin.cannot_deactivate_self")
    user = db.get(User, user_id)
    if user is None or user.role not in {r.value for r in EMAIL_ROLES}:
        raise DomainError("admin.no_such_account")
    user.is_active = False
    db.add(user)
    ended = end_user_sessions(db, user_id, now=now)
    voided = void_links(db, user, now=now)
    record_audit(
        db,
        "account.deactivated",
        principal,
        subject_type="user",
        subject_id=user_id,
        detail=f"{ended} sessions ended, {voided} links voided, read rights suspended",
    )
