"""HAN port orders on the customer's side (Min side): the meter, placing, listing, cancelling.

The meter is always the one of the session's customer relationship, looked up on the server: a
meter number the browser sends is only compared with it. Only electricity meters have a HAN port.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import (
    CustomerRelationship,
    HanDelivery,
    HanOrderStatus,
    HanPortAction,
    HanPortOrder,
    Medium,
    Meter,
)
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.customer.access import require_customer
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.han.events import HAN_ORDERS, move, record_placed
from app.services.han.service_settings import han_service, local_today, promised_date
from app.services.han.statuses import OPEN_STATUSES

COMMENT_MAX = 500
LANGUAGES = ("nb", "sv", "en")


@dataclass(frozen=True)
class HanMeter:
    """The meter of the caller's relationship as the order page shows it."""

    relationship_id: int
    meter_id: int | None
    meter_serial: str
    medium: str
    address: str
    port_state: str  # "open", "closed" or "" (not known)
    port_changed_on: date | None
    # Why no order can be placed ("" when one can): a translation key.
    refusal: str
    # The grid company's HAN service: the fee for a module by post, pickup address and hours,
    # and the date an order placed today is promised done.
    post_fee: Decimal = Decimal("0.00")
    pickup_address: str = ""
    pickup_hours: str = ""
    promised_on: date | None = None


@dataclass(frozen=True)
class CustomerOrder:
    id: int
    meter_serial: str
    action: str
    delivery: str
    comment: str
    status: str
    reject_reason: str
    port_state: str
    completed_on: date | None
    created_at: datetime
    updated_at: datetime
    due_on: date | None = None


def _relationship_meter(db: Session, caller: Caller) -> tuple[CustomerRelationship, Meter | None]:
    relationship = db.get(CustomerRelationship, caller.relationship_id)
    if relationship is None:
        raise AccessDenied("auth.denied")
    meter = db.get(Meter, relationship.meter_id) if relationship.meter_id else None
    return relationship, meter


def _address(relationship: CustomerRelationship) -> str:
    return f"{relationship.address}, {relationship.postcode} {relationship.city}"


def _meter_view(
    relationship: CustomerRelationship, meter: Meter | None, db: Session | None = None
) -> HanMeter:
    if meter is None or not relationship.active:
        refusal = "han.no_meter"
    elif meter.medium != Medium.ELECTRICITY:
        refusal = "han.not_electricity"
    elif not relationship.is_owner:
        refusal = "han.tenant"
    else:
        refusal = ""
    extra: dict[str, object] = {}
    if db is not None:
        service = han_service(db, relationship.utility_id)
        extra = {
            "post_fee": service.post_fee,
            "pickup_address": service.pickup_address,
            "pickup_hours": service.pickup_hours,
            "promised_on": promised_date(db, relationship.utility_id),
        }
    return HanMeter(
        relationship_id=relationship.id or 0,
        meter_id=meter.id if meter else None,
        meter_serial=meter.serial if meter else "",
        medium=meter.medium if meter else "",
        address=_address(relationship),
        port_state=meter.han_port_state if meter else "",
        port_changed_on=meter.han_port_changed_on if meter else None,
        refusal=refusal,
        **extra,  # type: ignore[arg-type]
    )


def customer_meter(db: Session, caller: Caller) -> HanMeter:
    require_customer(db, caller, "han.meter")
    return _meter_view(*_relationship_meter(db, caller), db=db)


def customer_orders(db: Session, caller: Caller) -> list[CustomerOrder]:
    """The orders of the caller's relationship, newest first."""
    require_customer(db, caller, "han.orders")
    rows = db.exec(
        select(HanPortOrder, Meter.serial)
        .join(Meter, Meter.id == HanPortOrder.meter_id)
        .where(HanPortOrder.relationship_id == caller.relationship_id)
        .order_by(col(HanPortOrder.id).desc())
    ).all()
    return [
        CustomerOrder(
            id=order.id or 0,
            meter_serial=serial,
            action=order.action,
            delivery=order.delivery,
            comment=order.comment,
            status=order.status,
            reject_reason=order.reject_reason,
            port_state=order.port_state,
            completed_on=order.completed_on,
            created_at=order.created_at,
            updated_at=order.updated_at,
            due_on=order.due_on,
        )
        for order, serial in rows
    ]


def _open_order_exists(db: Session, meter_id: int) -> bool:
    return (
        db.exec(
            select(HanPortOrder.id).where(
                HanPortOrder.meter_id == meter_id, col(HanPortOrder.status).in_(OPEN_STATUSES)
            )
        ).first()
        is not None
    )


def place_order(
    db: Session,
    caller: Caller,
    *,
    meter_number: str,
    action: str,
    delivery: str,
    comment: str,
    confirmed: bool,
    language: str = "nb",
) -> int:
    """A new order for the meter of the caller's relationship; returns its number.

    Field errors come all at once; a meter that is not electricity, or already has an open order,
    refuses the whole form.
    """
    require_customer(db, caller, "han.place_order")
    relationship, meter = _relationship_meter(db, caller)
    view = _meter_view(relationship, meter)
    if view.refusal or meter is None:
        raise DomainError(view.refusal or "han.no_meter")
    errors: dict[str, str] = {}
    if "".join(meter_number.split()).upper() != meter.serial.upper():
        errors["meter_number"] = "han.not_your_meter"
    if action not in set(HanPortAction):
        errors["action"] = "han.choose_action"
    if delivery not in set(HanDelivery):
        errors["delivery"] = "han.choose_delivery"
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = "han.comment_too_long"
    if not confirmed:
        errors["confirm"] = "han.confirm_required"
    if errors:
        raise FieldErrors(errors)
    if _open_order_exists(db, meter.id or 0):
        raise DomainError("han.open_order_exists")
    now = utcnow()
    order = HanPortOrder(
        meter_id=meter.id or 0,
        relationship_id=relationship.id or 0,
        customer_id=relationship.customer_id,
        grid_company_id=relationship.utility_id,
        action=action,
        delivery=delivery,
        delivery_address=_address(relationship) if delivery == HanDelivery.POST else "",
        comment=comment,
        status=HanOrderStatus.RECEIVED,
        language=language if language in LANGUAGES else "nb",
        due_on=promised_date(db, relationship.utility_id, local_today()),
        created_at=now,
        updated_at=now,
    )
    db.add(order)
    try:
        db.flush()
    except IntegrityError as error:  # another request placed one at the same moment
        raise DomainError("han.open_order_exists") from error
    record_placed(db, caller, order)
    record_audit(
        db,
        "han.order_placed",
        caller,
        subject_type="han_port_order",
        subject_id=order.id or "",
        detail=f"meter {meter.serial}: {action}, {delivery}",
    )
    return order.id or 0


def cancel_order(db: Session, caller: Caller, order_id: int) -> None:
    """The customer withdraws an order of their relationship that staff have not taken yet."""
    require_customer(db, caller, "han.cancel_order")
    order = HAN_ORDERS.open(
        db, caller, order_id, lambda order: order.relationship_id == caller.relationship_id, detail="cancel"
    )
    if order.status != HanOrderStatus.RECEIVED:
        raise DomainError("han.cannot_cancel")
    move(db, caller, order, HanOrderStatus.CANCELLED)
