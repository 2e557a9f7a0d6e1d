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
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from app.clock import utcnow
from app.ingest.registers import RawReading
from app.models import Medium, ReadingSource
from app.private_files import make_private, open_private, private_directory
from app.services.readings import ReadingRow, insert_readings
from app.services.server_secret import server_secret

log = logging.getLogger(__name__)

# Brings the charts' hourly values and roll-ups of one meter up to date from a time on:
# (connection, meter_id, since_ts). The worker's entry points pass
# app.services.customer.consumption.rollups.refresh_consumption; tests of storage alone pass none.
RefreshConsumption = Callable[[Connection, int, int], Any]


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
    _persisted: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def frame_ok(self, at: datetime | None = None) -> None:
        with self._lock:
            self.frames_ok += 1
            self.last_frame_at = at or utcnow()

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
                "readings_duplicate": self.readings_duplicate, "unknown_meters": self.unknown_meters,
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
                "now": utcnow(),
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
    """An append-only file of batches (one signed JSON line each) and the offset committed to the
    database. Private to the worker's OS user: files 0600 in a 0700 directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset_path = path.with_suffix(path.suffix + ".offset")
        # Records the replay refused, kept for an operator to look at (never replayed).
        self.set_aside_path = path.with_suffix(path.suffix + ".rejected")
        private_directory(path.parent, tighten=True)
        for own in (path, self.offset_path, self.set_aside_path):
            make_private(own)
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
        _append_private(self.path, b"".join(lines))

    def set_aside(self, line: bytes) -> None:
        _append_private(self.set_aside_path, line if line.endswith(b"\n") else line + b"\n")

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
        with os.fdopen(open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w") as handle:
            handle.write(str(offset))
        os.replace(temporary, self.offset_path)

    def reset_if_drained(self) -> None:
        if self.size() and self.committed() == self.size():
            # Truncate first: an offset beyond the end of the file reads as 0.
            with self.path.open("rb+") as handle:
                handle.truncate(0)
            self.commit(0)


def _append_private(path: Path, data: bytes) -> None:
    descriptor = open_private(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    with os.fdopen(descriptor, "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# -- spool records: `<HMAC-SHA256 hex> <JSON>`, the HMAC under the server secret ---------------------

_RECORD_PURPOSE = b"meterportal ingest spool v1\x00"
_READING_KINDS = frozenset(kind.value for kind in ReadingSource)


class BadSpoolRecord(ValueError):
    """A spool line that is not the worker's own or does not hold valid readings: set aside."""


def _record_tag(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, _RECORD_PURPOSE + body, hashlib.sha256).hexdigest().encode()


def _encode(batch: _Batch, secret: bytes) -> bytes:
    payload = {
        "s": batch.source.name,
        "k": batch.source.reading_source,
        "r": [[r.meter_ref, r.register, r.ts, r.value, r.unit] for r in batch.readings],
    }
    if batch.hints:
        payload["h"] = batch.hints
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return _record_tag(secret, body) + b" " + body + b"\n"


def _verified_payload(line: bytes, secret: bytes) -> dict[str, Any]:
    """The JSON of a line this worker wrote, checked by its HMAC; BadSpoolRecord otherwise."""
    tag, separator, body = line.rstrip(b"\n").partition(b" ")
    if not separator or len(tag) != 64:
        raise BadSpoolRecord("no authentication tag")
    if not hmac.compare_digest(tag, _record_tag(secret, body)):
        raise BadSpoolRecord("authentication tag does not match (not written by this worker, or altered)")
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadSpoolRecord("not JSON") from None
    if not isinstance(payload, dict):
        raise BadSpoolRecord("not a JSON object")
    return payload


def _text(value: Any, longest: int, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > longest:
        raise BadSpoolRecord(f"bad {what}")
    return value


def _spooled_reading(item: Any) -> RawReading:
    if not isinstance(item, list) or len(item) != 5:
        raise BadSpoolRecord("a reading is not [meter, register, ts, value, unit]")
    ref, register, ts, value, unit = item
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 <= ts < 2**40:
        raise BadSpoolRecord("bad reading time")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise BadSpoolRecord("a reading value is not a finite number")
    if not isinstance(unit, str) or len(unit) > 8:
        raise BadSpoolRecord("bad unit")
    return RawReading(_text(ref, 120, "meter"), _text(register, 32, "register"), ts, float(value), unit)


def _spooled_hints(hints: Any) -> dict[str, dict[str, str]]:
    if not isinstance(hints, dict) or not all(
        isinstance(ref, str) and isinstance(hint, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in hint.items())
        for ref, hint in hints.items()
    ):  # fmt: skip
        raise BadSpoolRecord("bad meter hints")
    return hints


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
        refresh: RefreshConsumption | None = None,
        spool_secret: bytes | None = None,
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
                    self.spool.append([_encode(batch, self._spool_secret) for batch in batches])
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
                self.spool.append([_encode(batch, self._spool_secret) for batch in batches])
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
        if replayed:
            log.info("replayed %d spooled readings", replayed)
        self.spool.reset_if_drained()

    def _decode_lines(self, lines: list[bytes], ends: list[int]) -> tuple[list[_Batch], list[tuple]]:
        """The batches of valid records, and (line, its offset, reason) of those to set aside."""
        batches: list[_Batch] = []
        refused: list[tuple[bytes, int, str]] = []
        for line, end in zip(lines, ends, strict=True):
            try:
                batches.append(self._decode_line(line))
            except BadSpoolRecord as error:
                refused.append((line, end - len(line), str(error)))
        return batches, refused

    def _decode_line(self, line: bytes) -> _Batch:
        """A spooled batch, re-validated: the record must carry this worker's HMAC and hold
        well-formed, finite readings of a known kind, the kind its source still reads."""
        payload = _verified_payload(line, self._spool_secret)
        name = _text(payload.get("s"), 120, "source name")
        kind = payload.get("k")
        if kind not in _READING_KINDS:
            raise BadSpoolRecord(f"unknown kind of readings {str(kind)[:20]!r}")
        items = payload.get("r")
        if not isinstance(items, list) or not items:
            raise BadSpoolRecord("no readings")
        readings = [_spooled_reading(item) for item in items]
        hints = _spooled_hints(payload.get("h", {}))
        source = self._sources.get(name)
        if source is not None and source.reading_source != kind:
            # e.g. spooled as HAN data, now read as billing-grade: never relabel readings.
            raise BadSpoolRecord(f"{kind} readings for {name}, which now reads {source.reading_source}")
        source = source or self.source(name, "spool", kind)
        return _Batch(source, readings, hints)

    def _set_aside(self, refused: list[tuple[bytes, int, str]]) -> None:
        for line, offset, reason in refused:
            self.spool.set_aside(line)
            self.spool_records_set_aside += 1
            log.warning("spool %s: record at byte %d set aside in %s: %s",
                        self.spool.path, offset, self.spool.set_aside_path, reason)  # fmt: skip

    def _write(self, batches: list[_Batch]) -> None:
        """One transaction: resolve meters, check HAN consent, insert, add counters.

        Counters change in memory only after the commit, so a failed attempt is not counted twice.
        """
        since: dict[int, int] = {}
        # source -> [stored, rejected, unknown, newest ts, duplicate]
        tallies: dict[str, list[int]] = {}
        try:
            with self.engine.begin() as connection:
                if not self._directory_loaded:
                    self.meters.load(connection)
                    self._directory_loaded = True
                rows_by_source: dict[str, list[ReadingRow]] = {}
                for batch in batches:
                    source = batch.source
                    tally = tallies.setdefault(source.name, [0, 0, 0, 0, 0])
                    rows = rows_by_source.setdefault(source.name, [])
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
                marks = self._persist_counters(connection, utcnow(), {})
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
            stored, rejected, unknown, newest, duplicate = tallies.get(source.name, (0, 0, 0, 0, 0))
            lag = max(0.0, now.timestamp() - newest) if newest else source.lag_seconds
            params = {
                "name": source.name, "kind": source.kind[:16], "reading_source": source.reading_source,
                "state": source.state[:32], "last_error": source.last_error[:200],
                "last_frame_at": source.last_frame_at, "lag": lag, "now": now, **deltas,
            }  # fmt: skip
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
                    "lag_seconds = COALESCE(:lag, lag_seconds), updated_at = :now WHERE name = :name"
                ),
                params,
            ).rowcount
            if not updated:
                connection.execute(
                    text(
                        "INSERT INTO ingest_source (name, kind, reading_source, state, last_error, "
                        "last_frame_at, frames_ok, frames_bad, frames_refused, readings_stored, "
                        "readings_rejected, readings_duplicate, unknown_meters, lag_seconds, updated_at) "
                        "VALUES (:name, :kind, :reading_source, :state, :last_error, :last_frame_at, "
                        ":frames_ok, :frames_bad, :frames_refused, :readings_stored, :readings_rejected, "
                        ":readings_duplicate, :unknown_meters, :lag, :now)"
                    ),
                    params,
                )
            # The batch's tallies are added to the counters after the commit, and so are persisted.
            deltas = {**deltas, "readings_stored": deltas["readings_stored"] + stored,
                      "readings_rejected": deltas["readings_rejected"] + rejected,
                      "readings_duplicate": deltas["readings_duplicate"] + duplicate,
                      "unknown_meters": deltas["unknown_meters"] + unknown}  # fmt: skip
            marks.append((source, deltas))
        return marks
