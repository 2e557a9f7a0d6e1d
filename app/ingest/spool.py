"""The local spool: readings the database could not take yet, appended and fsync'ed, each line
signed (HMAC under the server secret) and re-validated on replay; a bad line is set aside."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.ingest.registers import RawReading
from app.ingest.source_counters import SourceCounters
from app.models import ReadingSource
from app.private_files import make_private, open_private, private_directory

log = logging.getLogger(__name__)


@dataclass
class SpoolBatch:
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
READING_KINDS = frozenset(kind.value for kind in ReadingSource)


class BadSpoolRecord(ValueError):
    """A spool line that is not the worker's own or does not hold valid readings: set aside."""


def record_tag(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, _RECORD_PURPOSE + body, hashlib.sha256).hexdigest().encode()


def encode_batch(batch: SpoolBatch, secret: bytes) -> bytes:
    payload = {
        "s": batch.source.name,
        "k": batch.source.reading_source,
        "r": [[r.meter_ref, r.register, r.ts, r.value, r.unit] for r in batch.readings],
    }
    if batch.hints:
        payload["h"] = batch.hints
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return record_tag(secret, body) + b" " + body + b"\n"


def verified_payload(line: bytes, secret: bytes) -> dict[str, Any]:
    """The JSON of a line this worker wrote, checked by its HMAC; BadSpoolRecord otherwise."""
    tag, separator, body = line.rstrip(b"\n").partition(b" ")
    if not separator or len(tag) != 64:
        raise BadSpoolRecord("no authentication tag")
    if not hmac.compare_digest(tag, record_tag(secret, body)):
        raise BadSpoolRecord("authentication tag does not match (not written by this worker, or altered)")
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadSpoolRecord("not JSON") from None
    if not isinstance(payload, dict):
        raise BadSpoolRecord("not a JSON object")
    return payload


def checked_text(value: Any, longest: int, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > longest:
        raise BadSpoolRecord(f"bad {what}")
    return value


def spooled_reading(item: Any) -> RawReading:
    if not isinstance(item, list) or len(item) != 5:
        raise BadSpoolRecord("a reading is not [meter, register, ts, value, unit]")
    ref, register, ts, value, unit = item
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 <= ts < 2**40:
        raise BadSpoolRecord("bad reading time")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise BadSpoolRecord("a reading value is not a finite number")
    if not isinstance(unit, str) or len(unit) > 8:
        raise BadSpoolRecord("bad unit")
    meter, register_code = checked_text(ref, 120, "meter"), checked_text(register, 32, "register")
    return RawReading(meter, register_code, ts, float(value), unit)


def spooled_hints(hints: Any) -> dict[str, dict[str, str]]:
    if not isinstance(hints, dict) or not all(
        isinstance(ref, str)
        and isinstance(hint, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in hint.items())
        for ref, hint in hints.items()
    ):
        raise BadSpoolRecord("bad meter hints")
    return hints
