"""An account's customer relationships (link, unlink, list, switch) and the overview page data.

Every function takes the caller's ``Caller`` and shows or changes only relationships the one
selector (``customer.visibility``) lets it see: the one the session was signed in on, those
linked to the account, and those shared with its mobile (marked, switchable like the others).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from app.models import (
    AccountRelationship,
    Customer,
    CustomerRelationship,
    Meter,
    Reading,
)
from app.models.base import utcnow
from app.services.access import refuse
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.customer.access import (
    require_account,
    require_customer,
    require_scope,
    require_session,
)
from app.services.customer.login_steps import linked_relationship_ids
from app.services.customer.visibility import Scope, VisibleRelationship, visible_relationships
from app.services.mobile_numbers import parse_mobile
from app.services.sessions import switch_session_relationship


@dataclass(frozen=True)
class RelationshipSummary:
    relationship_id: int
    installation_number: str
    metering_point_id: str
    address: str
    postcode: str
    city: str
    is_current: bool
    is_linked: bool
    # Shared with this caller by its owner (first name), until a date (the grant's last day).
    shared_by: str = ""
    shared_until: date | None = None

    @property
    def is_shared(self) -> bool:
        return bool(self.shared_by)


@dataclass(frozen=True)
class LastReading:
    value: float
    unit: str
    at: datetime  # UTC; the UI shows it in Europe/Oslo
    register_code: str


@dataclass(frozen=True)
class CustomerOverview:
    relationship_id: int
    name: str
    address: str
    postcode: str
    city: str
    installation_number: str
    metering_point_id: str
    meter_serial: str | None
    last_reading: LastReading | None
    # "" for a relationship of the caller's own; else the first name of who shared it.
    shared_by: str = ""
    may_see_consumption: bool = True


def _summary(
    relationship: CustomerRelationship,
    *,
    current: int | None,
    linked: set[int],
    visible: VisibleRelationship | None = None,
) -> RelationshipSummary:
    assert relationship.id is not None
    shared = visible is not None and visible.is_shared
    return RelationshipSummary(
        relationship_id=relationship.id,
        installation_number=relationship.installation_number,
        metering_point_id=relationship.metering_point_id,
        address=relationship.address,
        postcode=relationship.postcode,
        city=relationship.city,
        is_current=relationship.id == current,
        is_linked=relationship.id in linked,
        shared_by=visible.shared_by if shared and visible else "",
        shared_until=visible.until if shared and visible else None,
    )


def list_relationships(db: Session, principal: Caller) -> list[RelationshipSummary]:
    """The linked relationships (oldest link first), the session's own one if not linked, and
    those shared with the caller's mobile (marked with the first name of who shared them)."""
    row = require_customer(db, principal, "list_relationships", scope=Scope.OVERVIEW)
    linked = linked_relationship_ids(db, row.user_id) if row.user_id is not None else []
    visible = visible_relationships(db, row)
    ids = list(visible)
    if row.relationship_id is not None and row.relationship_id not in ids:
        ids.append(row.relationship_id)
    by_id = {
        r.id: r
        for r in db.exec(select(CustomerRelationship).where(col(CustomerRelationship.id).in_(ids))).all()
    }
    return [
        _summary(by_id[i], current=row.relationship_id, linked=set(linked), visible=visible.get(i))
        for i in ids
        if i in by_id
    ]


def relationship_needs_linking(db: Session, principal: Caller) -> bool:
    """True when an account holder is signed in on a relationship not linked to the account:
    the page then offers "add current customer relationship"."""
    row, visible = require_scope(db, principal, "relationship_needs_linking", Scope.OVERVIEW)
    if row.user_id is None or visible.is_shared:
        return False
    return row.relationship_id not in linked_relationship_ids(db, row.user_id)


def link_relationship(db: Session, principal: Caller, now: datetime | None = None) -> bool:
    """Link the session's current relationship to the account; False if it already was."""
    now = now or utcnow()
    row, user = require_account(db, principal, "link_relationship", now=now)
    assert row.relationship_id is not None and user.id is not None
    if row.relationship_id in linked_relationship_ids(db, user.id):
        return False
    relationship = db.get(CustomerRelationship, row.relationship_id)
    customer = db.get(Customer, relationship.customer_id) if relationship else None
    if customer is None or parse_mobile(customer.mobile) != user.mobile:
        raise refuse(
            db,
            principal,
            "link_relationship",
            "mobile on record differs from the account's",
            subject_type="customer_relationship",
            subject_id=row.relationship_id,
        )
    db.add(AccountRelationship(user_id=user.id, relationship_id=row.relationship_id, linked_at=now))
    record_audit(
        db,
        "customer.relationship_linked",
        dataclasses.replace(principal, user_id=user.id),
        subject_type="customer_relationship",
        subject_id=row.relationship_id,
    )
    db.flush()
    return True


def unlink_relationship(db: Session, principal: Caller, relationship_id: int) -> None:
    """Remove a link of the account. The session may stay on that relationship: its mobile
    on record is still the account's."""
    _, user = require_account(db, principal, "unlink_relationship")
    link = db.exec(
        select(AccountRelationship).where(
            AccountRelationship.user_id == user.id,
            AccountRelationship.relationship_id == relationship_id,
        )
    ).first()
    if link is None:
        raise refuse(
            db,
            principal,
            "unlink_relationship",
            "relationship not linked to this account",
            subject_type="customer_relationship",
            subject_id=relationship_id,
        )
    db.delete(link)
    record_audit(
        db,
        "customer.relationship_unlinked",
        dataclasses.replace(principal, user_id=user.id),
        subject_type="customer_relationship",
        subject_id=relationship_id,
    )
    db.flush()


def switch_relationship(db: Session, principal: Caller, relationship_id: int) -> Caller:
    """Move the session to another relationship it may see (linked to the account, its own, or
    shared with its mobile); the new principal."""
    row = require_customer(db, principal, "switch_relationship", scope=Scope.OVERVIEW)
    if relationship_id not in visible_relationships(db, row):
        raise refuse(
            db,
            principal,
            "switch_relationship",
            "relationship not visible to this session",
            subject_type="customer_relationship",
            subject_id=relationship_id,
        )
    assert row.id is not None
    switch_session_relationship(db, row.id, relationship_id)
    db.flush()
    return dataclasses.replace(principal, relationship_id=relationship_id)


def leave_ended_share(db: Session, principal: Caller) -> Caller | None:
    """A session on a relationship it may no longer see (the grant was revoked, given back or
    expired) moves to the first one it still sees; with none left it is signed out (None)."""
    row = require_session(db, principal, "leave_ended_share")
    visible = visible_relationships(db, row)
    if row.relationship_id in visible:
        return principal
    assert row.id is not None
    record_audit(
        db,
        "sharing.session_moved",
        principal,
        subject_type="customer_relationship",
        subject_id=row.relationship_id or "",
        detail="shared access ended",
    )
    if not visible:
        row.revoked_at = utcnow()
        db.add(row)
        db.flush()
        return None
    target = next(iter(visible))
    switch_session_relationship(db, row.id, target)
    db.flush()
    return dataclasses.replace(principal, relationship_id=target)


def customer_overview(db: Session, principal: Caller) -> CustomerOverview:
    """Name, address, installation, metering point, meter and its last reading: only for the
    principal's current relationship."""
    row, visible = require_scope(db, principal, "customer_overview", Scope.OVERVIEW)
    relationship = db.get(CustomerRelationship, row.relationship_id)
    if relationship is None:
        raise refuse(db, principal, "customer_overview", "relationship gone")
    customer = db.get(Customer, relationship.customer_id)
    meter = db.get(Meter, relationship.meter_id) if relationship.meter_id else None
    last: LastReading | None = None
    if meter is not None:
        reading = db.exec(
            select(Reading)
            .where(Reading.meter_id == meter.id)
            .order_by(col(Reading.ts).desc(), col(Reading.register_code))
            .limit(1)
        ).first()
        if reading is not None:
            last = LastReading(
                value=reading.value,
                unit=reading.unit,
                at=datetime.fromtimestamp(reading.ts, UTC),
                register_code=reading.register_code,
            )
    assert relationship.id is not None
    return CustomerOverview(
        relationship_id=relationship.id,
        name=customer.name if customer else "",
        address=relationship.address,
        postcode=relationship.postcode,
        city=relationship.city,
        installation_number=relationship.installation_number,
        metering_point_id=relationship.metering_point_id,
        meter_serial=meter.serial if meter else None,
        last_reading=last,
        shared_by=visible.shared_by,
        may_see_consumption=visible.allows(Scope.CONSUMPTION),
    )
