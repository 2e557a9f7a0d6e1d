"""Messages that keep failing: who may see them, and sending one again.

An administrator sees every message; grid staff see the messages sent for their own grid
company (its installers' decisions, its customers' HAN SMS). Account mails belong to no
organisation and only administrators follow them. "Keeps failing" means given up (``failed``)
or failed at least twice and still being retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, true
from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.models import OutboxMessage, OutboxStatus, Role
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError

PAGE_SIZE = 20
# Failed this many times and still retried: worth a look before the sender gives up.
FAILING_AFTER = 2


@dataclass(frozen=True)
class FailingMessage:
    id: int
    channel: str
    kind: str
    recipient: str
    what: str  # a mail's subject, the start of an SMS
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None


def _visible(caller: Caller):  # type: ignore[no-untyped-def]
    if caller.is_role(Role.ADMIN):
        return true()
    if caller.is_role(Role.GRID_STAFF) and caller.organisation_id is not None:
        return col(OutboxMessage.organisation_id) == caller.organisation_id
    raise AccessDenied("auth.denied")


def _failing():  # type: ignore[no-untyped-def]
    return or_(
        col(OutboxMessage.status) == OutboxStatus.FAILED.value,
        and_(
            col(OutboxMessage.status) == OutboxStatus.PENDING.value,
            col(OutboxMessage.attempts) >= FAILING_AFTER,
        ),
    )


def failing_messages(db: Session, caller: Caller, *, page: int = 1) -> tuple[list[FailingMessage], int]:
    """One page (from 1) of the failing messages the caller may see, newest first, and their total."""
    where = and_(_failing(), _visible(caller))
    total = db.exec(select(func.count()).select_from(OutboxMessage).where(where)).one()
    rows = db.exec(
        select(OutboxMessage)
        .where(where)
        .order_by(col(OutboxMessage.id).desc())
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        FailingMessage(
            id=row.id or 0,
            channel=row.channel,
            kind=row.kind,
            recipient=row.recipient,
            what=row.subject or _shortened(row.body),
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at if row.status == OutboxStatus.PENDING else None,
        )
        for row in rows
    ], total


def _shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send_again(db: Session, caller: Caller, message_id: int) -> None:
    """Give a failed message a fresh set of tries, now (after the address or server was fixed)."""
    message = db.exec(
        select(OutboxMessage).where(col(OutboxMessage.id) == message_id, _visible(caller))
    ).first()
    if message is None or message.status != OutboxStatus.FAILED:
        raise DomainError("outbox.not_failed")
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.add(message)
    record_audit(
        db,
        "outbox.send_again",
        caller,
        subject_type="outbox_message",
        subject_id=message.id or "",
        detail=f"{message.channel} {message.kind}",
    )
