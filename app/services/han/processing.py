"""HAN port orders on the grid company's side: the queue, one order, take, complete, reject, notes.

Staff see and process only their own grid company's orders; any other is refused (audited) as if
it did not exist. The customer gets an SMS when an order is completed or rejected, in the
language they ordered in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from app.i18n import translate
from app.models import (
    Customer,
    CustomerRelationship,
    HanOrderStatus,
    HanPortAction,
    HanPortOrder,
    Meter,
)
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.cases import staff_grid_company
from app.services.errors import DomainError
from app.services.han.events import HAN_ORDERS, OUTBOX_REFERENCE, move
from app.services.han.service_settings import local_today
from app.services.han.statuses import OPEN_STATUSES
from app.services.mobile_numbers import parse_mobile
from app.services.notify.outbox import queue_sms

PAGE_SIZE = 25
REASON_MAX = 1000
PORT_STATES = ("open", "closed")


def staff_order(db: Session, caller: Caller, order_id: int) -> HanPortOrder:
    """An order to the caller's grid company; any other is refused (audited) as if absent."""
    grid_company_id = staff_grid_company(caller)
    return HAN_ORDERS.open(db, caller, order_id, lambda order: order.grid_company_id == grid_company_id)


@dataclass(frozen=True)
class QueueRow:
    id: int
    status: str
    action: str
    delivery: str
    meter_serial: str
    customer: str
    address: str
    created_at: datetime
    due_on: date | None = None
    # Still open after its promised date.
    overdue: bool = False


def is_overdue(order: HanPortOrder, today: date | None = None) -> bool:
    """An order still open (received or in progress) after the date it was promised for."""
    return (
        order.status in OPEN_STATUSES and order.due_on is not None and order.due_on < (today or local_today())
    )


def list_orders(
    db: Session,
    caller: Caller,
    *,
    status: str = "",
    overdue: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[QueueRow], int]:
    """One page (from 1) of the caller's grid company's orders, oldest first, and how many match;
    ``overdue``: only open orders past their promised date."""
    grid_company_id = staff_grid_company(caller)
    today = local_today()
    conditions = [HanPortOrder.grid_company_id == grid_company_id]
    if status:
        conditions.append(HanPortOrder.status == status)
    if overdue:
        conditions += [col(HanPortOrder.status).in_(OPEN_STATUSES), col(HanPortOrder.due_on) < today]
    total = db.exec(select(func.count()).select_from(HanPortOrder).where(*conditions)).one()
    rows = db.exec(
        select(HanPortOrder, Meter.serial, Customer.name, CustomerRelationship)
        .join(Meter, Meter.id == HanPortOrder.meter_id)
        .join(Customer, Customer.id == HanPortOrder.customer_id)
        .join(CustomerRelationship, CustomerRelationship.id == HanPortOrder.relationship_id)
        .where(*conditions)
        .order_by(col(HanPortOrder.id))
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        QueueRow(
            id=order.id or 0,
            status=order.status,
            action=order.action,
            delivery=order.delivery,
            meter_serial=serial,
            customer=name,
            address=f"{relationship.address}, {relationship.postcode} {relationship.city}",
            created_at=order.created_at,
            due_on=order.due_on,
            overdue=is_overdue(order, today),
        )
        for order, serial, name, relationship in rows
    ], int(total)


@dataclass(frozen=True)
class OrderDetail:
    order: HanPortOrder
    meter_serial: str
    meter_model: str
    port_state: str
    customer: str
    mobile: str
    address: str
    installation_number: str
    metering_point_id: str


def order_detail(db: Session, caller: Caller, order_id: int) -> OrderDetail:
    order = staff_order(db, caller, order_id)
    meter = db.get(Meter, order.meter_id)
    customer = db.get(Customer, order.customer_id)
    relationship = db.get(CustomerRelationship, order.relationship_id)
    assert meter is not None and customer is not None and relationship is not None
    return OrderDetail(
        order=order,
        meter_serial=meter.serial,
        meter_model=f"{meter.manufacturer} {meter.model}",
        port_state=meter.han_port_state,
        customer=customer.name,
        mobile=customer.mobile or "",
        address=f"{relationship.address}, {relationship.postcode} {relationship.city}",
        installation_number=relationship.installation_number,
        metering_point_id=relationship.metering_point_id,
    )


def take_order(db: Session, caller: Caller, order_id: int) -> HanPortOrder:
    """The caller takes a received order: it is now in progress, handled by them."""
    order = staff_order(db, caller, order_id)
    move(db, caller, order, HanOrderStatus.IN_PROGRESS)
    order.handled_by_user_id = caller.user_id
    return order


def parse_completed_on(text: str) -> date:
    """The completion date as the date field sends it (YYYY-MM-DD); not in the future."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("han.invalid_date", field="completed_on") from None
    if day > local_today():
        raise DomainError("han.date_in_future", field="completed_on")
    return day


def complete_order(
    db: Session, caller: Caller, order_id: int, *, port_state: str, completed_on: str
) -> HanPortOrder:
    """Done: the port's state (open or closed) and the date are recorded on the order and the meter."""
    order = staff_order(db, caller, order_id)
    if port_state not in PORT_STATES:
        raise DomainError("han.choose_port_state", field="port_state")
    day = parse_completed_on(completed_on)
    move(db, caller, order, HanOrderStatus.COMPLETED)
    order.port_state = port_state
    order.completed_on = day
    order.handled_by_user_id = caller.user_id
    meter = db.get(Meter, order.meter_id)
    assert meter is not None
    meter.han_port_state = port_state
    meter.han_port_changed_on = day
    db.add(meter)
    record_audit(
        db,
        "han.port_state_set",
        caller,
        subject_type="meter",
        subject_id=meter.id or "",
        detail=f"{meter.serial}: {port_state} from {day.isoformat()} (order {order.id})",
    )
    notify_customer(
        db, caller, order, "han.sms.completed", state=translate(f"han.port.{port_state}", order.language)
    )
    return order


def reject_order(db: Session, caller: Caller, order_id: int, reason: str) -> HanPortOrder:
    order = staff_order(db, caller, order_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("han.reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError("han.too_long", field="reason")
    move(db, caller, order, HanOrderStatus.REJECTED, reason=reason)
    order.reject_reason = reason
    order.handled_by_user_id = caller.user_id
    notify_customer(db, caller, order, "han.sms.rejected", reason=reason)
    return order


def default_port_state(action: str) -> str:
    return "open" if action == HanPortAction.OPEN else "closed"


def notify_customer(db: Session, caller: Caller, order: HanPortOrder, key: str, **params: object) -> None:
    """An SMS to the customer's mobile on record, in the language they ordered in, queued in the
    outbox with the decision (which therefore never waits for, nor fails with, the SMS service)."""
    customer = db.get(Customer, order.customer_id)
    to = parse_mobile(customer.mobile if customer else None)
    outcome, detail = "queued", key
    if to is None:
        outcome = "no_mobile"
    else:
        queued = queue_sms(
            db, to, key, order.language, organisation_id=order.grid_company_id, number=order.id, **params
        )
        # The order's history reads when this message left (app/services/han/events.py).
        detail = f"{key} {OUTBOX_REFERENCE}{queued.id}"
    record_audit(
        db,
        "han.customer_notified",
        caller,
        subject_type="han_port_order",
        subject_id=order.id or "",
        outcome=outcome,
        detail=detail,
    )
