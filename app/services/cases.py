"""A case: a row with a status that staff move through a status machine, note on, and whose
history both sides read. HAN port orders and installers' pre-notifications are cases.

Each area declares its case once (``CaseKind``: its status machine, audit names, text keys and
where its history is stored); moving, noting, reading the history and opening a case the caller
may see are written here once. HAN keeps one event table, pre-notifications a table of moves and
one of notes; ``CaseStorage`` reads and writes either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import Role, User
from app.services.access import reachable
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.case_status import StatusMachine
from app.services.errors import AccessDenied, DomainError

STATUS = "status"
NOTE = "note"
CUSTOMER = "customer"
NOTE_MAX = 2000

Case = TypeVar("Case", bound=Any)


def staff_grid_company(caller: Caller) -> int:
    """The grid company whose cases the caller processes; anyone else is refused."""
    if not caller.is_role(Role.GRID_STAFF) or caller.organisation_id is None:
        raise AccessDenied("auth.denied")
    return caller.organisation_id


@dataclass(frozen=True)
class CaseEvent:
    """One stored line of a case's history: a status move or a note."""

    at: datetime
    kind: str  # STATUS or NOTE
    from_status: str
    to_status: str
    text: str
    actor_user_id: int | None
    actor_role: str


@dataclass(frozen=True)
class HistoryLine:
    at: str  # ISO, UTC, to the minute
    who: str  # the staff member's name; "" for the customer and the system
    kind: str  # STATUS, NOTE, or an area's own line (HAN: "customer_told")
    from_status: str
    to_status: str
    text: str
    # Who moved it: "customer", a staff role, or "" for the system (the reader names them).
    actor_role: str = ""

    @property
    def what(self) -> str:
        """``"note"``, or a move as ``"from>to"``."""
        return NOTE if self.kind == NOTE else f"{self.from_status}>{self.to_status}"


class CaseStorage(Protocol):
    """Where a case's moves and notes are kept."""

    def add(self, db: Session, case_id: int, event: CaseEvent) -> None: ...

    def events(self, db: Session, case_id: int) -> list[CaseEvent]:
        """Oldest first."""
        ...


@dataclass(frozen=True)
class CaseKind:
    """One area's case, declared once."""

    machine: StatusMachine
    storage: CaseStorage
    model: type
    subject_type: str  # the audit's subject type ("han_port_order")
    status_audit: str  # audit action of a move
    note_audit: str  # audit action of a note
    refused_audit: str  # audit action of a refused open
    not_found: str  # error key of a refused open (reads as "not found")
    note_required: str  # error keys of an empty and a too long note
    too_long: str
    reason_max: int = NOTE_MAX
    # Lines the area adds to the stored ones (HAN: when the customer was texted).
    extra_lines: Callable[[Session, int], list[HistoryLine]] | None = None

    def open(
        self, db: Session, caller: Caller, case_id: int, may_see: Callable[[Any], bool], *, detail: str = ""
    ) -> Any:
        """The case when ``may_see`` says the caller may; otherwise refused (audited) as if absent."""
        return reachable(
            db,
            caller,
            self.model,
            case_id,
            may_see,
            audit_action=self.refused_audit,
            subject_type=self.subject_type,
            not_found=self.not_found,
            detail=detail,
        )

    def move(self, db: Session, caller: Caller, case: Any, target: str, *, reason: str = "") -> None:
        """Change the case's status if the machine allows it (``IllegalTransition`` otherwise)."""
        self.machine.check(case.status, target)
        now = utcnow()
        event = CaseEvent(
            now, STATUS, case.status, str(target), reason[: self.reason_max], caller.user_id, str(caller.role)
        )
        self.storage.add(db, case.id or 0, event)
        record_audit(
            db,
            self.status_audit,
            caller,
            subject_type=self.subject_type,
            subject_id=case.id or "",
            detail=f"{case.status} -> {target}",
        )
        case.status = str(target)
        case.updated_at = now
        db.add(case)

    def add_note(self, db: Session, caller: Caller, case: Any, text: str) -> None:
        """A note on a case the caller may open (their access is checked before)."""
        text = text.strip()
        if not text:
            raise DomainError(self.note_required, field="note")
        if len(text) > NOTE_MAX:
            raise DomainError(self.too_long, field="note")
        self.storage.add(
            db, case.id or 0, CaseEvent(utcnow(), NOTE, "", "", text, caller.user_id, str(caller.role))
        )
        record_audit(db, self.note_audit, caller, subject_type=self.subject_type, subject_id=case.id or "")

    def history(self, db: Session, case: Any) -> list[HistoryLine]:
        """Moves, notes and the area's own lines, oldest first; staff are named, the customer and
        the system are told apart by ``actor_role``."""
        case_id = case if isinstance(case, int) else case.id or 0
        events = self.storage.events(db, case_id)
        lines = _lines(db, events)
        if self.extra_lines is not None:
            lines += self.extra_lines(db, case_id)
        # Stable: a line in the minute of the move that caused it follows that move.
        return sorted(lines, key=lambda line: line.at)


def _lines(db: Session, events: Sequence[CaseEvent]) -> list[HistoryLine]:
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
            "" if event.actor_role == CUSTOMER else names.get(event.actor_user_id, ""),
            event.kind,
            event.from_status,
            event.to_status,
            event.text,
            event.actor_role if event.actor_user_id is not None or event.actor_role == CUSTOMER else "",
        )
        for event in events
    ]
