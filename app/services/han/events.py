"""A HAN port order is a case (app/services/cases.py): its history is one event table, every
status move and every staff note, each audited; beside them, when the customer was texted."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import AuditEntry, HanOrderEvent, HanPortOrder, OutboxMessage, OutboxStatus
from app.services.caller import Caller
from app.services.cases import NOTE_MAX, STATUS, CaseEvent, CaseKind, HistoryLine
from app.services.han.statuses import HAN_ORDER_STATUSES

# A history line that is no event row: the moment the customer was sent an SMS about the order.
CUSTOMER_TOLD = "customer_told"
# How the audit row of a notification names its outbox message ("han.sms.completed outbox:17").
OUTBOX_REFERENCE = "outbox:"


class _EventTable:
    """Moves and notes in one table, ``han_order_event``."""

    def add(self, db: Session, case_id: int, event: CaseEvent) -> None:
        db.add(
            HanOrderEvent(
                order_id=case_id,
                kind=event.kind,
                from_status=event.from_status,
                to_status=event.to_status,
                text=event.text,
                actor_user_id=event.actor_user_id,
                actor_role=event.actor_role,
                at=event.at,
            )
        )

    def events(self, db: Session, case_id: int) -> list[CaseEvent]:
        rows = db.exec(
            select(HanOrderEvent).where(HanOrderEvent.order_id == case_id).order_by(col(HanOrderEvent.id))
        ).all()
        return [
            CaseEvent(
                row.at, row.kind, row.from_status, row.to_status, row.text, row.actor_user_id, row.actor_role
            )
            for row in rows
        ]


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
    message_ids = [
        int(part.removeprefix(OUTBOX_REFERENCE))
        for detail in details
        for part in detail.split()
        if part.startswith(OUTBOX_REFERENCE) and part.removeprefix(OUTBOX_REFERENCE).isdigit()
    ]
    if not message_ids:
        return []
    sent = db.exec(
        select(OutboxMessage.sent_at).where(
            col(OutboxMessage.id).in_(message_ids),
            OutboxMessage.status == OutboxStatus.SENT.value,
        )
    ).all()
    return [
        HistoryLine(at.isoformat(timespec="minutes"), "", CUSTOMER_TOLD, "", "", "")
        for at in sent
        if at is not None
    ]


HAN_ORDERS = CaseKind(
    machine=HAN_ORDER_STATUSES,
    storage=_EventTable(),
    model=HanPortOrder,
    subject_type="han_port_order",
    status_audit="han.order_status",
    note_audit="han.note_added",
    refused_audit="han.order_refused",
    not_found="han.not_found",
    note_required="han.note_required",
    too_long="han.too_long",
    reason_max=NOTE_MAX,
    extra_lines=_customer_told,
)
move = HAN_ORDERS.move
add_note = HAN_ORDERS.add_note
history = HAN_ORDERS.history


def record_placed(db: Session, caller: Caller, order: HanPortOrder) -> None:
    """The first line of the history: the order arrived as received (no move, no audit)."""
    placed = CaseEvent(order.created_at, STATUS, "", order.status, "", caller.user_id, str(caller.role))
    HAN_ORDERS.storage.add(db, order.id or 0, placed)
