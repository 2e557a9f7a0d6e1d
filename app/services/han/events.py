"""A HAN port order's history: every status move and every staff note, each audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import AuditEntry, HanOrderEvent, HanPortOrder, OutboxMessage, OutboxStatus, User
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import DomainError
from app.services.han.statuses import HAN_ORDER_STATUSES

NOTE_MAX = 2000
STATUS = "status"
NOTE = "note"
# A history line that is no event row: the moment the customer was sent an SMS about the order.
CUSTOMER_TOLD = "customer_told"
# How the audit row of a notification names its outbox message ("han.sms.completed outbox:17").
OUTBOX_REFERENCE = "outbox:"


def move(db: Session, caller: Caller, order: HanPortOrder, target: str, *, reason: str = "") -> None:
    """Change the order's status if the machine allows it (``IllegalTransition`` otherwise)."""
    HAN_ORDER_STATUSES.check(order.status, target)
    now = utcnow()
    db.add(
        HanOrderEvent(
            order_id=order.id or 0,
            kind=STATUS,
            from_status=order.status,
            to_status=str(target),
            text=reason[:NOTE_MAX],
            actor_user_id=caller.user_id,
            actor_role=str(caller.role),
            at=now,
        )
    )
    record_audit(
        db,
        "han.order_status",
        caller,
        subject_type="han_port_order",
        subject_id=order.id or "",
        detail=f"{order.status} -> {target}",
    )
    order.status = str(target)
    order.updated_at = now
    db.add(order)


def record_placed(db: Session, caller: Caller, order: HanPortOrder) -> None:
    """The first line of the history: the order arrived as received."""
    db.add(
        HanOrderEvent(
            order_id=order.id or 0,
            kind=STATUS,
            from_status="",
            to_status=order.status,
            actor_user_id=caller.user_id,
            actor_role=str(caller.role),
            at=order.created_at,
        )
    )


def add_note(db: Session, caller: Caller, order: HanPortOrder, text: str) -> None:
    """A staff note on an order the caller may open (checked before)."""
    text = text.strip()
    if not text:
        raise DomainError("han.note_required", field="note")
    if len(text) > NOTE_MAX:
        raise DomainError("han.too_long", field="note")
    db.add(
        HanOrderEvent(
            order_id=order.id or 0,
            kind=NOTE,
            text=text,
            actor_user_id=caller.user_id,
            actor_role=str(caller.role),
            at=utcnow(),
        )
    )
    record_audit(db, "han.note_added", caller, subject_type="han_port_order", subject_id=order.id or "")


@dataclass(frozen=True)
class HistoryLine:
    at: str  # ISO, UTC
    who: str  # the staff member's name; "" for the customer and the system
    kind: str  # "status", "note" or "customer_told"
    from_status: str
    to_status: str
    text: str
    # Who moved it: "customer", a staff role, or "" for the system (the reader names them).
    actor_role: str = ""


def _customer_told(db: Session, order_id: int) -> list[HistoryLine]:
    """When the customer was sent an SMS about the order: its outbox message's sending time (a
    message still waiting or given up on is not shown; staff see those among failing messages)."""
    details = db.exec(
        select(AuditEntry.detail).where(
            AuditEntry.action == "han.customer_notified",
            AuditEntry.subject_type == "han_port_order",
            AuditEntry.subject_id == str(order_id),
        )
    ).all()
    message_ids = [int(part.removeprefix(OUTBOX_REFERENCE)) for detail in details for part in detail.split()
                   if part.startswith(OUTBOX_REFERENCE) and part.removeprefix(OUTBOX_REFERENCE).isdigit()]
    if not message_ids:
        return []
    sent = db.exec(
        select(OutboxMessage.sent_at).where(
            col(OutboxMessage.id).in_(message_ids),
            OutboxMessage.status == OutboxStatus.SENT.value,
        )
    ).all()
    return [HistoryLine(at.isoformat(timespec="minutes"), "", CUSTOMER_TOLD, "", "", "")
            for at in sent if at is not None]  # fmt: skip


def history(db: Session, order: HanPortOrder | int) -> list[HistoryLine]:
    """Moves, notes and the SMS to the customer, oldest first; staff are named, the customer and
    the system are told apart by ``actor_role``."""
    order_id = order if isinstance(order, int) else order.id or 0
    events = db.exec(
        select(HanOrderEvent).where(HanOrderEvent.order_id == order_id).order_by(col(HanOrderEvent.id))
    ).all()
    user_ids = {event.actor_user_id for event in events if event.actor_user_id is not None}
    names = (
        {
            user.id: user.name or user.email or ""
            for user in db.exec(select(User).where(col(User.id).in_(user_ids)))
        }
        if user_ids
        else {}
    )
    lines = [
        HistoryLine(
            event.at.isoformat(timespec="minutes"),
            "" if event.actor_role == "customer" else names.get(event.actor_user_id, ""),
            event.kind,
            event.from_status,
            event.to_status,
            event.text,
            event.actor_role if event.actor_user_id is not None or event.actor_role == "customer" else "",
        )
        for event in events
    ]
    # Stable: an SMS sent in the minute of the move that caused it follows that move.
    return sorted([*lines, *_customer_told(db, order_id)], key=lambda line: line.at)
