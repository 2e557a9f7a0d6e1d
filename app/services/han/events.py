"""A HAN port order's history: every status move and every staff note, each audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import HanOrderEvent, HanPortOrder, User
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import DomainError
from app.services.han.statuses import HAN_ORDER_STATUSES

NOTE_MAX = 2000
STATUS = "status"
NOTE = "note"


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
    who: str
    kind: str  # "status" or "note"
    from_status: str
    to_status: str
    text: str


def history(db: Session, order: HanPortOrder) -> list[HistoryLine]:
    """Moves and notes, oldest first; a customer's own move is named by their role."""
    events = db.exec(
        select(HanOrderEvent).where(HanOrderEvent.order_id == order.id).order_by(col(HanOrderEvent.id))
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
    return [
        HistoryLine(
            event.at.isoformat(timespec="minutes"),
            names.get(event.actor_user_id, "") or event.actor_role,
            event.kind,
            event.from_status,
            event.to_status,
            event.text,
        )
        for event in events
    ]
