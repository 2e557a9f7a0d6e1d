"""The one selector of Min side: the customer relationships a caller may see, and what of each.

A customer sees

- the relationship their session proved itself (invoice data and SMS code): everything;
- the relationships linked to their account: everything;
- relationships shared with their mobile by a live grant (``AccessGrant``): the overview and
  what the grant names (consumption, invoices), never the profile, HAN orders or sharing.

Every customer service decides access here (``require_scope``, or ``visible_clause`` inside a
query that must stay one round trip); nothing else reads ``relationship_id`` to decide it. A
grant stops counting the moment it is revoked, given back, past its end or its relationship
has ended: the other person's next event is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, bindparam, exists, false, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.clock import utcnow
from app.models import (
    AccessGrant,
    AccountRelationship,
    Customer,
    CustomerRelationship,
    Role,
    User,
    UserSession,
)
from app.services.caller import Caller


class Scope(StrEnum):
    """What of a relationship a page or service shows."""

    OVERVIEW = "overview"  # the relationship's address, meter and last reading
    CONSUMPTION = "consumption"
    INVOICES = "invoices"
    PROFILE = "profile"
    HAN = "han"
    SHARING = "sharing"


OWNER_SCOPES = frozenset(Scope)
# What a grant may name; the overview comes with any grant.
GRANTABLE = (Scope.CONSUMPTION, Scope.INVOICES)


class How(StrEnum):
    OWN = "own"
    LINKED = "linked"
    SHARED = "shared"


@dataclass(frozen=True)
class VisibleRelationship:
    relationship_id: int
    how: How
    scopes: frozenset[Scope]
    grant_id: int | None = None
    # The first name of the customer who shared it ("" unless shared).
    shared_by: str = ""
    until: date | None = None

    @property
    def is_shared(self) -> bool:
        return self.how is How.SHARED

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes


def first_name(name: str | None) -> str:
    return (name or "").split(" ")[0]


def grant_scopes(grant: AccessGrant) -> frozenset[Scope]:
    scopes = {Scope.OVERVIEW}
    if grant.may_see_consumption:
        scopes.add(Scope.CONSUMPTION)
    if grant.may_see_invoices:
        scopes.add(Scope.INVOICES)
    return frozenset(scopes)


def grant_is_live(grant: AccessGrant, now: datetime) -> bool:
    return (
        grant.revoked_at is None
        and grant.given_back_at is None
        and grant.expired_at is None
        and grant.ended_at is None
        and grant.valid_until > now
    )


def _live_grant_conditions(now: datetime | ColumnElement) -> list[ColumnElement]:
    return [
        col(AccessGrant.revoked_at).is_(None),
        col(AccessGrant.given_back_at).is_(None),
        col(AccessGrant.expired_at).is_(None),
        col(AccessGrant.ended_at).is_(None),
        col(AccessGrant.valid_until) > now,
    ]


def _scope_column(scope: Scope) -> ColumnElement:
    if scope is Scope.OVERVIEW:
        return true()
    if scope is Scope.CONSUMPTION:
        return col(AccessGrant.may_see_consumption).is_(True)
    if scope is Scope.INVOICES:
        return col(AccessGrant.may_see_invoices).is_(True)
    return false()  # profile, HAN orders and sharing are never shared


def visible_clause(relationship_id: ColumnElement, scope: Scope) -> ColumnElement:
    """The selector as a SQL condition on ``relationship_id``, for a query that must stay one
    round trip (a chart tap). Its bind parameters come from ``visible_params(caller)``."""
    own = relationship_id == bindparam("visible_own_relationship_id")
    linked = exists().where(
        AccountRelationship.__table__.c.relationship_id == relationship_id,
        AccountRelationship.__table__.c.user_id == bindparam("visible_user_id"),
    )
    if scope in GRANTABLE or scope is Scope.OVERVIEW:
        shared_relationship = aliased(CustomerRelationship)
        shared = exists().where(
            col(AccessGrant.relationship_id) == relationship_id,
            col(AccessGrant.grantee_mobile) == bindparam("visible_mobile"),
            _scope_column(scope),
            *_live_grant_conditions(bindparam("visible_now")),
            shared_relationship.id == relationship_id,
            shared_relationship.active.is_(True),
        )
        return or_(own, linked, shared)
    return or_(own, linked)


def owns_current(caller: Caller) -> bool:
    """The caller is on the relationship their session proved itself: everything of it is
    theirs, and a query needs no ``visible_clause`` (a chart tap stays as cheap as before)."""
    return caller.relationship_id is not None and caller.relationship_id == caller.own_relationship_id


def visible_params(caller: Caller, now: datetime | None = None) -> dict[str, object]:
    return {
        "visible_own_relationship_id": caller.own_relationship_id,
        "visible_user_id": caller.user_id,
        "visible_mobile": caller.mobile,
        "visible_now": now or utcnow(),
    }


def session_mobile(db: Session, row: UserSession) -> str | None:
    """The mobile grants are matched on: the account's, else the one the sign-in code proved."""
    if row.user_id is not None:
        user = db.get(User, row.user_id)
        if user is not None and user.mobile:
            return user.mobile
    return row.mobile


def _linked_ids(db: Session, user_id: int | None) -> list[int]:
    if user_id is None:
        return []
    return list(
        db.exec(
            select(AccountRelationship.relationship_id)
            .where(AccountRelationship.user_id == user_id)
            .order_by(col(AccountRelationship.linked_at), col(AccountRelationship.id))
        ).scalars()
    )


def live_grants_for_mobile(
    db: Session, mobile: str | None, now: datetime, relationship_id: int | None = None
) -> list[tuple[AccessGrant, str]]:
    """Live grants to ``mobile`` on active relationships, oldest first, with the owner's name."""
    if not mobile:
        return []
    query = (
        select(AccessGrant, Customer.name)
        .join(CustomerRelationship, col(CustomerRelationship.id) == col(AccessGrant.relationship_id))
        .join(Customer, col(Customer.id) == col(CustomerRelationship.customer_id))
        .where(
            col(AccessGrant.grantee_mobile) == mobile,
            col(CustomerRelationship.active).is_(True),
            *_live_grant_conditions(now),
        )
        .order_by(col(AccessGrant.created_at), col(AccessGrant.id))
    )
    if relationship_id is not None:
        query = query.where(col(AccessGrant.relationship_id) == relationship_id)
    return [(grant, name) for grant, name in db.exec(query).all()]


def _shared(grant: AccessGrant, owner_name: str) -> VisibleRelationship:
    return VisibleRelationship(
        relationship_id=grant.relationship_id,
        how=How.SHARED,
        scopes=grant_scopes(grant),
        grant_id=grant.id,
        shared_by=first_name(owner_name),
        until=grant.until_date,
    )


def visible_relationships(
    db: Session, row: UserSession, *, now: datetime | None = None
) -> dict[int, VisibleRelationship]:
    """Every relationship the live customer session ``row`` may see, in the order shown: its
    account's links (oldest first), its own, then those shared with its mobile."""
    now = now or utcnow()
    if row.role != Role.CUSTOMER.value:
        return {}
    visible: dict[int, VisibleRelationship] = {}
    for relationship_id in _linked_ids(db, row.user_id):
        visible[relationship_id] = VisibleRelationship(relationship_id, How.LINKED, OWNER_SCOPES)
    own = row.own_relationship_id
    if own is not None and own not in visible:
        visible[own] = VisibleRelationship(own, How.OWN, OWNER_SCOPES)
    for grant, owner_name in live_grants_for_mobile(db, session_mobile(db, row), now):
        if grant.relationship_id not in visible:
            visible[grant.relationship_id] = _shared(grant, owner_name)
    return visible


def access_to(
    db: Session, row: UserSession, relationship_id: int | None, *, now: datetime | None = None
) -> VisibleRelationship | None:
    """What the session ``row`` may see of one relationship (None: nothing), with the fewest
    queries: its own relationship needs none."""
    if relationship_id is None or row.role != Role.CUSTOMER.value:
        return None
    if relationship_id == row.own_relationship_id:
        return VisibleRelationship(relationship_id, How.OWN, OWNER_SCOPES)
    if relationship_id in _linked_ids(db, row.user_id):
        return VisibleRelationship(relationship_id, How.LINKED, OWNER_SCOPES)
    grants = live_grants_for_mobile(db, session_mobile(db, row), now or utcnow(), relationship_id)
    return _shared(*grants[0]) if grants else None


def relationships_with(
    db: Session, row: UserSession, scope: Scope, *, now: datetime | None = None
) -> list[int]:
    """The ids of the relationships whose ``scope`` the session may see (invoices across them)."""
    return [
        relationship_id
        for relationship_id, item in visible_relationships(db, row, now=now).items()
        if item.allows(scope)
    ]
