"""What happened to one source's frames and readings, counted as it happens and persisted by
the store with its next write (only the deltas since the last one)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from app.clock import utcnow
from app.models import ReadingSource

log = logging.getLogger(__name__)


@dataclass
class SourceCounters:
    """Counters of one source; deltas since the last write are added to its `ingest_source` row."""

    name: str
    kind: str
    reading_source: str = ReadingSource.COLLECTED.value
    state: str = "idle"
    last_error: str = ""
    last_frame_at: datetime | None = None
    frames_ok: int = 0
    frames_bad: int = 0
    # Frames a keyed meter did not send encrypted (and authenticated) with its key (issue 10).
    frames_refused: int = 0
    readings_stored: int = 0
    readings_rejected: int = 0
    readings_duplicate: int = 0
    unknown_meters: int = 0
    lag_seconds: float | None = None
    # The stream a HAN reader's consent names (`han_reader.reader_id`); the source name when
    # empty. Workers of one group share it while each has its own name (status row, spool).
    reader_id: str = ""
    # The worker process behind the source (issue 25), persisted with the counters.
    host: str = ""
    group_name: str = ""
    client_id: str = ""
    messages: int = 0
    last_message_at: datetime | None = None
    _persisted: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def frame_ok(self, at: datetime | None = None) -> None:
        with self._lock:
            self.frames_ok += 1
            self.last_frame_at = at or utcnow()

    def message_received(self, at: datetime | None = None, count: int = 1) -> None:
        with self._lock:
            self.messages += count
            self.last_message_at = at or utcnow()

    def frame_bad(self, reason: str = "") -> None:
        with self._lock:
            self.frames_bad += 1
            if reason:
                self.last_error = reason[:200]

    def frame_refused(self, reason: str) -> None:
        with self._lock:
            self.frames_refused += 1
            self.last_error = reason[:200]

    def set_state(self, state: str, error: str = "") -> None:
        with self._lock:
            self.state = state
            if error:
                self.last_error = error[:200]

    def deltas(self) -> dict[str, int]:
        with self._lock:
            now = {
                "frames_ok": self.frames_ok,
                "frames_bad": self.frames_bad,
                "frames_refused": self.frames_refused,
                "messages": self.messages,
                "readings_stored": self.readings_stored,
                "readings_rejected": self.readings_rejected,
                "readings_duplicate": self.readings_duplicate,
                "unknown_meters": self.unknown_meters,
            }
        return {name: value - self._persisted.get(name, 0) for name, value in now.items()}

    def mark_persisted(self, deltas: dict[str, int]) -> None:
        for name, delta in deltas.items():
            self._persisted[name] = self._persisted.get(name, 0) + delta
