"""When a customer relationship ends (moving out), an open HAN port is closed by a system order
(issue 24): the next occupant's consumption must not reach a reader the old one left behind. The
order shows in both histories as the system's; the customer is
texted, and the history shows when.

An order of the relationship still only received is cancelled by the system first; one staff
have taken stays as it is (staff finish it), and no system order is placed beside it.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import (
    CustomerRelationship,
    HanOrderStatus,
    HanPortAction,
    HanPortOrder,
    Medium,
    Meter,
)
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.han.events import move, record_placed
from app.services.han.processing import notify_customer
from app.services.han.service_settings import local_today, promised_date
from app.services.han.statuses import OPEN_STATUSES

SYSTEM_ROLE = "system"
SYSTEM_CALLER = Caller(role=SYSTEM_ROLE, client_address="system")
# A system order has no module to deliver.
NO_DELIVERY = "none"


def _language(db: Session, relationship_id: int) -> str:
    """The language of the customer's last HAN order on the relationship (their SMS), else bokmål."""
    last = db.exec(
        select(HanPortOrder.language)
        .where(HanPortOrder.relationship_id == relationship_id)
        .order_by(col(HanPortOrder.id).desc())
    ).first()
    return last or "nb"


def close_port_on_move_out(db: Session, relationship: CustomerRelationship) -> int | None:
    """Called in the transaction that ends ``relationship``; returns the system order's number,
    or None when there was no open port to close (or staff already work an order of the meter)."""
    meter = db.get(Meter, relationship.meter_id) if relationship.meter_id else None
    if meter is None or meter.medium != Medium.ELECTRICITY:
        return None
    open_orders = db.exec(
        select(HanPortOrder).where(
            HanPortOrder.meter_id == meter.id, col(HanPortOrder.status).in_(OPEN_STATUSES)
        )
    ).all()
    for order in open_orders:
        if order.status == HanOrderStatus.RECEIVED and order.relationship_id == relationship.id:
            move(db, SYSTEM_CALLER, order, HanOrderStatus.CANCELLED, reason="move_out")
    db.flush()
    still_open = any(order.status in OPEN_STATUSES for order in open_orders)
    if meter.han_port_state != "open" or still_open:
        return None
    now = utcnow()
    order = HanPortOrder(
        meter_id=meter.id or 0,
        relationship_id=relationship.id or 0,
        customer_id=relationship.customer_id,
        grid_company_id=relationship.utility_id,
        action=HanPortAction.CLOSE,
        delivery=NO_DELIVERY,
        status=HanOrderStatus.RECEIVED,
        language=_language(db, relationship.id or 0),
        due_on=promised_date(db, relationship.utility_id, local_today()),
        created_at=now,
        updated_at=now,
    )
    db.add(order)
    db.flush()
    record_placed(db, SYSTEM_CALLER, order)
    record_audit(
        db,
        "han.order_placed",
        SYSTEM_CALLER,
        subject_type="han_port_order",
        subject_id=order.id or "",
        detail=f"meter {meter.serial}: close, relationship {relationship.id} ended",
    )
    notify_customer(db, SYSTEM_CALLER, order, "han.sms.closing_on_move_out")
    return order.id
