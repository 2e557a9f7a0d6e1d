"""Grid-company staff: what the ingestion workers report per source."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.i18n.numbers import format_lag
from app.models import Role
from app.services.staff.ingest_status import source_statuses
from app.states.session import SessionState


class IngestState(SessionState):
    sources: list[dict[str, str]] = []

    @rx.event
    def load_sources(self) -> None:
        self._require(Role.GRID_STAFF, handler="load_sources")
        with session_scope() as db:
            statuses = source_statuses(db)
        self.sources = [
            {
                "name": s.name, "kind": s.kind, "reading_source": s.reading_source, "state": s.state,
                "last_frame": s.last_frame_at.strftime("%Y-%m-%d %H:%M:%S UTC") if s.last_frame_at else "–",
                "frames_ok": str(s.frames_ok), "frames_bad": str(s.frames_bad),
                "frames_refused": str(s.frames_refused),
                "readings_stored": str(s.readings_stored),
                "readings_duplicate": str(s.readings_duplicate),
                "readings_rejected": str(s.readings_rejected), "lag": format_lag(s.lag_seconds),
                "last_error": s.last_error,
            }
            for s in statuses
        ]  # fmt: skip
