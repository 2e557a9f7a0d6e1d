"""Sharing a customer relationship with another person, for a while, and taking it back.

The owner (a session on its own or a linked relationship) grants a mobile number access to the
relationship's consumption and/or invoices until a date (at most 2 years ahead; 1 year unless
chosen). The person is told by SMS (through the outbox, counted against the SMS limits), signs
in with their own mobile and finds the relationship in their list, marked as shared. The owner
revokes at once; the grantee can give it back; a grant ends by itself at its end date and when
the relationship ends. Every grant, first use per day, revocation, giving back and expiry is
audited, and the owner's list shows each grant's last use ("seen by … on …").

What a grant lets its holder see is decided by ``customer.visibility``, the one selector.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from sqlmodel import Session, col, select

from app import routes
from app.clock import utcnow
from app.config import settings
from app.models import AccessGrant, Customer, CustomerRelationship
from app.services.access import refuse
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.customer.access import require_customer, require_scope
from app.services.customer.visibility import (
    Scope,
    first_name,
    grant_is_live,
    session_mobile,
    visible_relationships,
)
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.notify.outbox import queue_sms
from app.services.rate_limit import (
    SMS_PER_ADDRESS,
    SMS_PER_MOBILE,
    RateLimiter,
    default_rate_limiter,
    within_limits,
)
from app.services.sessions import switch_session_relationship

MAX_ACTIVE_GRANTS = 10
# Mobiles of these countries only: the SMS provider's contract and the portal's customers.
SHARING_REGIONS = frozenset({"NO", "SE"})


class GrantStatus:
    ACTIVE = "active"
    REVOKED = "revoked"
    GIVEN_BACK = "given_back"
    EXPIRED = "expired"
    ENDED = "ended"


@dataclass(frozen=True)
class GrantView:
    """One grant as the owner's list shows it."""

    id: int
    mobile: str  # E.164
    mobile_display: str  # "+47 412 34 567"
    may_see_consumption: bool
    may_see_invoices: bool
    since: datetime
    until: date
    status: str
    # When it stopped (revoked, given back, expired or ended); None while active.
    stopped_at: datetime | None
    last_seen_at: datetime | None


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def local_today(now: datetime) -> date:
    return now.astimezone(_zone()).date()


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_until(now: datetime | None = None) -> date:
    """A grant lasts one year unless the owner chooses a date."""
    return _years_later(local_today(now or utcnow()), 1)


def latest_until(now: datetime | None = None) -> date:
    return _years_later(local_today(now or utcnow()), 2)


def end_of_day(day: date) -> datetime:
    """The instant (UTC) after the last moment of ``day`` in the utility's zone."""
    return datetime.combine(day + timedelta(days=1), time(), _zone()).astimezone(ZoneInfo("UTC"))


def format_mobile(e164: str) -> str:
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


def parse_sharing_mobile(raw: str | None) -> str:
    """The E.164 form of a Norwegian or Swedish mobile; a field error for anything else."""
    text = (raw or "").strip()
    if not text:
        raise FieldErrors({"mobile": "form.required"})
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException as error:
        raise FieldErrors({"mobile": "mobile.invalid"}) from error
    if not phonenumbers.is_valid_number(number):
        raise FieldErrors({"mobile": "mobile.invalid"})
    if phonenumbers.region_code_for_number(number) not in SHARING_REGIONS:
        raise FieldErrors({"mobile": "sharing.mobile_not_nordic"})
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise FieldErrors({"mobile": "mobile.invalid"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_until(raw: str | date | None, now: datetime) -> date:
    """The grant's last day: empty means one year; in the future and at most 2 years ahead."""
    if raw is None or raw == "":
        return default_until(now)
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError as error:
            raise FieldErrors({"until": "sharing.until_invalid"}) from error
    if day < local_today(now):
        raise FieldErrors({"until": "sharing.until_past"})
    if day > latest_until(now):
        raise FieldErrors({"until": "sharing.until_too_late"})
    return day


def _status(grant: AccessGrant, now: datetime) -> tuple[str, datetime | None]:
    if grant.revoked_at is not None:
        return GrantStatus.REVOKED, grant.revoked_at
    if grant.given_back_at is not None:
        return GrantStatus.GIVEN_BACK, grant.given_back_at
    if grant.ended_at is not None:
        return GrantStatus.ENDED, grant.ended_at
    if grant.expired_at is not None or grant.valid_until <= now:
        return GrantStatus.EXPIRED, grant.expired_at or grant.valid_until
    return GrantStatus.ACTIVE, None


def _view(grant: AccessGrant, now: datetime) -> GrantView:
    status, stopped = _status(grant, now)
    return GrantView(
        id=grant.id or 0,
        mobile=grant.grantee_mobile,
        mobile_display=format_mobile(grant.grantee_mobile),
        may_see_consumption=grant.may_see_consumption,
        may_see_invoices=grant.may_see_invoices,
        since=grant.created_at,
        until=grant.until_date,
        status=status,
        stopped_at=stopped,
        last_seen_at=grant.last_seen_at,
    )


def _audit(db: Session, action: str, caller: Caller | None, grant: AccessGrant, detail: str = "") -> None:
    record_audit(
        db,
        action,
        caller,
        subject_type="access_grant",
        subject_id=grant.id or "",
        detail=f"relationship {grant.relationship_id}, {grant.grantee_mobile}"
        + (f": {detail}" if detail else ""),
    )


def sweep_grants(db: Session, now: datetime | None = None, *, relationship_id: int | None = None) -> int:
    """Mark (and audit) the grants whose end date has passed or whose relationship has ended;
    the number marked. Access stops at the end instant whether or not this has run."""
    now = now or utcnow()
    query = (
        select(AccessGrant, CustomerRelationship.active)
        .join(CustomerRelationship, col(CustomerRelationship.id) == col(AccessGrant.relationship_id))
        .where(
            col(AccessGrant.revoked_at).is_(None),
            col(AccessGrant.given_back_at).is_(None),
            col(AccessGrant.expired_at).is_(None),
            col(AccessGrant.ended_at).is_(None),
        )
        .where((col(AccessGrant.valid_until) <= now) | col(CustomerRelationship.active).is_(False))
    )
    if relationship_id is not None:
        query = query.where(col(AccessGrant.relationship_id) == relationship_id)
    marked = 0
    for grant, active in db.exec(query).all():
        if not active:
            grant.ended_at = now
            _audit(db, "sharing.ended", None, grant, "the customer relationship ended")
        else:
            grant.expired_at = now
            _audit(db, "sharing.expired", None, grant, f"end date {grant.until_date.isoformat()}")
        db.add(grant)
        marked += 1
    if marked:
        db.flush()
    return marked


def end_grants_of_relationship(db: Session, relationship_id: int, now: datetime | None = None) -> int:
    """A relationship that ends (the customer moved out) takes its grants with it."""
    now = now or utcnow()
    grants = db.exec(
        select(AccessGrant).where(
            col(AccessGrant.relationship_id) == relationship_id,
            col(AccessGrant.revoked_at).is_(None),
            col(AccessGrant.given_back_at).is_(None),
            col(AccessGrant.expired_at).is_(None),
            col(AccessGrant.ended_at).is_(None),
        )
    ).all()
    for grant in grants:
        grant.ended_at = now
        db.add(grant)
        _audit(db, "sharing.ended", None, grant, "the customer relationship ended")
    db.flush()
    return len(grants)


def _active_grants(db: Session, relationship_id: int, now: datetime) -> list[AccessGrant]:
    rows = db.exec(select(AccessGrant).where(col(AccessGrant.relationship_id) == relationship_id)).all()
    return [grant for grant in rows if grant_is_live(grant, now)]


def grant_access(
    db: Session,
    principal: Caller,
    *,
    mobile: str | None,
    consumption: bool,
    invoices: bool,
    until: str | date | None = None,
    language: str = "nb",
    limiter: RateLimiter | None = None,
    now: datetime | None = None,
) -> int:
    """Share the caller's current relationship with ``mobile``; the new grant's id.

    Field errors come at once; ten active grants, a mobile that already has one, or a full SMS
    allowance refuse the whole form. The invitation SMS is queued in the same transaction."""
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    row = require_customer(db, principal, "sharing.grant", now=now)
    relationship = db.get(CustomerRelationship, row.relationship_id)
    if relationship is None or not relationship.active:
        raise DomainError("sharing.relationship_ended")
    errors: dict[str, str] = {}
    grantee = ""
    try:
        grantee = parse_sharing_mobile(mobile)
    except FieldErrors as error:
        errors.update(error.errors)
    until_day = default_until(now)
    try:
        until_day = parse_until(until, now)
    except FieldErrors as error:
        errors.update(error.errors)
    if not (consumption or invoices):
        errors["scope"] = "sharing.choose_scope"
    if grantee and grantee == session_mobile(db, row):
        errors["mobile"] = "sharing.not_yourself"
    if errors:
        raise FieldErrors(errors)
    sweep_grants(db, now, relationship_id=relationship.id)
    active = _active_grants(db, relationship.id or 0, now)
    if any(grant.grantee_mobile == grantee for grant in active):
        raise FieldErrors({"mobile": "sharing.already_shared"})
    if len(active) >= MAX_ACTIVE_GRANTS:
        raise DomainError("sharing.too_many", count=MAX_ACTIVE_GRANTS)
    address = principal.client_address or row.client_address or "unknown"
    if not within_limits(limiter, [(SMS_PER_MOBILE, grantee), (SMS_PER_ADDRESS, address)], now=now):
        record_audit(
            db,
            "sharing.sms_limited",
            principal,
            subject_type="customer_relationship",
            subject_id=relationship.id or "",
            outcome="refused",
        )
        db.commit()
        raise DomainError("sms.too_many")
    grant = AccessGrant(
        relationship_id=relationship.id or 0,
        grantee_mobile=grantee,
        may_see_consumption=consumption,
        may_see_invoices=invoices,
        until_date=until_day,
        valid_until=end_of_day(until_day),
        granted_by_user_id=row.user_id,
        granted_by_session_id=row.id,
        created_at=now,
    )
    db.add(grant)
    db.flush()
    customer = db.get(Customer, relationship.customer_id)
    queue_sms(
        db,
        grantee,
        "sms.sharing_invitation",
        language,
        name=first_name(customer.name if customer else ""),
        address=relationship.address,
        until=until_day.strftime("%d.%m.%Y"),
        link=f"{settings.public_url.rstrip('/')}{routes.CUSTOMER_LOGIN}?delt=1",
    )
    _audit(
        db,
        "sharing.granted",
        principal,
        grant,
        f"until {until_day.isoformat()}, consumption={consumption}, invoices={invoices}",
    )
    return grant.id or 0


def list_grants(db: Session, principal: Caller, now: datetime | None = None) -> list[GrantView]:
    """The grants of the caller's current relationship, active ones first, newest first."""
    now = now or utcnow()
    row = require_customer(db, principal, "sharing.list", now=now)
    sweep_grants(db, now, relationship_id=row.relationship_id)
    grants = db.exec(
        select(AccessGrant)
        .where(col(AccessGrant.relationship_id) == row.relationship_id)
        .order_by(col(AccessGrant.created_at).desc(), col(AccessGrant.id).desc())
    ).all()
    views = [_view(grant, now) for grant in grants]
    return sorted(views, key=lambda view: view.status != GrantStatus.ACTIVE)


def revoke_grant(db: Session, principal: Caller, grant_id: int, now: datetime | None = None) -> None:
    """The owner takes access back at once: the other person's next event is refused."""
    now = now or utcnow()
    row = require_customer(db, principal, "sharing.revoke", now=now)
    grant = db.get(AccessGrant, grant_id)
    if grant is None or grant.relationship_id != row.relationship_id:
        raise refuse(
            db,
            principal,
            "sharing.revoke",
            "grant not of this relationship",
            subject_type="access_grant",
            subject_id=grant_id,
        )
    if not grant_is_live(grant, now):
        raise DomainError("sharing.not_active")
    grant.revoked_at = now
    db.add(grant)
    _audit(db, "sharing.revoked", principal, grant)
    db.flush()


def give_back(db: Session, principal: Caller, now: datetime | None = None) -> Caller | None:
    """The grantee gives back the relationship shared with them that they are on. The session
    moves on to the first relationship it still sees (the new principal), or, with none left,
    is signed out (None)."""
    now = now or utcnow()
    row, visible = require_scope(db, principal, "sharing.give_back", Scope.OVERVIEW, now=now)
    grant = db.get(AccessGrant, visible.grant_id) if visible.is_shared and visible.grant_id else None
    if grant is None:
        raise DomainError("sharing.not_shared_with_you")
    grant.given_back_at = now
    db.add(grant)
    _audit(db, "sharing.given_back", principal, grant)
    db.flush()
    remaining = [i for i in visible_relationships(db, row, now=now) if i != grant.relationship_id]
    assert row.id is not None
    if not remaining:
        row.revoked_at = now
        db.add(row)
        db.flush()
        return None
    switch_session_relationship(db, row.id, remaining[0])
    db.flush()
    return dataclasses.replace(principal, relationship_id=remaining[0])


def record_shared_view(db: Session, principal: Caller, now: datetime | None = None) -> bool:
    """The grantee looked at a relationship shared with them: the first look of a day is
    audited and shown to the owner ("seen by … on …"); True when this was it."""
    now = now or utcnow()
    _, visible = require_scope(db, principal, "sharing.view", Scope.OVERVIEW, now=now)
    if not visible.is_shared or visible.grant_id is None:
        return False
    grant = db.get(AccessGrant, visible.grant_id)
    today = local_today(now)
    if grant is None or grant.last_seen_on == today:
        return False
    grant.last_seen_on = today
    grant.last_seen_at = now
    db.add(grant)
    _audit(db, "sharing.viewed", principal, grant, f"first view on {today.isoformat()}")
    db.flush()
    return True
