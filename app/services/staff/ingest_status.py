"""What the ingestion workers report about their sources, for the status command and the staff page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.clock import utcnow
from app.models import IngestSource, Role
from app.services.caller import CLI_ROLE, WORKER_ROLE, Caller
from app.services.errors import AccessDenied


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    kind: str
    reading_source: str
    state: str
    last_error: str
    last_frame_at: datetime | None
    frames_ok: int
    frames_bad: int
    readings_stored: int
    readings_rejected: int
    readings_duplicate: int
    unknown_meters: int
    lag_seconds: float | None
    updated_at: datetime
    # Frames of keyed meters that did not arrive encrypted (and authenticated): refused.
    frames_refused: int = 0



def source_statuses(db: Session, caller: Caller) -> list[SourceStatus]:
    """Every source of every worker: for an administrator or the operator's command line only
    (sources are not tied to one grid company, so no grid company's staff sees them)."""
    if not (caller.is_role(Role.ADMIN) or caller.role in (CLI_ROLE, WORKER_ROLE)):
        raise AccessDenied("auth.denied")
    rows = db.exec(select(IngestSource).order_by(IngestSource.name)).all()
    return [
        SourceStatus(
            row.name,
            row.kind,
            row.reading_source,
            row.state,
            row.last_error,
            row.last_frame_at,
            row.frames_ok,
            row.frames_bad,
            row.readings_stored,
            row.readings_rejected,
            row.readings_duplicate,
            row.unknown_meters,
            row.lag_seconds,
            row.updated_at or utcnow(),
            frames_refused=row.frames_refused,
        )
        for row in rows
    ]
