"""Reading billing files line by line: hourly interval values and register readings.

Every line is validated on its own: a refused line is reported with its number and reason and
the other lines are still read. Times: ISO 8601 with an offset (or `Z`) are taken as they are.
Plain local times are accepted only where they name one instant: the hour the clocks go back is
refused (unless the line's "to" time settles which of the two it is), and so is the hour that
does not exist in spring.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.models import ReadingStatus

HOUR = 3600
MEASURED, ESTIMATED = ReadingStatus.MEASURED.value, ReadingStatus.ESTIMATED.value
# The energy register an hourly value belongs to, by the meter's medium.
ENERGY_REGISTER = {"heat": "heat_energy"}
DEFAULT_ENERGY_REGISTER = "1-0:1.8.0"
_TO_KWH = {"kwh": 1.0, "wh": 0.001, "mwh": 1000.0}
_STATUS_WORDS = {
    "": MEASURED,
    "measured": MEASURED,
    "målt": MEASURED,
    "m": MEASURED,
    "ok": MEASURED,
    "estimated": ESTIMATED,
    "estimert": ESTIMATED,
    "e": ESTIMATED,
}
_MISSING_WORDS = {"missing", "mangler"}
_LOCAL_FORMATS = (
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
)


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (no line could be)."""


class LineRefused(ValueError):
    pass


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
        raise LineRefused(
            f"local time {stamp.strip()} does not exist (the clocks went forward); "
            "give the time with its UTC offset"
        )
    if len(found) > 1:
        raise LineRefused(
            f"local time {stamp.strip()} comes twice (the clocks went back); "
            "give the time with its UTC offset, e.g. +02:00 or +01:00"
        )
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


def parse_interval_lines(content: str, zone: ZoneInfo, refused: list[tuple[int, str]]) -> list[IntervalLine]:
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
                raise LineRefused(
                    "expected meter, timestamp, kWh[, status] or "
                    "metering point, from, to, volume, unit, quality"
                )
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


def parse_register_lines(content: str, zone: ZoneInfo, refused: list[tuple[int, str]]) -> list[RegisterLine]:
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
            out.append(
                RegisterLine(number, meter, register, instant(stamp, zone), round(value, 6), unit, status)
            )
        except LineRefused as reason:
            refused.append((number, str(reason)))
    return out
