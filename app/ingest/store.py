"""Storing what the worker decodes: batched, idempotent, and nothing acknowledged is ever lost.

A batch is acknowledged once it is committed to the database, or, when the database cannot take
it, once it is appended and fsync'ed to the local spool file. While the spool holds anything,
new batches go behind it so that the database sees readings in arrival order; the spool is
replayed from a committed offset, and the offset moves only after the database committed the
lines before it. A crash anywhere replays at most some lines twice, which the unique
(meter, register, ts, source) key makes harmless.

Counters say what happened to each reading: stored (written now), duplicate (already stored,
so nothing was written) or rejected (unknown meter, no HAN consent).

The spool is trusted no more than the network: each line carries an HMAC under the server secret
and is re-validated on replay (well-formed, finite readings of a known kind, the kind its source
still reads); a line that fails is set aside in `<spool>.rejected` with a log message and the
replay goes on. Spool files are 0600 in a 0700 folder.

Over 400 lines on purpose: it is one class, ReadingStore, whose write, spool replay and counter
paths share one lock and one view of whether the database is up; the spool file, the counters
and the meter directory it uses are modules of their own (spool.py, source_counters.py,
meter_directory.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from app.clock import utcnow
from app.ingest.meter_directory import MeterDirectory
from app.ingest.registers import RawReading
from app.ingest.source_counters import SourceCounters
from app.ingest.spool import (
    READING_KINDS,
    BadSpoolRecord,
    Spool,
    SpoolBatch,
    checked_text,
    encode_batch,
    spooled_hints,
    spooled_reading,
    verified_payload,
)
from app.models import BILLING_GRADE_SOURCES, ReadingSource
from app.services.readings import ReadingRow, UnknownMeterIds, insert_readings
from app.services.server_secret import server_secret

log = logging.getLogger(__name__)

__all__ = ["DatabaseUnavailable", "MeterDirectory", "ReadingStore", "SourceCounters", "Spool"]

# Brings the charts' hourly values and roll-ups of one meter up to date from a time on:
# (connection, meter_id, since_ts). The worker's entry points pass
# app.services.consumption.rollups.refresh_consumption; tests of storage alone pass none.
RefreshConsumption = Callable[[Connection, int, int], Any]


class DatabaseUnavailable(Exception):
    pass


class _UnstorableReadings(Exception):
    """The database refused the data (a constraint, a value it cannot hold), not the connection."""


def _halves(batches: list[SpoolBatch]) -> tuple[list[SpoolBatch], list[SpoolBatch]]:
    """The readings of `batches` split in two at the middle, each half keeping its batches' source."""
    middle = sum(len(batch.readings) for batch in batches) // 2
    first: list[SpoolBatch] = []
    second: list[SpoolBatch] = []
    seen = 0
    for batch in batches:
        cut = max(0, min(len(batch.readings), middle - seen))
        seen += len(batch.readings)
        if cut:
            first.append(SpoolBatch(batch.source, batch.readings[:cut], batch.hints))
        if cut < len(batch.readings):
            second.append(SpoolBatch(batch.source, batch.readings[cut:], batch.hints))
    return first, second


def _meter_hints(batches: list[SpoolBatch]) -> dict[str, dict[str, str]]:
    """Every meter the batches name, with what its frames said about it (maker, model, medium)."""
    hints: dict[str, dict[str, str]] = {}
    for batch in batches:
        for reading in batch.readings:
            hints.setdefault(reading.meter_ref, batch.hints.get(reading.meter_ref) or {})
    return hints


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
        refresh: RefreshConsumption | None = None,
        spool_secret: bytes | None = None,
        heartbeat_seconds: float | None = None,
    ) -> None:
        self.engine = engine
        self.spool = Spool(spool_path)
        # Spool records are signed with it, so a line written by anyone else is never replayed.
        self._spool_secret = spool_secret if spool_secret is not None else server_secret()
        self.spool_records_set_aside = 0
        self.meters = MeterDirectory(auto_create=auto_create_meters)
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.retry_seconds = retry_seconds
        self._refresh = refresh
        self._pending: list[SpoolBatch] = []
        self._pending_count = 0
        # Readings ever submitted, and how many of the first of them are acknowledged (committed
        # or spooled): a source acknowledges its messages upstream by these marks.
        self._submitted_total = 0
        self._acknowledged_total = 0
        self._oldest = 0.0
        self._next_retry = 0.0
        self._lock = threading.RLock()
        self._sources: dict[str, SourceCounters] = {}
        self._han_consents: dict[str, tuple[float, frozenset[int]]] = {}
        self._directory_loaded = False
        self.database_up = True
        # The last time the database could not be reached, shown on the status page.
        self.outage_started_at: datetime | None = None
        self.outage_ended_at: datetime | None = None
        # Idle, the counters are still written this often, so a silent worker stands out.
        self.heartbeat_seconds = heartbeat_seconds
        self._last_report = time.monotonic()
        # Readings fsync'ed to the spool and not yet in the database.
        self.spool_depth = self._spooled_readings()

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
        self,
        source: SourceCounters,
        readings: Iterable[RawReading],
        hints: dict[str, dict[str, str]] | None = None,
    ) -> int:
        """Queue readings; returns how many were acknowledged by a flush this call triggered."""
        readings = list(readings)
        if not readings:
            return 0
        with self._lock:
            pending = self._pending
            if not pending:
                self._oldest = time.monotonic()
            last = pending[-1] if pending else None
            if last is not None and last.source is source:
                # A stream's frames one after another make one batch, not one per frame: the
                # write loops, the spool lines and the tallies go per batch (issue 25).
                last.readings.extend(readings)
                if hints:
                    for ref, hint in hints.items():
                        last.hints.setdefault(ref, hint)  # as _meter_hints: the first hint holds
            else:
                pending.append(SpoolBatch(source, readings, dict(hints) if hints else {}))
            self._pending_count += len(readings)
            self._submitted_total += len(readings)
            if self._pending_count >= self.batch_size:
                return self.flush()
        return 0

    def flush_due(self) -> int:
        """Flush when the oldest queued reading has waited `flush_seconds`, or retry the spool,
        or report the counters when a heartbeat is due."""
        with self._lock:
            now = time.monotonic()
            if self._pending and now - self._oldest >= self.flush_seconds:
                return self.flush()
            if not self._pending and self.spool.pending():
                if now >= self._next_retry:
                    self._replay_spool()
            elif (
                not self._pending
                and self.heartbeat_seconds is not None
                and now - self._last_report >= self.heartbeat_seconds
            ):
                self._persist_counters_only()
            return 0

    def unacknowledged(self) -> int:
        """Readings submitted and neither committed nor spooled yet (waits for a flush under way)."""
        with self._lock:
            return self._pending_count

    def submitted_mark(self) -> int:
        """How many readings have been submitted so far: a mark to compare with `acknowledged_mark`."""
        with self._lock:
            return self._submitted_total

    def acknowledged_mark(self) -> int:
        """Every reading submitted up to this mark is committed or fsync'ed to the spool."""
        with self._lock:
            return self._acknowledged_total

    def replay_spool(self) -> None:
        """What an earlier run spooled, written first (a worker calls it before it takes new data)."""
        with self._lock:
            if self.spool.pending():
                self._replay_spool()

    def _spooled_readings(self) -> int:
        count = 0
        if not self.spool.pending():
            return 0
        offset = self.spool.committed()
        while True:
            lines, ends = self.spool.read_from(offset, 256)
            if not lines:
                return count
            for line in lines:
                try:
                    count += len(verified_payload(line, self._spool_secret).get("r") or ())
                except BadSpoolRecord:
                    continue
            offset = ends[-1]

    def flush(self) -> int:
        """Write what is queued; returns the number of readings acknowledged (stored or spooled)."""
        with self._lock:
            batches, self._pending = self._pending, []
            count, self._pending_count = self._pending_count, 0
            upto = self._submitted_total
            acknowledged = self._flush(batches, count)
            self._acknowledged_total = upto
            return acknowledged

    def _flush(self, batches: list[SpoolBatch], count: int) -> int:
        with self._lock:
            if self.spool.pending():
                # Keep arrival order: behind what the spool already holds.
                if batches:
                    self.spool.append([encode_batch(batch, self._spool_secret) for batch in batches])
                    self.spool_depth += count
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
                self.spool.append([encode_batch(batch, self._spool_secret) for batch in batches])
                self.spool_depth += count
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
            self.outage_started_at, self.outage_ended_at = utcnow(), None
        self.database_up = False
        self._next_retry = time.monotonic() + self.retry_seconds

    def _database_back(self, at: datetime | None = None) -> None:
        if not self.database_up:
            log.warning("database available again")
            self.outage_ended_at = at or utcnow()
        self.database_up = True

    def _replay_spool(self) -> None:
        """Write spooled lines in order; the committed offset moves after each database commit."""
        offset = self.spool.committed()
        replayed = 0
        while True:
            lines, ends = self.spool.read_from(offset, 64)
            if not lines:
                break
            batches, refused = self._decode_lines(lines, ends)
            try:
                if batches:
                    self._write_isolating_bad_readings(batches)
            except DatabaseUnavailable as error:
                self._database_down(error)
                return
            self._set_aside(refused)
            offset = ends[-1]
            self.spool.commit(offset)
            replayed += sum(len(b.readings) for b in batches)
            self.spool_depth = max(0, self.spool_depth - sum(len(b.readings) for b in batches))
        if replayed:
            log.info("replayed %d spooled readings", replayed)
        self.spool.reset_if_drained()
        if not self.spool.pending():
            self.spool_depth = 0

    def _decode_lines(self, lines: list[bytes], ends: list[int]) -> tuple[list[SpoolBatch], list[tuple]]:
        """The batches of valid records, and (line, its offset, reason) of those to set aside."""
        batches: list[SpoolBatch] = []
        refused: list[tuple[bytes, int, str]] = []
        for line, end in zip(lines, ends, strict=True):
            try:
                batches.append(self._decode_line(line))
            except BadSpoolRecord as error:
                refused.append((line, end - len(line), str(error)))
        return batches, refused

    def _decode_line(self, line: bytes) -> SpoolBatch:
        """A spooled batch, re-validated: the record must carry this worker's HMAC and hold
        well-formed, finite readings of a known kind, the kind its source still reads."""
        payload = verified_payload(line, self._spool_secret)
        name = checked_text(payload.get("s"), 120, "source name")
        kind = payload.get("k")
        if kind not in READING_KINDS:
            raise BadSpoolRecord(f"unknown kind of readings {str(kind)[:20]!r}")
        items = payload.get("r")
        if not isinstance(items, list) or not items:
            raise BadSpoolRecord("no readings")
        readings = [spooled_reading(item) for item in items]
        hints = spooled_hints(payload.get("h", {}))
        source = self._sources.get(name)
        if source is not None and source.reading_source != kind:
            # e.g. spooled as HAN data, now read as billing-grade: never relabel readings.
            raise BadSpoolRecord(f"{kind} readings for {name}, which now reads {source.reading_source}")
        source = source or self.source(name, "spool", kind)
        return SpoolBatch(source, readings, hints)

    def _set_aside(self, refused: list[tuple[bytes, int, str]]) -> None:
        for line, offset, reason in refused:
            self.spool.set_aside(line)
            self.spool_records_set_aside += 1
            log.warning(
                "spool %s: record at byte %d set aside in %s: %s",
                self.spool.path,
                offset,
                self.spool.set_aside_path,
                reason,
            )

    def _write(self, batches: list[SpoolBatch]) -> None:
        """One transaction: resolve meters, check HAN consent, insert, add counters.

        Counters change in memory only after the commit, so a failed attempt is not counted twice.
        """
        since: dict[int, int] = {}
        # source -> [stored, rejected, unknown, newest ts, duplicate]
        tallies: dict[str, list[int]] = {}
        try:
            self.meters.create_missing(self.engine, _meter_hints(batches))
            with self.engine.begin() as connection:
                if not self._directory_loaded:
                    self.meters.load(connection)
                    self._directory_loaded = True
                rows_by_source: dict[str, list[ReadingRow]] = {}
                known = self.meters.known  # ref -> meter id, read without a call per reading
                for batch in batches:
                    source = batch.source
                    tally = tallies.setdefault(source.name, [0, 0, 0, 0, 0])
                    rows = rows_by_source.setdefault(source.name, [])
                    allowed = self._han_meters(connection, source) if source.reading_source == "han" else None
                    kind = source.reading_source
                    folded = kind in BILLING_GRADE_SOURCES
                    for reading in batch.readings:
                        meter_id = known.get(reading.meter_ref)
                        if meter_id is None:
                            meter_id = self.meters.resolve(connection, reading.meter_ref)
                            known = self.meters.known  # a resolve may read the table again
                        if meter_id is None:
                            tally[1] += 1
                            if self.meters.note_unknown(reading.meter_ref):
                                tally[2] += 1
                                log.warning(
                                    "%s: unknown meter %r, its readings are not stored",
                                    source.name,
                                    reading.meter_ref,
                                )
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
                        # Only billing-grade readings are folded into hourly values and roll-ups.
                        if folded and ts < since.get(meter_id, ts + 1):
                            since[meter_id] = ts
                for name, rows in rows_by_source.items():
                    # Count what was written, not what was sent: the rest was already stored.
                    written = insert_readings(connection, rows)
                    tallies[name][4] += tallies[name][0] - written
                    tallies[name][0] = written
                now = utcnow()
                marks = self._persist_counters(connection, now, tallies)
        except (OperationalError, OSError) as error:
            raise DatabaseUnavailable(str(error)) from error
        except DBAPIError as error:
            if error.connection_invalidated:
                raise DatabaseUnavailable(str(error)) from error
            raise _UnstorableReadings(str(error)) from error
        except UnknownMeterIds as error:
            # A cached meter id no longer in the table (deleted meanwhile): look again.
            self.meters.forget()
            raise _UnstorableReadings(str(error)) from error
        except Exception as error:
            # insert_readings uses the driver's cursor: its errors arrive unwrapped.
            self._raise_driver_error(error)
        self._apply_tallies(tallies, now, marks)
        self._database_back(now)
        if self._refresh is not None and since:
            self._refresh_consumption(since)

    def _raise_driver_error(self, error: Exception) -> NoReturn:
        driver = self.engine.dialect.dbapi
        if driver is None or not isinstance(error, driver.Error):
            raise error
        if isinstance(error, (driver.OperationalError, driver.InterfaceError)):
            raise DatabaseUnavailable(str(error)) from error
        raise _UnstorableReadings(str(error)) from error

    def _write_isolating_bad_readings(self, batches: list[SpoolBatch]) -> None:
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

    def _set_aside_refused(self, batches: list[SpoolBatch], error: _UnstorableReadings) -> None:
        for batch in batches:
            for reading in batch.readings:
                reason = str(error).splitlines()[0][:120]
                message = (
                    f"reading refused by the database: {reading.meter_ref} {reading.register} "
                    f"at {reading.ts}: {reason}"
                )
                log.warning("%s: %s", batch.source.name, message)
                with batch.source._lock:
                    batch.source.readings_rejected += 1
                    batch.source.last_error = message[:200]

    def _apply_tallies(
        self, tallies: dict[str, list[int]], now: datetime, marks: list[tuple[SourceCounters, dict[str, int]]]
    ) -> None:
        for name, (stored, rejected, unknown, newest, duplicate) in tallies.items():
            source = self._sources[name]
            with source._lock:
                source.readings_stored += stored
                source.readings_rejected += rejected
                source.readings_duplicate += duplicate
                source.unknown_meters += unknown
                if newest:
                    source.lag_seconds = max(0.0, now.timestamp() - newest)
        for source, deltas in marks:
            source.mark_persisted(deltas)

    def refresh_meters(self, since: dict[int, int]) -> None:
        """Bring the charts of these meters up to date from each one's time on (file imports)."""
        if self._refresh is not None and since:
            self._refresh_consumption(since)

    def _refresh_consumption(self, since: dict[int, int]) -> None:
        # A transaction per meter, after the readings' own: the readings are committed whatever
        # the fold does, and the fold can always be rebuilt from them. One meter at a time, a
        # worker holds one meter's roll-up lock at once (refresh_consumption takes it), so two
        # workers folding the same meters never wait on each other in a cycle.
        refresh = self._refresh
        assert refresh is not None
        failed: list[int] = []
        for meter_id in sorted(since):
            try:
                with self.engine.begin() as connection:
                    refresh(connection, meter_id, since[meter_id])
            except Exception:
                failed.append(meter_id)
                if len(failed) == 1:
                    log.exception("refreshing consumption failed for meter %s", meter_id)
        if len(failed) > 1:
            log.warning("refreshing consumption failed for %d meters, the first %s", len(failed), failed[:10])

    def _han_meters(self, connection: Connection, source: SourceCounters) -> frozenset[int]:
        reader = source.reader_id or source.name
        cached = self._han_consents.get(reader)
        if cached is not None and time.monotonic() - cached[0] < 60:
            return cached[1]
        ids = frozenset(
            connection.execute(
                text("SELECT meter_id FROM han_reader WHERE reader_id = :reader AND revoked_at IS NULL"),
                {"reader": reader},
            ).scalars()
        )
        self._han_consents[reader] = (time.monotonic(), ids)
        return ids

    def _persist_counters_only(self) -> None:
        if not self.database_up and time.monotonic() < self._next_retry:
            return
        now = utcnow()
        try:
            with self.engine.begin() as connection:
                marks = self._persist_counters(connection, now, {})
        except (OperationalError, OSError) as error:
            self._database_down(error)
            return
        except Exception as error:
            if not self._is_connection_error(error):
                raise
            self._database_down(error)
            return
        for source, deltas in marks:
            source.mark_persisted(deltas)
        if not self.spool.pending():
            self._database_back(now)

    def _is_connection_error(self, error: Exception) -> bool:
        driver = self.engine.dialect.dbapi
        if isinstance(error, DBAPIError):
            return bool(error.connection_invalidated)
        return driver is not None and isinstance(error, (driver.OperationalError, driver.InterfaceError))

    def _persist_counters(
        self, connection: Connection, now: datetime, tallies: dict[str, list[int]]
    ) -> list[tuple[SourceCounters, dict[str, int]]]:
        """Add each source's counter deltas (plus this batch's tallies) to its row."""
        marks = []
        self._last_report = time.monotonic()
        # Written by the first commit that works again: the outage ends with it.
        outage_ended = self.outage_ended_at
        if outage_ended is None and self.outage_started_at and not self.database_up:
            outage_ended = now
        for source in list(self._sources.values()):
            deltas = source.deltas()
            stored, rejected, unknown, newest, duplicate = tallies.get(source.name, (0, 0, 0, 0, 0))
            lag = max(0.0, now.timestamp() - newest) if newest else source.lag_seconds
            params = {
                "name": source.name,
                "kind": source.kind[:16],
                "reading_source": source.reading_source,
                "state": source.state[:32],
                "last_error": source.last_error[:200],
                "last_frame_at": source.last_frame_at,
                "lag": lag,
                "now": now,
                **deltas,
                "host": source.host[:120],
                "group_name": source.group_name[:120],
                "client_id": source.client_id[:120],
                "last_message_at": source.last_message_at,
                "spool_depth": self.spool_depth,
                "heartbeat": self.heartbeat_seconds,
                "outage_started": self.outage_started_at,
                "outage_ended": outage_ended,
            }
            params["readings_stored"] += stored
            params["readings_rejected"] += rejected
            params["readings_duplicate"] += duplicate
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
                    "readings_duplicate = readings_duplicate + :readings_duplicate, "
                    "unknown_meters = unknown_meters + :unknown_meters, "
                    "lag_seconds = COALESCE(:lag, lag_seconds), updated_at = :now, "
                    "host = :host, group_name = :group_name, client_id = :client_id, "
                    "messages = messages + :messages, "
                    "last_message_at = COALESCE(:last_message_at, last_message_at), "
                    "spool_depth = :spool_depth, heartbeat_seconds = :heartbeat, "
                    "outage_started_at = COALESCE(:outage_started, outage_started_at), "
                    "outage_ended_at = CASE WHEN :outage_started IS NULL THEN outage_ended_at "
                    "ELSE :outage_ended END "
                    "WHERE name = :name"
                ),
                params,
            ).rowcount
            if not updated:
                connection.execute(
                    text(
                        "INSERT INTO ingest_source (name, kind, reading_source, state, last_error, "
                        "last_frame_at, frames_ok, frames_bad, frames_refused, readings_stored, "
                        "readings_rejected, readings_duplicate, unknown_meters, lag_seconds, updated_at, "
                        "host, group_name, client_id, messages, last_message_at, spool_depth, "
                        "heartbeat_seconds, outage_started_at, outage_ended_at) "
                        "VALUES (:name, :kind, :reading_source, :state, :last_error, :last_frame_at, "
                        ":frames_ok, :frames_bad, :frames_refused, :readings_stored, :readings_rejected, "
                        ":readings_duplicate, :unknown_meters, :lag, :now, :host, :group_name, "
                        ":client_id, :messages, :last_message_at, :spool_depth, :heartbeat, "
                        ":outage_started, :outage_ended)"
                    ),
                    params,
                )
            # The batch's tallies are added to the counters after the commit, and so are persisted.
            deltas = {
                **deltas,
                "readings_stored": deltas["readings_stored"] + stored,
                "readings_rejected": deltas["readings_rejected"] + rejected,
                "readings_duplicate": deltas["readings_duplicate"] + duplicate,
                "unknown_meters": deltas["unknown_meters"] + unknown,
            }
            marks.append((source, deltas))
        return marks
