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
    # The worker behind the source (issue 25): several run on several hosts.
    host: str = ""
    group_name: str = ""
    client_id: str = ""
    messages: int = 0
    last_message_at: datetime | None = None
    spool_depth: int = 0
    heartbeat_seconds: float | None = None
    outage_started_at: datetime | None = None
    outage_ended_at: datetime | None = None
    # False when a worker that reports every heartbeat has not done so for three of them.
    reporting: bool = True


# A worker that has not reported for this many of its heartbeats has stopped reporting.
SILENT_AFTER_HEARTBEATS = 3


def source_statuses(db: Session, caller: Caller) -> list[SourceStatus]:
    """Every source of every worker: for an administrator or the operator's command line only
    (sources are not tied to one grid company, so no grid company's staff sees them)."""
    if not (caller.is_role(Role.ADMIN) or caller.role in (CLI_ROLE, WORKER_ROLE)):
        raise AccessDenied("auth.denied")
    rows = db.exec(select(IngestSource).order_by(IngestSource.name)).all()
    now = utcnow()

    def reporting(row: IngestSource) -> bool:
        if not row.heartbeat_seconds or row.state == "stopped":
            return True  # a one-off import or a worker stopped on purpose is not expected to report
        return (now - row.updated_at).total_seconds() <= SILENT_AFTER_HEARTBEATS * row.heartbeat_seconds

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
            host=row.host,
            group_name=row.group_name,
            client_id=row.client_id,
            messages=row.messages,
            last_message_at=row.last_message_at,
            spool_depth=row.spool_depth,
            heartbeat_seconds=row.heartbeat_seconds,
            outage_started_at=row.outage_started_at,
            outage_ended_at=row.outage_ended_at,
            reporting=reporting(row),
        )
        for row in rows
    ]
