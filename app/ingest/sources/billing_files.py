"""Billing-grade history from files: hourly interval values and register readings.

Two kinds of data, kept as what they are:
- interval values (the energy of one hour), from `meter,timestamp,kWh[,status]` files or the
  layout grid companies exchange (`Målepunkt-ID;Fra;Til;Volum;Enhet;Kvalitet`), stored in
  `interval_reading`;
- register readings (the meter's cumulative value at an instant), from
  `meter,register,timestamp,value,unit[,status]` files, stored in `reading`.

Every line is validated on its own: a refused line is reported with its number and reason and
the other lines are still imported. Importing a file again stores nothing new. A value already
stored for the same hour (or instant) is kept when the new one is equal (a duplicate); a
measured value replaces an estimated one (reported as replaced); any other conflict is refused.
A gap in the file stays a gap, and a late file fills exactly its hours.

Times: ISO 8601 with an offset (or `Z`) are taken as they are. Plain local times are accepted
only where they name one instant: the hour the clocks go back is refused (unless the line's
"to" time settles which of the two it is), and so is the hour that does not exist in spring.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.config import settings
from app.ingest.store import ReadingStore, SourceCounters
from app.models import ReadingSource, ReadingStatus
from app.services.readings import insert_readings

HOUR = 3600
MEASURED, ESTIMATED = ReadingStatus.MEASURED.value, ReadingStatus.ESTIMATED.value
# The energy register an hourly value belongs to, by the meter's medium.
ENERGY_REGISTER = {"heat": "heat_energy"}
DEFAULT_ENERGY_REGISTER = "1-0:1.8.0"
_TO_KWH = {"kwh": 1.0, "wh": 0.001, "mwh": 1000.0}
_STATUS_WORDS = {
    "": MEASURED, "measured": MEASURED, "målt": MEASURED, "m": MEASURED, "ok": MEASURED,
    "estimated": ESTIMATED, "estimert": ESTIMATED, "e": ESTIMATED,
}  # fmt: skip
_MISSING_WORDS = {"missing", "mangler"}
_LOCAL_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                  "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")  # fmt: skip
# Stored values equal to this many kWh are the same value (the decimals files carry).
_SAME = 1e-6


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (no line could be)."""


class LineRefused(ValueError):
    pass


@dataclass
class ImportReport:
    stored: int = 0
    duplicates: int = 0
    replaced: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"stored {self.stored}, already stored {self.duplicates}, replaced {self.replaced} "
                f"(a measured value replaces an estimated one), refused {len(self.refused)}")  # fmt: skip


# -- times --------------------------------------------------------------------------------------


def _instants(stamp: str, zone: ZoneInfo) -> list[int]:
    """The UTC instants a timestamp can mean: one, two (the autumn hour) or none (the spring gap)."""
    stamp = stamp.strip()
    moment = None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        for layout in _LOCAL_FORMATS:
            try:
                moment = datetime.strptime(stamp, layout)
                break
            except ValueError:
                continue
    if moment is None:
        raise LineRefused(f"unreadable time {stamp!r} (ISO 8601 with offset, or dd.mm.yyyy HH:MM)")
    if moment.tzinfo is not None:
        return [int(moment.timestamp())]
    first = moment.replace(tzinfo=zone, fold=0)
    second = moment.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        return []  # skipped when the clocks went forward
    return sorted({int(first.timestamp()), int(second.timestamp())})


def instant(stamp: str, zone: ZoneInfo) -> int:
    """One UTC instant, or LineRefused naming why the local time does not give one."""
    found = _instants(stamp, zone)
    if not found:
        raise LineRefused(f"local time {stamp.strip()} does not exist (the clocks went forward); "
                          "give the time with its UTC offset")  # fmt: skip
    if len(found) > 1:
        raise LineRefused(f"local time {stamp.strip()} comes twice (the clocks went back); "
                          "give the time with its UTC offset, e.g. +02:00 or +01:00")  # fmt: skip
    return found[0]


def hour_between(start: str, end: str, zone: ZoneInfo) -> int:
    """The start of the hour from `start` to `end`: a pair of local times settles an ambiguous one."""
    starts, ends = _instants(start, zone), _instants(end, zone)
    if not starts:
        return instant(start, zone)  # raises with the reason
    if not ends:
        return instant(end, zone)
    pairs = {(s, e) for s in starts for e in ends if e - s == HOUR}
    if len(pairs) == 1:
        return next(iter(pairs))[0]
    if len(starts) > 1 or len(ends) > 1:
        return instant(start if len(starts) > 1 else end, zone)  # raises: ambiguous
    raise LineRefused(f"{start.strip()} to {end.strip()} is not one hour; only hourly values are accepted")


# -- lines --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntervalLine:
    line: int
    meter: str
    start: int  # UTC epoch seconds
    kwh: float
    status: str


@dataclass(frozen=True, slots=True)
class RegisterLine:
    line: int
    meter: str
    register: str
    ts: int
    value: float
    unit: str
    status: str


def _rows(content: str) -> Iterator[tuple[int, list[str]]]:
    content = content.lstrip("\ufeff")
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    for number, row in enumerate(csv.reader(io.StringIO(content), delimiter=delimiter), 1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        yield number, cells


def _number(text_value: str, what: str) -> float:
    try:
        value = float(text_value.replace(" ", "").replace(",", "."))
    except ValueError:
        raise LineRefused(f"{what} {text_value!r} is not a number") from None
    if not math.isfinite(value):
        raise LineRefused(f"{what} {text_value!r} is not a finite number")
    return value


def _status(word: str) -> str:
    status = _STATUS_WORDS.get(word.strip().lower())
    if status is None:
        raise LineRefused(f"status {word!r} is neither measured nor estimated")
    return status


def _is_header(number: int, cells: list[str], value_column: int) -> bool:
    return number == 1 and len(cells) > value_column and not any(ch.isdigit() for ch in cells[value_column])


def parse_interval_lines(
    content: str, zone: ZoneInfo, refused: list[tuple[int, str]]
) -> list[IntervalLine]:
    """Hourly values; refused lines are added to `refused` as (line, reason)."""
    out: list[IntervalLine] = []
    for number, cells in _rows(content):
        try:
            if len(cells) >= 6:  # Målepunkt-ID;Fra;Til;Volum;Enhet;Kvalitet
                if _is_header(number, cells, 3):
                    continue
                meter, start, end, amount, unit, quality = cells[:6]
                if quality.lower() in _MISSING_WORDS or (not amount and quality):
                    continue  # the grid company says the hour is missing: it stays a gap
                factor = _TO_KWH.get(unit.lower())
                if factor is None:
                    raise LineRefused(f"unit {unit!r} is not an energy unit (kWh, Wh, MWh)")
                start_ts = hour_between(start, end, zone)
                kwh = _number(amount, "volume") * factor
                status = _status(quality)
            elif len(cells) in (3, 4):  # meter,timestamp,kWh[,status]
                if _is_header(number, cells, 2):
                    continue
                meter, stamp, amount = cells[:3]
                start_ts = instant(stamp, zone)
                kwh = _number(amount, "kWh")
                status = _status(cells[3] if len(cells) == 4 else "")
            else:
                raise LineRefused("expected meter, timestamp, kWh[, status] or "
                                  "metering point, from, to, volume, unit, quality")  # fmt: skip
            if not meter:
                raise LineRefused("no meter")
            if start_ts % HOUR:
                raise LineRefused("an hourly value starts on the hour")
            if kwh < 0:
                raise LineRefused(f"negative energy {amount}")
            out.append(IntervalLine(number, meter, start_ts, round(kwh, 6), status))
        except LineRefused as reason:
            refused.append((number, str(reason)))
    return out


def parse_register_lines(
    content: str, zone: ZoneInfo, refused: list[tuple[int, str]]
) -> list[RegisterLine]:
    """Register readings `meter,register,timestamp,value,unit[,status]`."""
    out: list[RegisterLine] = []
    for number, cells in _rows(content):
        try:
            if len(cells) not in (5, 6):
                raise LineRefused("expected meter, register, timestamp, value, unit[, status]")
            if _is_header(number, cells, 3):
                continue
            meter, register, stamp, amount, unit = cells[:5]
            if not meter or not register or len(register) > 32:
                raise LineRefused("meter and register (at most 32 characters) are required")
            if not unit or len(unit) > 8:
                raise LineRefused("unit is required (at most 8 characters)")
            value = _number(amount, "value")
            if value < 0:
                raise LineRefused(f"negative register value {amount}")
            status = _status(cells[5] if len(cells) == 6 else "")
            out.append(RegisterLine(number, meter, register, instant(stamp, zone), round(value, 6),
                                    unit, status))  # fmt: skip
        except LineRefused as reason:
            refused.append((number, str(reason)))
    return out


# -- storing ------------------------------------------------------------------------------------


class _Meters:
    """Meter refs as files give them: the meter's serial (or its number), or the metering point ID."""

    def __init__(self, store: ReadingStore, connection: Connection) -> None:
        self.store = store
        self.connection = connection
        store.meters.load(connection)
        self._cache: dict[str, tuple[int, str] | None] = {}

    def resolve(self, ref: str) -> tuple[int, str] | None:
        if ref not in self._cache:
            meter_id = self.store.meters.resolve(self.connection, ref)
            if meter_id is None:
                meter_id = self.connection.execute(
                    text("SELECT meter_id FROM customer_relationship WHERE metering_point_id = :ref "
                         "AND meter_id IS NOT NULL ORDER BY active DESC, id DESC LIMIT 1"),
                    {"ref": ref},
                ).scalar()  # fmt: skip
            medium = None
            if meter_id is not None:
                medium = self.connection.execute(
                    text("SELECT medium FROM meter WHERE id = :id"), {"id": meter_id}
                ).scalar()
            self._cache[ref] = (meter_id, str(medium)) if meter_id is not None else None
        return self._cache[ref]


def _verdict(stored: tuple[float, str] | None, value: float, status: str) -> str:
    """new, duplicate, replace or conflict: what a line does to what is stored."""
    if stored is None:
        return "new"
    stored_value, stored_status = stored
    if abs(stored_value - value) <= _SAME and (stored_status == status or status == ESTIMATED):
        return "duplicate"
    if stored_status == ESTIMATED and status == MEASURED:
        return "replace"
    return "conflict"


def _conflict_text(when: int, stored: tuple[float, str], unit: str) -> str:
    moment = datetime.fromtimestamp(when, UTC).isoformat().replace("+00:00", "Z")
    return (f"{moment} is already stored as {stored[0]:g} {unit} ({stored[1]}); "
            "a stored value is replaced only by a measured value for an estimated one")  # fmt: skip


_STORED_INTERVALS = (
    "SELECT period_start, value, status FROM interval_reading WHERE meter_id = :m "
    "AND register_code = :r AND period_start BETWEEN :lo AND :hi"
)
_STORED_REGISTERS = (
    "SELECT ts, value, status FROM reading WHERE meter_id = :m AND register_code = :r "
    "AND source = :s AND ts BETWEEN :lo AND :hi"
)


def _stored(connection: Connection, statement: str, params: dict[str, object],
            times: list[int]) -> dict[int, tuple[float, str]]:  # fmt: skip
    """What is already stored for one meter and register over the times a file names: one query."""
    rows = connection.execute(text(statement), {**params, "lo": min(times), "hi": max(times)})
    return {at: (value, status) for at, value, status in rows}


def _sort_lines(lines, key, meters: _Meters, report: ImportReport):  # type: ignore[no-untyped-def]
    """Lines grouped by (meter id, register), unknown meters refused, in-file repeats settled:
    the same value again is a duplicate, another value for the same time is refused."""
    groups: dict[tuple[int, str], dict[int, object]] = {}
    for line in lines:
        meter = meters.resolve(line.meter)
        if meter is None:
            report.refused.append((line.line, f"unknown meter {line.meter!r}"))
            continue
        register, at, value = key(line, meter[1])
        times = groups.setdefault((meter[0], register), {})
        earlier = times.get(at)
        if earlier is None:
            times[at] = line
        elif abs(key(earlier, meter[1])[2] - value) <= _SAME and earlier.status == line.status:
            report.duplicates += 1
        else:
            report.refused.append((line.line, f"the same time as line {earlier.line} with another "
                                              f"value ({key(earlier, meter[1])[2]:g})"))  # fmt: skip
    return groups


def import_interval_file(
    path: Path, store: ReadingStore, source: SourceCounters, zone: ZoneInfo | None = None
) -> ImportReport:
    """Hourly interval values from a file into `interval_reading`, then the charts refreshed."""
    zone = zone or ZoneInfo(settings.timezone)
    report = ImportReport()
    lines = parse_interval_lines(_read(path), zone, report.refused)
    since: dict[int, int] = {}
    collected = ReadingSource.COLLECTED.value
    with store.engine.begin() as connection:
        groups = _sort_lines(
            lines, lambda line, medium: (ENERGY_REGISTER.get(medium, DEFAULT_ENERGY_REGISTER),
                                         line.start, line.kwh),
            _Meters(store, connection), report,
        )  # fmt: skip
        for (meter_id, register), by_start in groups.items():
            stored = _stored(connection, _STORED_INTERVALS, {"m": meter_id, "r": register}, list(by_start))
            inserts, updates = [], []
            for start, line in by_start.items():
                verdict = _verdict(stored.get(start), line.kwh, line.status)
                if verdict == "duplicate":
                    report.duplicates += 1
                    continue
                if verdict == "conflict":
                    report.refused.append((line.line, _conflict_text(start, stored[start], "kWh")))
                    continue
                params = {"m": meter_id, "r": register, "t": start, "v": line.kwh, "s": line.status,
                          "src": collected}  # fmt: skip
                (updates if verdict == "replace" else inserts).append(params)
                since[meter_id] = min(since.get(meter_id, start), start)
            if updates:
                connection.execute(text("UPDATE interval_reading SET value = :v, status = :s "
                                        "WHERE meter_id = :m AND register_code = :r AND period_start = :t"),
                                   updates)  # fmt: skip
            if inserts:
                connection.execute(text(
                    "INSERT INTO interval_reading (meter_id, register_code, period_start, period_seconds, "
                    "value, unit, status, source) VALUES (:m, :r, :t, 3600, :v, 'kWh', :s, :src)"
                ), inserts)  # fmt: skip
            report.replaced += len(updates)
            report.stored += len(inserts)
    _finish(store, source, report, since, len(lines))
    return report


def import_register_file(
    path: Path, store: ReadingStore, source: SourceCounters, zone: ZoneInfo | None = None
) -> ImportReport:
    """Billing-grade register readings from a file into `reading` (source collected)."""
    zone = zone or ZoneInfo(settings.timezone)
    report = ImportReport()
    lines = parse_register_lines(_read(path), zone, report.refused)
    since: dict[int, int] = {}
    collected = ReadingSource.COLLECTED.value
    with store.engine.begin() as connection:
        groups = _sort_lines(lines, lambda line, _medium: (line.register, line.ts, line.value),
                             _Meters(store, connection), report)  # fmt: skip
        new_rows = []
        for (meter_id, register), by_ts in groups.items():
            stored = _stored(connection, _STORED_REGISTERS, {"m": meter_id, "r": register, "s": collected},
                             list(by_ts))  # fmt: skip
            updates = []
            for ts, line in by_ts.items():
                verdict = _verdict(stored.get(ts), line.value, line.status)
                if verdict == "duplicate":
                    report.duplicates += 1
                    continue
                if verdict == "conflict":
                    report.refused.append((line.line, _conflict_text(ts, stored[ts], line.unit)))
                    continue
                if verdict == "replace":
                    updates.append({"v": line.value, "st": line.status, "u": line.unit, "m": meter_id,
                                    "r": register, "t": ts, "s": collected})  # fmt: skip
                else:
                    new_rows.append((meter_id, register, ts, line.value, line.unit, collected, line.status))
                since[meter_id] = min(since.get(meter_id, ts), ts)
            if updates:
                connection.execute(text("UPDATE reading SET value = :v, status = :st, unit = :u WHERE "
                                        "meter_id = :m AND register_code = :r AND ts = :t AND source = :s"),
                                   updates)  # fmt: skip
            report.replaced += len(updates)
        report.stored += insert_readings(connection, new_rows, with_status=True)
    _finish(store, source, report, since, len(lines))
    return report


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CsvFormatError(f"{path.name}: not UTF-8 text") from None


def _finish(store: ReadingStore, source: SourceCounters, report: ImportReport,
            since: dict[int, int], parsed: int) -> None:  # fmt: skip
    """Counters as they happened, then the charts of the meters that changed."""
    report.refused.sort()
    with source._lock:
        source.frames_ok += parsed
        source.readings_stored += report.stored + report.replaced
        source.readings_duplicate += report.duplicates
        source.readings_rejected += len(report.refused)
        source.last_frame_at = datetime.now(UTC)
    store.flush()
    store.refresh_meters(since)
