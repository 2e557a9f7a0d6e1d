"""Grid-company staff: what the ingestion workers report per source."""

from __future__ import annotations

import reflex as rx

from app.i18n import translate
from app.i18n.numbers import format_lag, format_number
from app.i18n.times import format_local_time
from app.models import Role
from app.services.staff.ingest_status import SourceStatus, source_statuses
from app.states.db_thread import read_in_thread
from app.states.session import SessionState


class IngestState(SessionState):
    sources: list[dict[str, str]] = []

    @rx.event
    async def load_sources(self) -> None:
        # The whole system's sources: the operator's (administrator's) page, not one grid
        # company's (issue 20.14).
        caller = await self._checked(Role.ADMIN, handler="load_sources")
        statuses = await read_in_thread(lambda db: source_statuses(db, caller))

        def count(value: int) -> str:
            return format_number(value, 0, self.language)

        self.sources = [
            {
                "name": s.name,
                "kind": s.kind,
                "reading_source": s.reading_source,
                "state": s.state,
                "last_frame": format_local_time(s.last_frame_at, self.language) or "–",
                "frames_ok": count(s.frames_ok),
                "frames_bad": count(s.frames_bad),
                "frames_refused": count(s.frames_refused),
                "readings_stored": count(s.readings_stored),
                "readings_duplicate": count(s.readings_duplicate),
                "readings_rejected": count(s.readings_rejected),
                "lag": format_lag(s.lag_seconds),
                "last_error": s.last_error,
                "worker": " · ".join(part for part in (s.host, s.client_id) if part) or "–",
                "group": s.group_name or "–",
                "messages": count(s.messages),
                "last_message": format_local_time(s.last_message_at, self.language) or "–",
                "spool": count(s.spool_depth),
                "last_report": format_local_time(s.updated_at, self.language),
                "silent": "" if s.reporting else "1",
                "outage": self._outage(s),
            }
            for s in statuses
        ]

    def _outage(self, status: SourceStatus) -> str:
        if status.outage_started_at is None:
            return "–"
        ended = format_local_time(status.outage_ended_at, self.language) or translate(
            "ingest.outage_ongoing", self.language
        )
        return f"{format_local_time(status.outage_started_at, self.language)} – {ended}"
