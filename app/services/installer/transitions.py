"""Moving a notification between statuses, each move logged (who, when, why) and audited; notes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import NotificationNote, NotificationTransition, PreNotification, User
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import DomainError
from app.services.installer.statuses import NOTIFICATION_STATUSES


def move(db: Session, caller: Caller, row: PreNotification, target: str, *, reason: str = "") -> None:
    """Change the status if the machine allows it (``IllegalTransition`` otherwise)."""
    NOTIFICATION_STATUSES.check(row.status, target)
    db.add(
        NotificationTransition(
            notification_id=row.id or 0,
            from_status=row.status,
            to_status=str(target),
            actor_user_id=caller.user_id,
            actor_role=str(caller.role),
            reason=reason[:1000],
            at=utcnow(),
        )
    )
    record_audit(
        db,
        "installer.notification_status",
        caller,
        subject_type="pre_notification",
        subject_id=row.id or "",
        detail=f"{row.status} -> {target}",
    )
    row.status = str(target)
    row.updated_at = utcnow()
    db.add(row)


def add_note(db: Session, caller: Caller, row: PreNotification, text: str) -> None:
    """A note on a notification the caller may open (the caller's access is checked before)."""
    text = text.strip()
    if not text:
        raise DomainError("installer.note_required", field="note")
    if len(text) > 2000:
        raise DomainError("installer.too_long", field="note")
    db.add(
        NotificationNote(
            notification_id=row.id or 0,
            author_user_id=caller.user_id,
            author_role=str(caller.role),
            text=text,
        )
    )
    record_audit(db, "installer.note_added", caller, subject_type="pre_notification", subject_id=row.id or "")


@dataclass(frozen=True)
class HistoryLine:
    at: str
    who: str
    what: str  # a status move "from -> to", or "note"
    text: str


def history(db: Session, row: PreNotification) -> list[HistoryLine]:
    """Notes and status moves, oldest first."""
    names = {
        user.id: user.name or user.email or ""
        for user in db.exec(
            select(User).where(
                col(User.id).in_(
                    select(NotificationNote.author_user_id)
                    .where(NotificationNote.notification_id == row.id)
                    .union(
                        select(NotificationTransition.actor_user_id).where(
                            NotificationTransition.notification_id == row.id
                        )
                    )
                )
            )
        )
    }
    lines: list[tuple[object, HistoryLine]] = []
    for note in db.exec(select(NotificationNote).where(NotificationNote.notification_id == row.id)).all():
        lines.append(
            (
                note.created_at,
                HistoryLine(
                    note.created_at.isoformat(timespec="minutes"),
                    names.get(note.author_user_id, note.author_role),
                    "note",
                    note.text,
                ),
            )
        )
    for move_row in db.exec(
        select(NotificationTransition).where(NotificationTransition.notification_id == row.id)
    ):
        lines.append(
            (
                move_row.at,
                HistoryLine(
                    move_row.at.isoformat(timespec="minutes"),
                    names.get(move_row.actor_user_id, move_row.actor_role),
                    f"{move_row.from_status}>{move_row.to_status}",
                    move_row.reason,
                ),
            )
        )
    lines.sort(key=lambda pair: str(pair[0]))
    return [line for _, line in lines]
