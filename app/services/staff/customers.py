"""The grid company's back office finds any of its customers (issue 24): search by name,
installation number, metering point ID, meter number or mobile (partial matches, paged on the
server), and one customer's page: relationships (active and ended), meters, last readings with
their source and freshness, HAN port state and orders, pre-notifications on the installation, and
the consents recorded. Staff of one grid company find only customers with a relationship to it;
every opening of a customer's page is audited (personal data).

Staff also end a relationship when the customer moves out; an open HAN port is then closed by a
system order (app/services/han/move_out.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.models import (
    Customer,
    CustomerRelationship,
    HanPortOrder,
    HanReader,
    Meter,
    PreNotification,
    PrivacyConsent,
    Reading,
)
from app.services.access import reachable
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.cases import staff_grid_company
from app.services.customer.sharing import end_grants_of_relationship
from app.services.errors import DomainError
from app.services.han.move_out import close_port_on_move_out
from app.services.han.processing import is_overdue

PAGE_SIZE = 20
QUERY_MIN = 2
QUERY_MAX = 60


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class CustomerHit:
    customer_id: int
    name: str
    mobile: str
    relationship_id: int
    installation_number: str
    metering_point_id: str
    meter_serial: str
    address: str
    active: bool


def search_customers(
    db: Session, caller: Caller, query: str, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[CustomerHit], int]:
    """Relationships of the caller's grid company whose customer's name, installation number,
    metering point ID, meter number or mobile contains ``query`` (at least two characters);
    one page (from 1) and how many match. Active relationships first, then by name."""
    company = staff_grid_company(caller)
    text = " ".join((query or "").split())[:QUERY_MAX]
    if len(text) < QUERY_MIN:
        return [], 0
    pattern = _like(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    matches = [
        col(Customer.name).ilike(pattern, escape="\\"),
        col(CustomerRelationship.installation_number).like(pattern, escape="\\"),
        col(CustomerRelationship.metering_point_id).like(pattern, escape="\\"),
        col(Meter.serial).ilike(pattern, escape="\\"),
    ]
    if len(digits) >= QUERY_MIN:
        # Mobiles are stored as E.164 (+4791234567): "912 34" finds them too.
        matches.append(col(Customer.mobile).like(_like(digits), escape="\\"))
    conditions = [CustomerRelationship.utility_id == company, or_(*matches)]
    base = (
        select(CustomerRelationship, Customer, Meter.serial)
        .join(Customer, Customer.id == CustomerRelationship.customer_id)
        .join(Meter, col(Meter.id) == CustomerRelationship.meter_id, isouter=True)
        .where(*conditions)
    )
    total = db.exec(select(func.count()).select_from(base.subquery())).one()
    rows = db.exec(
        base.order_by(col(CustomerRelationship.active).desc(), Customer.name, col(CustomerRelationship.id))
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        CustomerHit(
            customer_id=customer.id or 0,
            name=customer.name,
            mobile=customer.mobile or "",
            relationship_id=relationship.id or 0,
            installation_number=relationship.installation_number,
            metering_point_id=relationship.metering_point_id,
            meter_serial=serial or "",
            address=f"{relationship.address}, {relationship.postcode} {relationship.city}",
            active=relationship.active,
        )
        for relationship, customer, serial in rows
    ], int(total)


@dataclass(frozen=True)
class RelationshipView:
    id: int
    installation_number: str
    metering_point_id: str
    address: str
    active: bool
    is_owner: bool
    started: datetime
    ended: datetime | None
    meter_id: int | None


@dataclass(frozen=True)
class MeterView:
    id: int
    serial: str
    model: str
    medium: str
    han_port_state: str
    han_port_changed_on: date | None
    # The latest reading, whatever its source: register, value, unit, when, source.
    last_register: str
    last_value: float | None
    last_unit: str
    last_at: datetime | None
    last_source: str


@dataclass(frozen=True)
class OrderView:
    id: int
    action: str
    status: str
    created_at: datetime
    due_on: date | None
    overdue: bool


@dataclass(frozen=True)
class NotificationView:
    id: int
    status: str
    meter_number: str
    address: str
    created_at: datetime


@dataclass(frozen=True)
class ConsentView:
    kind: str  # "privacy" or "han_reader"
    what: str
    at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class CustomerPage:
    customer_id: int
    name: str
    mobile: str
    email: str
    relationships: list[RelationshipView]
    meters: list[MeterView]
    orders: list[OrderView]
    notifications: list[NotificationView]
    consents: list[ConsentView]


def _company_relationships(db: Session, company: int, customer_id: int) -> list[CustomerRelationship]:
    return list(
        db.exec(
            select(CustomerRelationship)
            .where(
                CustomerRelationship.customer_id == customer_id, CustomerRelationship.utility_id == company
            )
            .order_by(col(CustomerRelationship.active).desc(), col(CustomerRelationship.id))
        ).all()
    )


def _last_reading(db: Session, meter_id: int) -> Reading | None:
    return db.exec(
        select(Reading).where(Reading.meter_id == meter_id).order_by(col(Reading.ts).desc()).limit(1)
    ).first()


def open_customer(db: Session, caller: Caller, customer_id: int) -> CustomerPage:
    """One customer as the caller's grid company knows them; a customer without a relationship
    to it is refused (audited) as if absent. The opening is audited (personal data)."""
    company = staff_grid_company(caller)
    customer = reachable(
        db,
        caller,
        Customer,
        customer_id,
        lambda row: bool(_company_relationships(db, company, row.id or 0)),
        audit_action="staff.customer_refused",
        subject_type="customer",
        not_found="customers.not_found",
    )
    relationships = _company_relationships(db, company, customer_id)
    record_audit(
        db,
        "staff.customer_viewed",
        caller,
        subject_type="customer",
        subject_id=customer_id,
        detail=f"grid company {company}",
    )
    relationship_ids = [r.id or 0 for r in relationships]
    meter_ids = list(dict.fromkeys(r.meter_id for r in relationships if r.meter_id is not None))
    meters: list[MeterView] = []
    for meter_id in meter_ids:
        meter = db.get(Meter, meter_id)
        if meter is None:
            continue
        last = _last_reading(db, meter_id)
        meters.append(
            MeterView(
                id=meter_id,
                serial=meter.serial,
                model=f"{meter.manufacturer} {meter.model}",
                medium=meter.medium,
                han_port_state=meter.han_port_state,
                han_port_changed_on=meter.han_port_changed_on,
                last_register=last.register_code if last else "",
                last_value=last.value if last else None,
                last_unit=last.unit if last else "",
                last_at=datetime.fromtimestamp(last.ts, UTC) if last else None,
                last_source=last.source if last else "",
            )
        )
    orders = db.exec(
        select(HanPortOrder)
        .where(
            col(HanPortOrder.relationship_id).in_(relationship_ids), HanPortOrder.grid_company_id == company
        )
        .order_by(col(HanPortOrder.id).desc())
        .limit(50)
    ).all()
    serials = [m.serial for m in meters]
    points = [r.metering_point_id for r in relationships]
    notifications = db.exec(
        select(PreNotification)
        .where(
            PreNotification.grid_company_id == company,
            PreNotification.status != "not_sent",
            or_(col(PreNotification.meter_number).in_(serials), col(PreNotification.ean).in_(points)),
        )
        .order_by(col(PreNotification.id).desc())
        .limit(50)
    ).all()
    consents = [
        ConsentView("privacy", row.terms_version, row.accepted_at, None)
        for row in db.exec(
            select(PrivacyConsent).where(
                PrivacyConsent.customer_id == customer_id,
                col(PrivacyConsent.relationship_id).in_(relationship_ids),
            )
        ).all()
    ] + [
        ConsentView("han_reader", row.reader_id, row.consent_at, row.revoked_at)
        for row in db.exec(
            select(HanReader).where(col(HanReader.relationship_id).in_(relationship_ids))
        ).all()
    ]
    return CustomerPage(
        customer_id=customer_id,
        name=customer.name,
        mobile=customer.mobile or "",
        email=customer.email or "",
        relationships=[
            RelationshipView(
                id=r.id or 0,
                installation_number=r.installation_number,
                metering_point_id=r.metering_point_id,
                address=f"{r.address}, {r.postcode} {r.city}",
                active=r.active,
                is_owner=r.is_owner,
                started=r.created_at,
                ended=r.ended_at,
                meter_id=r.meter_id,
            )
            for r in relationships
        ],
        meters=meters,
        orders=[
            OrderView(o.id or 0, o.action, o.status, o.created_at, o.due_on, is_overdue(o)) for o in orders
        ],
        notifications=[
            NotificationView(n.id or 0, n.status, n.meter_number, n.installation_address, n.created_at)
            for n in notifications
        ],
        consents=sorted(consents, key=lambda c: c.at, reverse=True),
    )


def end_relationship(db: Session, caller: Caller, relationship_id: int) -> int | None:
    """The customer moved out: the relationship ends today; its access grants end with it (the
    people it was shared with see it no more); an open HAN port of its meter is closed by a system
    order (its number returned, None when there was none to close)."""
    company = staff_grid_company(caller)
    relationship = reachable(
        db,
        caller,
        CustomerRelationship,
        relationship_id,
        lambda row: row.utility_id == company,
        audit_action="staff.customer_refused",
        subject_type="customer_relationship",
        not_found="customers.not_found",
    )
    if not relationship.active:
        raise DomainError("customers.already_ended")
    relationship.active = False
    relationship.ended_at = utcnow()
    db.add(relationship)
    record_audit(
        db,
        "staff.relationship_ended",
        caller,
        subject_type="customer_relationship",
        subject_id=relationship_id,
        detail=f"metering point {relationship.metering_point_id}",
    )
    end_grants_of_relationship(db, relationship_id)
    return close_port_on_move_out(db, relationship)
