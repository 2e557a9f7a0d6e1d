"""A pre-notification is a case (app/services/cases.py): each status move is logged (who, when,
why) and audited in ``notification_transition``, notes in ``notification_note``."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import NotificationNote, NotificationTransition, PreNotification
from app.services.cases import NOTE, STATUS, CaseEvent, CaseKind
from app.services.installer.statuses import NOTIFICATION_STATUSES


class _MoveAndNoteTables:
    """Moves and notes in two tables; the history reads both, in time order."""

    def add(self, db: Session, case_id: int, event: CaseEvent) -> None:
        if event.kind == NOTE:
            db.add(
                NotificationNote(
                    notification_id=case_id,
                    author_user_id=event.actor_user_id,
                    author_role=event.actor_role,
                    text=event.text,
                    created_at=event.at,
                )
            )
            return
        db.add(
            NotificationTransition(
                notification_id=case_id,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_user_id=event.actor_user_id,
                actor_role=event.actor_role,
                reason=event.text,
                at=event.at,
            )
        )

    def events(self, db: Session, case_id: int) -> list[CaseEvent]:
        notes = db.exec(select(NotificationNote).where(NotificationNote.notification_id == case_id)).all()
        moves = db.exec(
            select(NotificationTransition).where(NotificationTransition.notification_id == case_id)
        ).all()
        events = [
            *(
                CaseEvent(note.created_at, NOTE, "", "", note.text, note.author_user_id, note.author_role)
                for note in notes
            ),
            *(
                CaseEvent(
                    move.at,
                    STATUS,
                    move.from_status,
                    move.to_status,
                    move.reason,
                    move.actor_user_id,
                    move.actor_role,
                )
                for move in moves
            ),
        ]
        return sorted(events, key=lambda event: str(event.at))


NOTIFICATIONS = CaseKind(
    machine=NOTIFICATION_STATUSES,
    storage=_MoveAndNoteTables(),
    model=PreNotification,
    subject_type="pre_notification",
    status_audit="installer.notification_status",
    note_audit="installer.note_added",
    refused_audit="installer.notification_refused",
    not_found="installer.not_found",
    note_required="installer.note_required",
    too_long="installer.too_long",
    reason_max=1000,
)
move = NOTIFICATIONS.move
add_note = NOTIFICATIONS.add_note
history = NOTIFICATIONS.history
