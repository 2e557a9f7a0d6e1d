"""Storing what the worker decodes: batched, idempotent, and nothing acknowledged is ever lost.

A batch is acknowledged once it is committed to the database, or, when the database cannot take
it, once it is appended and fsync'ed to the local spool file. While the spool holds anything,
new batches go behind it so that the database sees readings in arrival order; the spool is
replayed from a committed offset, and the offset moves only after the database committed the
lines before it. A crash anywhere replays at most some lines twice, which the unique
(meter, register, ts) key makes harmless.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from app.ingest.registers import RawReading
from app.models import Medium, ReadingSource
from app.services.readings import ReadingRow, insert_readings

log = logging.getLogger(__name__)

RefreshConsumption = Callable[[Connection, int, int], Any]


def consumption_refresher() -> RefreshConsumption | None:
    """`app.services.consumption.refresh_consumption` when that module is installed, else None.

    The hourly fold belongs to the charts; the worker only tells it which meters changed since when.
    """
    try:
        from app.services import consumption
    except ImportError:
        return None
    return getattr(consumption, "refresh_consumption", None)


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
    unknown_meters: int = 0
    lag_seconds: float | None = None
    _persisted: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def frame_ok(self, at: datetime | None = None) -> None:
        with self._lock:
            self.frames_ok += 1
            self.last_frame_at = at or datetime.now(UTC)

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
                "frames_ok": self.frames_ok, "frames_bad": self.frames_bad,
                "frames_refused": self.frames_refused,
                "readings_stored": self.readings_stored, "readings_rejected": self.readings_rejected,
                "unknown_meters": self.unknown_meters,
            }  # fmt: skip
        return {name: value - self._persisted.get(name, 0) for name, value in now.items()}

    def mark_persisted(self, deltas: dict[str, int]) -> None:
        for name, delta in deltas.items():
            self._persisted[name] = self._persisted.get(name, 0) + delta


_TRAILING_DIGITS = re.compile(r"(\d{6,})$")


class MeterDirectory:
    """Maps what a meter calls itself to `meter.id`: its serial, or the number part of the serial
    (a wireless M-Bus id "57000074" is meter "KAM57000074") when that is unique."""

    def __init__(self, auto_create: bool = False, owner_id: int | None = None) -> None:
        self.auto_create = auto_create
        self.owner_id = owner_id
        self._by_ref: dict[str, int] = {}
        self._unknown: set[str] = set()
        self._loaded_at = 0.0

    def load(self, connection: Connection) -> None:
        by_ref: dict[str, int] = {}
        numbers: dict[str, list[int]] = {}
        for meter_id, serial in connection.execute(text("SELECT id, serial FROM meter")):
            by_ref[serial] = meter_id
            match = _TRAILING_DIGITS.search(serial)
            if match and match.group(1) != serial:
                numbers.setdefault(match.group(1), []).append(meter_id)
        for number, ids in numbers.items():
            if len(ids) == 1:
                by_ref.setdefault(number, ids[0])
        self._by_ref = by_ref
        self._loaded_at = time.monotonic()

    def resolve(self, connection: Connection, ref: str, hint: dict[str, str] | None = None) -> int | None:
        meter_id = self._by_ref.get(ref)
        if meter_id is not None or not ref:
            return meter_id
        if time.monotonic() - self._loaded_at > 30:
            self.load(connection)  # a meter added in the portal since we last looked
            meter_id = self._by_ref.get(ref)
            if meter_id is not None:
                self._unknown.discard(ref)
                return meter_id
        if self.auto_create:
            return self._create(connection, ref, hint or {})
        return None

    def note_unknown(self, ref: str) -> bool:
        """True the first time an unknown meter is seen (so it is logged once)."""
        if ref in self._unknown:
            return False
        self._unknown.add(ref)
        return True

    def _create(self, connection: Connection, ref: str, hint: dict[str, str]) -> int:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, owner_id, created_at) "
                "VALUES (:serial, :manufacturer, :model, :medium, :han, :owner, :now)"
            ),
            {
                "serial": ref[:40], "manufacturer": hint.get("manufacturer", "unknown")[:60],
                "model": hint.get("model", "")[:60], "medium": hint.get("medium", Medium.ELECTRICITY.value),
                "han": hint.get("medium", "electricity") == "electricity", "owner": self.owner_id,
                "now": datetime.now(UTC),
            },
        )  # fmt: skip
        meter_id = connection.execute(
            text("SELECT id FROM meter WHERE serial = :s"), {"s": ref[:40]}
        ).scalar_one()
        self._by_ref[ref] = meter_id
        log.info("created meter %s (id %s) for incoming readings", ref, meter_id)
        return meter_id


@dataclass
class _Batch:
    source: SourceCounters
    readings: list[RawReading]
    hints: dict[str, dict[str, str]]


class Spool:
    """An append-only file of batches (one JSON line each) and the offset committed to the database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset_path = path.with_suffix(path.suffix + ".offset")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._drop_torn_tail()

    def _drop_torn_tail(self) -> None:
        # A crash mid-append leaves a line without its newline: it was never acknowledged.
        if not self.path.exists():
            return
        with self.path.open("rb+") as handle:
            data_end = handle.seek(0, os.SEEK_END)
            if data_end == 0:
                return
            handle.seek(max(0, data_end - 1))
            if handle.read(1) == b"\n":
                return
            handle.seek(0)
            content = handle.read()
            handle.truncate(content.rfind(b"\n") + 1)

    def committed(self) -> int:
        try:
            offset = int(self.offset_path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0
        return offset if offset <= self.size() else 0

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def pending(self) -> bool:
        return self.size() > self.committed()

    def append(self, lines: list[bytes]) -> None:
        with self.path.open("ab") as handle:
            handle.write(b"".join(lines))
            handle.flush()
            os.fsync(handle.fileno())

    def read_from(self, offset: int, limit_lines: int) -> tuple[list[bytes], list[int]]:
        """Up to `limit_lines` whole lines from `offset`, with the offset after each."""
        lines: list[bytes] = []
        ends: list[int] = []
        with self.path.open("rb") as handle:
            handle.seek(offset)
            position = offset
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                position += len(line)
                lines.append(line)
                ends.append(position)
                if len(lines) >= limit_lines:
                    break
        return lines, ends

    def commit(self, offset: int) -> None:
        temporary = self.offset_path.with_suffix(".tmp")
        temporary.write_text(str(offset))
        os.replace(temporary, self.offset_path)

    def reset_if_drained(self) -> None:
        if self.size() and self.committed() == self.size():
            # Truncate first: an offset beyond the end of the file reads as 0.
            with self.path.open("rb+") as handle:
                handle.truncate(0)
            self.commit(0)


def _encode(batch: _Batch) -> bytes:
    payload = {
        "s": batch.source.name,
        "k": batch.source.reading_source,
        "r": [[r.meter_ref, r.register, r.ts, r.value, r.unit] for r in batch.readings],
    }
    if batch.hints:
        payload["h"] = batch.hints
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


class DatabaseUnavailable(Exception):
    pass


class _UnstorableReadings(Exception):
    """The database refused the data (a constraint, a value it cannot hold), not the connection."""


def _halves(batches: list[_Batch]) -> tuple[list[_Batch], list[_Batch]]:
    """The readings of `batches` split in two at the middle, each half keeping its batches' source."""
    middle = sum(len(batch.readings) for batch in batches) // 2
    first: list[_Batch] = []
    second: list[_Batch] = []
    seen = 0
    for batch in batches:
        cut = max(0, min(len(batch.readings), middle - seen))
        seen += len(batch.readings)
        if cut:
            first.append(_Batch(batch.source, batch.readings[:cut], batch.hints))
        if cut < len(batch.readings):
            second.append(_Batch(batch.source, batch.readings[cut:], batch.hints))
    return first, second


class ReadingStore:
    """Collects readings from sources and writes them in batches (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        spool_path: Path,
        *,
        auto_create_meters: bool = False,
        batch_size: int = 5_000,
        flush_seconds: float = 1.0,
        retry_seconds: float = 5.0,
        refresh: RefreshConsumption | bool | None = True,
    ) -> None:
        self.engine = engine
        self.spool = Spool(spool_path)
        self.meters = MeterDirectory(auto_create=auto_create_meters)
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.retry_seconds = retry_seconds
        self._refresh = consumption_refresher() if refresh is True else (refresh or None)
        self._pending: list[_Batch] = []
        self._pending_count = 0
        self._oldest = 0.0
        self._next_retry = 0.0
        self._lock = threading.RLock()
        self._sources: dict[str, SourceCounters] = {}
        self._han_consents: dict[str, tuple[float, frozenset[int]]] = {}
        self._directory_loaded = False
        self.database_up = True

    # -- intake -------------------------------------------------------------------------------

    def source(
        self, name: str, kind: str, reading_source: str = ReadingSource.COLLECTED.value
    ) -> SourceCounters:
        with self._lock:
            counters = self._sources.get(name)
            if counters is None:
                counters = SourceCounters(name, kind, reading_source)
                self._sources[name] = counters
            return counters

    def submit(
        self, source: SourceCounters, readings: Iterable[RawReading],
        hints: dict[str, dict[str, str]] | None = None,
    ) -> int:  # fmt: skip
        """Queue readings; returns how many were acknowledged by a flush this call triggered."""
        readings = list(readings)
        if not readings:
            return 0
        with self._lock:
            if not self._pending:
                self._oldest = time.monotonic()
            self._pending.append(_Batch(source, readings, hints or {}))
            self._pending_count += len(readings)
            if self._pending_count >= self.batch_size:
                return self.flush()
        return 0

    def flush_due(self) -> int:
        """Flush when the oldest queued reading has waited `flush_seconds`, or retry the spool."""
        with self._lock:
            if self._pending and time.monotonic() - self._oldest >= self.flush_seconds:
                return self.flush()
            if not self._pending and self.spool.pending() and time.monotonic() >= self._next_retry:
                self._replay_spool()
            return 0

    def flush(self) -> int:
        """Write what is queued; returns the number of readings acknowledged (stored or spooled)."""
        with self._lock:
            batches, self._pending = self._pending, []
            count, self._pending_count = self._pending_count, 0
            if self.spool.pending():
                # Keep arrival order: behind what the spool already holds.
                if batches:
                    self.spool.append([_encode(batch) for batch in batches])
                if time.monotonic() >= self._next_retry:
                    self._replay_spool()
                return count
            if not batches:
                self._persist_counters_only()
                return 0
            try:
                self._write_isolating_bad_readings(batches)
            except DatabaseUnavailable as error:
                self._database_down(error)
                self.spool.append([_encode(batch) for batch in batches])
                log.info("spooled %d readings to %s", count, self.spool.path)
            return count

    def close(self) -> None:
        with self._lock:
            self.flush()
            if self.spool.pending():
                self._replay_spool()

    # -- database -----------------------------------------------------------------------------

    def _database_down(self, error: BaseException) -> None:
        if self.database_up:
            log.warning("database unavailable, spooling readings: %s", str(error).splitlines()[0][:200])
        self.database_up = False
        self._next_retry = time.monotonic() + self.retry_seconds

    def _database_back(self) -> None:
        if not self.database_up:
            log.warning("database available again")
        self.database_up = True

    def _replay_spool(self) -> None:
        """Write spooled lines in order; the committed offset moves after each database commit."""
        offset = self.spool.committed()
        replayed = 0
        while True:
            lines, ends = self.spool.read_from(offset, 64)
            if not lines:
                break
            batches = [self._decode_line(line) for line in lines]
            try:
                self._write_isolating_bad_readings(batches)
            except DatabaseUnavailable as error:
                self._database_down(error)
                return
            offset = ends[-1]
            self.spool.commit(offset)
            replayed += sum(len(b.readings) for b in batches)
        if replayed:
            log.info("replayed %d spooled readings", replayed)
        self.spool.reset_if_drained()

    def _decode_line(self, line: bytes) -> _Batch:
        payload = json.loads(line)
        source = self._sources.get(payload["s"]) or self.source(payload["s"], "spool", payload["k"])
        readings = [RawReading(ref, register, int(ts), float(value), unit)
                    for ref, register, ts, value, unit in payload["r"]]  # fmt: skip
        return _Batch(source, readings, payload.get("h", {}))

    def _write(self, batches: list[_Batch]) -> None:
        """One transaction: resolve meters, check HAN consent, insert, add counters.

        Counters change in memory only after the commit, so a failed attempt is not counted twice.
        """
        since: dict[int, int] = {}
        tallies: dict[str, list[int]] = {}  # source -> [stored, rejected, unknown, newest ts]
        try:
            with self.engine.begin() as connection:
                if not self._directory_loaded:
                    self.meters.load(connection)
                    self._directory_loaded = True
                rows: list[ReadingRow] = []
                for batch in batches:
                    source = batch.source
                    tally = tallies.setdefault(source.name, [0, 0, 0, 0])
                    allowed = self._han_meters(connection, source) if source.reading_source == "han" else None
                    kind = source.reading_source
                    for reading in batch.readings:
                        meter_id = self.meters.resolve(connection, reading.meter_ref,
                                                       batch.hints.get(reading.meter_ref))  # fmt: skip
                        if meter_id is None:
                            tally[1] += 1
                            if self.meters.note_unknown(reading.meter_ref):
                                tally[2] += 1
                                log.warning("%s: unknown meter %r, its readings are not stored",
                                            source.name, reading.meter_ref)  # fmt: skip
                            continue
                        if allowed is not None and meter_id not in allowed:
                            # HAN data is stored only for the customer who connected the reader.
                            tally[1] += 1
                            continue
                        ts = reading.ts
                        rows.append((meter_id, reading.register, ts, reading.value, reading.unit, kind))
                        tally[0] += 1
                        if ts > tally[3]:
                            tally[3] = ts
                        if ts < since.get(meter_id, ts + 1):
                            since[meter_id] = ts
                insert_readings(connection, rows)
                now = datetime.now(UTC)
                marks = self._persist_counters(connection, now, tallies)
        except (OperationalError, OSError) as error:
            raise DatabaseUnavailable(str(error)) from error
        except DBAPIError as error:
            if error.connection_invalidated:
                raise DatabaseUnavailable(str(error)) from error
            raise _UnstorableReadings(str(error)) from error
        except Exception as error:
            # insert_readings uses the driver's cursor: its errors arrive unwrapped.
            self._raise_driver_error(error)
        self._apply_tallies(tallies, now, marks)
        self._database_back()
        if self._refresh is not None and since:
            self._refresh_consumption(since)

    def _raise_driver_error(self, error: Exception) -> NoReturn:
        driver = self.engine.dialect.dbapi
        if driver is None or not isinstance(error, driver.Error):
            raise error
        if isinstance(error, (driver.OperationalError, driver.InterfaceError)):
            raise DatabaseUnavailable(str(error)) from error
        raise _UnstorableReadings(str(error)) from error

    def _write_isolating_bad_readings(self, batches: list[_Batch]) -> None:
        """`_write`; when the database refuses something, the same in halves until each refused
        reading is alone and set aside: one bad row never drops the readings it came with."""
        try:
            self._write(batches)
            return
        except _UnstorableReadings as error:
            if sum(len(batch.readings) for batch in batches) <= 1:
                self._set_aside_refused(batches, error)
                return
        first, second = _halves(batches)
        self._write_isolating_bad_readings(first)
        self._write_isolating_bad_readings(second)

    def _set_aside_refused(self, batches: list[_Batch], error: _UnstorableReadings) -> None:
        for batch in batches:
            for reading in batch.readings:
                reason = str(error).splitlines()[0][:120]
                message = (f"reading refused by the database: {reading.meter_ref} {reading.register} "
                           f"at {reading.ts}: {reason}")  # fmt: skip
                log.warning("%s: %s", batch.source.name, message)
                with batch.source._lock:
                    batch.source.readings_rejected += 1
                    batch.source.last_error = message[:200]

    def _apply_tallies(self, tallies: dict[str, list[int]], now: datetime,
                       marks: list[tuple[SourceCounters, dict[str, int]]]) -> None:  # fmt: skip
        for name, (stored, rejected, unknown, newest) in tallies.items():
            source = self._sources[name]
            with source._lock:
                source.readings_stored += stored
                source.readings_rejected += rejected
                source.unknown_meters += unknown
                if newest:
                    source.lag_seconds = max(0.0, now.timestamp() - newest)
        for source, deltas in marks:
            source.mark_persisted(deltas)

    def _refresh_consumption(self, since: dict[int, int]) -> None:
        # Its own transaction: the readings are committed whatever the fold does, and the fold
        # can always be rebuilt from them.
        refresh = self._refresh
        assert refresh is not None
        try:
            with self.engine.begin() as connection:
                for meter_id, since_ts in since.items():
                    refresh(connection, meter_id, since_ts)
        except Exception:
            log.exception("refreshing consumption failed for meters %s", sorted(since)[:10])

    def _han_meters(self, connection: Connection, source: SourceCounters) -> frozenset[int]:
        cached = self._han_consents.get(source.name)
        if cached is not None and time.monotonic() - cached[0] < 60:
            return cached[1]
        ids = frozenset(
            connection.execute(
                text("SELECT meter_id FROM han_reader WHERE reader_id = :reader AND revoked_at IS NULL"),
                {"reader": source.name},
            ).scalars()
        )
        self._han_consents[source.name] = (time.monotonic(), ids)
        return ids

    def _persist_counters_only(self) -> None:
        if not self.database_up and time.monotonic() < self._next_retry:
            return
        try:
            with self.engine.begin() as connection:
                marks = self._persist_counters(connection, datetime.now(UTC), {})
        except (OperationalError, OSError):
            return
        for source, deltas in marks:
            source.mark_persisted(deltas)

    def _persist_counters(
        self, connection: Connection, now: datetime, tallies: dict[str, list[int]]
    ) -> list[tuple[SourceCounters, dict[str, int]]]:
        """Add each source's counter deltas (plus this batch's tallies) to its row."""
        marks = []
        for source in list(self._sources.values()):
            deltas = source.deltas()
            stored, rejected, unknown, newest = tallies.get(source.name, (0, 0, 0, 0))
            lag = max(0.0, now.timestamp() - newest) if newest else source.lag_seconds
            params = {
                "name": source.name, "kind": source.kind[:16], "reading_source": source.reading_source,
                "state": source.state[:32], "last_error": source.last_error[:200],
                "last_frame_at": source.last_frame_at, "lag": lag, "now": now, **deltas,
            }  # fmt: skip
            params["readings_stored"] += stored
            params["readings_rejected"] += rejected
            params["unknown_meters"] += unknown
            updated = connection.execute(
                text(
                    "UPDATE ingest_source SET kind = :kind, reading_source = :reading_source, "
                    "state = :state, "
                    "last_error = :last_error, last_frame_at = COALESCE(:last_frame_at, last_frame_at), "
                    "frames_ok = frames_ok + :frames_ok, frames_bad = frames_bad + :frames_bad, "
                    "frames_refused = frames_refused + :frames_refused, "
                    "readings_stored = readings_stored + :readings_stored, "
                    "readings_rejected = readings_rejected + :readings_rejected, "
                    "unknown_meters = unknown_meters + :unknown_meters, "
                    "lag_seconds = COALESCE(:lag, lag_seconds), updated_at = :now WHERE name = :name"
                ),
                params,
            ).rowcount
            if not updated:
                connection.execute(
                    text(
                        "INSERT INTO ingest_source (name, kind, reading_source, state, last_error, "
                        "last_frame_at, frames_ok, frames_bad, frames_refused, readings_stored, "
                        "readings_rejected, unknown_meters, lag_seconds, updated_at) VALUES (:name, :kind, "
                        ":reading_source, :state, :last_error, :last_frame_at, :frames_ok, :frames_bad, "
                        ":frames_refused, :readings_stored, "
                        ":readings_rejected, :unknown_meters, :lag, :now)"
                    ),
                    params,
                )
            # The batch's tallies are added to the counters after the commit, and so are persisted.
            deltas = {**deltas, "readings_stored": deltas["readings_stored"] + stored,
                      "readings_rejected": deltas["readings_rejected"] + rejected,
                      "unknown_meters": deltas["unknown_meters"] + unknown}  # fmt: skip
            marks.append((source, deltas))
        return marks
