"""Files: a captured HAN/P1 byte stream, wireless M-Bus telegrams as hex lines, and the hourly CSV
files grid companies exchange.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import text

from app.config import settings
from app.ingest.registers import RawReading
from app.ingest.store import ReadingStore, SourceCounters
from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)
CHUNK = 4096
HOUR = 3600
ENERGY_REGISTER = "1-0:1.8.0"


def replay_stream(path: Path, pipeline: FramePipeline, protocol: str = "auto") -> int:
    """Feed a captured serial byte stream through the pipeline in port-sized chunks.

    The capture is streamed, never read whole: memory stays flat whatever its size.
    """
    with path.open("rb") as handle:
        if protocol == "auto":
            protocol = detect_capture_protocol(handle)
            handle.seek(0)
        if protocol == "hex":
            return feed_hex_lines(capture_lines(handle), pipeline)
        feed = pipeline.feed_p1 if protocol == "p1" else pipeline.feed_hdlc
        queued = 0
        while chunk := handle.read(CHUNK):
            queued += feed(chunk)
            pipeline.store.flush_due()
        return queued


# How far into a capture its format is looked for, and the longest line a hex capture may have
# (a wireless M-Bus telegram is at most 256 bytes, 512 hex digits, plus a receiver's prefix).
DETECT_BYTES = 65_536
MAX_LINE = 8_192


def detect_capture_protocol(handle: BinaryIO) -> str:
    """`p1`, `hex` or `han`, from the first non-blank line within DETECT_BYTES of the start."""
    scanned = 0
    while scanned < DETECT_BYTES:
        line = handle.readline(DETECT_BYTES - scanned)
        if not line:
            break
        scanned += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[:1] == b"/":
            return "p1"
        return "hex" if telegram_from_line(stripped.decode("ascii", "replace")) is not None else "han"
    return "han"


def capture_lines(handle: BinaryIO) -> Iterator[str]:
    """The lines of a capture as text, each cut at MAX_LINE (the rest of an overlong line is
    skipped): a file without line ends is never held whole."""
    while line := handle.readline(MAX_LINE):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
        yield line.decode("ascii", "replace")


_HEX_TOKEN = re.compile(r"(?:0x)?([0-9A-Fa-f_|]{24,})")


def telegram_from_line(line: str) -> bytes | None:
    """The telegram in a receiver's log line: bare hex, `0x…`, rtl-wmbus `T1;…;0x…`, or wmbusmeters
    `telegram=|…|` (the `_` and `|` separators are dropped)."""
    candidates = _HEX_TOKEN.findall(line)
    if not candidates:
        return None
    token = max(candidates, key=len).replace("_", "").replace("|", "")
    if len(token) % 2:
        return None
    try:
        return bytes.fromhex(token)
    except ValueError:
        return None


def feed_hex_lines(lines: Iterable[str], pipeline: FramePipeline) -> int:
    """Wireless M-Bus (or any) telegrams, one per line; comments and blank lines skipped."""
    queued = 0
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        telegram = telegram_from_line(stripped)
        if telegram is None:
            pipeline.source.frame_bad("no telegram on the line")
            continue
        queued += pipeline.handle_frame(telegram)
        pipeline.store.flush_due()
    return queued


# -- hourly CSV ---------------------------------------------------------------------------------


class CsvFormatError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class HourlyValue:
    meter: str
    hour_start: int  # UTC epoch seconds
    kwh: float


def parse_hourly_csv(text_content: str, zone: ZoneInfo | None = None) -> Iterator[HourlyValue]:
    """Rows `meter,timestamp,kWh` (`;` also accepted, decimal comma too); a header row is optional.

    The timestamp is the start of the hour, ISO 8601; without an offset it is local time.
    """
    zone = zone or ZoneInfo(settings.timezone)
    first = text_content.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    for number, row in enumerate(
        csv.reader(io.StringIO(text_content.lstrip("\ufeff")), delimiter=delimiter), 1
    ):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            raise CsvFormatError(f"line {number}: expected meter, timestamp, kWh")
        meter, stamp, amount = (cell.strip() for cell in row[:3])
        if number == 1 and not any(ch.isdigit() for ch in amount):
            continue  # header
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            kwh = float(amount.replace(",", "."))
        except ValueError:
            raise CsvFormatError(f"line {number}: bad timestamp or kWh value") from None
        if not math.isfinite(kwh):
            raise CsvFormatError(f"line {number}: the kWh value is not a finite number")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        yield HourlyValue(meter, int(moment.astimezone(UTC).timestamp()), kwh)


def import_hourly_csv(path: Path, store: ReadingStore, source: SourceCounters) -> int:
    """Hourly values folded into the cumulative import register, idempotently.

    The register is anchored at the meter's stored value at the first hour's start (or its latest
    value before it, or 0 for a meter without readings); each hour's kWh then adds up to the
    value at the end of that hour. Importing the same file again stores nothing new.
    """
    by_meter: dict[str, list[HourlyValue]] = {}
    for value in parse_hourly_csv(path.read_text(encoding="utf-8")):
        by_meter.setdefault(value.meter, []).append(value)
    queued = 0
    with store.engine.connect() as connection:
        store.meters.load(connection)
        for meter, values in by_meter.items():
            values.sort(key=lambda v: v.hour_start)
            meter_id = store.meters.resolve(connection, meter)
            first = values[0].hour_start
            anchor = None
            if meter_id is not None:
                anchor = connection.execute(
                    text("SELECT value FROM reading WHERE meter_id = :m AND register_code = :r AND ts <= :t "
                         "AND source = :s ORDER BY ts DESC LIMIT 1"),
                    {"m": meter_id, "r": ENERGY_REGISTER, "t": first, "s": source.reading_source},
                ).scalar()  # fmt: skip
            total = float(anchor or 0.0)
            readings = [RawReading(meter, ENERGY_REGISTER, first, round(total, 6), "kWh")]
            for value in values:
                total += value.kwh
                readings.append(
                    RawReading(meter, ENERGY_REGISTER, value.hour_start + HOUR, round(total, 6), "kWh")
                )
                source.frame_ok()
            store.submit(source, readings)
            queued += len(readings)
    store.flush()
    return queued
