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

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.clock import utcnow
from app.config import settings
from app.ingest.sources.billing_lines import (
    DEFAULT_ENERGY_REGISTER,
    ENERGY_REGISTER,
    ESTIMATED,
    MEASURED,
    CsvFormatError,
    parse_interval_lines,
    parse_register_lines,
)
from app.ingest.store import ReadingStore, SourceCounters
from app.models import ReadingSource
from app.services.readings import insert_readings

__all__ = [
    "CsvFormatError",
    "ImportReport",
    "import_interval_file",
    "import_register_file",
    "parse_interval_lines",
    "parse_register_lines",
]

# Stored values equal to this many kWh are the same value (the decimals files carry).
_SAME = 1e-6


@dataclass
class ImportReport:
    stored: int = 0
    duplicates: int = 0
    replaced: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"stored {self.stored}, already stored {self.duplicates}, replaced {self.replaced} "
            f"(a measured value replaces an estimated one), refused {len(self.refused)}"
        )


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
                    text(
                        "SELECT meter_id FROM customer_relationship WHERE metering_point_id = :ref "
                        "AND meter_id IS NOT NULL ORDER BY active DESC, id DESC LIMIT 1"
                    ),
                    {"ref": ref},
                ).scalar()
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
    return (
        f"{moment} is already stored as {stored[0]:g} {unit} ({stored[1]}); "
        "a stored value is replaced only by a measured value for an estimated one"
    )


_STORED_INTERVALS = (
    "SELECT period_start, value, status FROM interval_reading WHERE meter_id = :m "
    "AND register_code = :r AND period_start BETWEEN :lo AND :hi"
)
_STORED_REGISTERS = (
    "SELECT ts, value, status FROM reading WHERE meter_id = :m AND register_code = :r "
    "AND source = :s AND ts BETWEEN :lo AND :hi"
)


def _stored(
    connection: Connection, statement: str, params: dict[str, object], times: list[int]
) -> dict[int, tuple[float, str]]:
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
            report.refused.append(
                (
                    line.line,
                    f"the same time as line {earlier.line} with another "
                    f"value ({key(earlier, meter[1])[2]:g})",
                )
            )
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
            lines,
            lambda line, medium: (ENERGY_REGISTER.get(medium, DEFAULT_ENERGY_REGISTER), line.start, line.kwh),
            _Meters(store, connection),
            report,
        )
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
                params = {
                    "m": meter_id,
                    "r": register,
                    "t": start,
                    "v": line.kwh,
                    "s": line.status,
                    "src": collected,
                }
                (updates if verdict == "replace" else inserts).append(params)
                since[meter_id] = min(since.get(meter_id, start), start)
            if updates:
                connection.execute(
                    text(
                        "UPDATE interval_reading SET value = :v, status = :s "
                        "WHERE meter_id = :m AND register_code = :r AND period_start = :t"
                    ),
                    updates,
                )
            if inserts:
                connection.execute(
                    text(
                        "INSERT INTO interval_reading (meter_id, register_code, period_start, "
                        "period_seconds, value, unit, status, source) "
                        "VALUES (:m, :r, :t, 3600, :v, 'kWh', :s, :src)"
                    ),
                    inserts,
                )
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
        groups = _sort_lines(
            lines,
            lambda line, _medium: (line.register, line.ts, line.value),
            _Meters(store, connection),
            report,
        )
        new_rows = []
        for (meter_id, register), by_ts in groups.items():
            stored = _stored(
                connection, _STORED_REGISTERS, {"m": meter_id, "r": register, "s": collected}, list(by_ts)
            )
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
                    updates.append(
                        {
                            "v": line.value,
                            "st": line.status,
                            "u": line.unit,
                            "m": meter_id,
                            "r": register,
                            "t": ts,
                            "s": collected,
                        }
                    )
                else:
                    new_rows.append((meter_id, register, ts, line.value, line.unit, collected, line.status))
                since[meter_id] = min(since.get(meter_id, ts), ts)
            if updates:
                connection.execute(
                    text(
                        "UPDATE reading SET value = :v, status = :st, unit = :u WHERE "
                        "meter_id = :m AND register_code = :r AND ts = :t AND source = :s"
                    ),
                    updates,
                )
            report.replaced += len(updates)
        report.stored += insert_readings(connection, new_rows, with_status=True)
    _finish(store, source, report, since, len(lines))
    return report


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CsvFormatError(f"{path.name}: not UTF-8 text") from None


def _finish(
    store: ReadingStore, source: SourceCounters, report: ImportReport, since: dict[int, int], parsed: int
) -> None:
    """Counters as they happened, then the charts of the meters that changed."""
    report.refused.sort()
    with source._lock:
        source.frames_ok += parsed
        source.readings_stored += report.stored + report.replaced
        source.readings_duplicate += report.duplicates
        source.readings_rejected += len(report.refused)
        source.last_frame_at = utcnow()
    store.flush()
    store.refresh_meters(since)
