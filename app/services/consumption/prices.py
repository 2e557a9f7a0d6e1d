"""Day-ahead spot prices from the files a utility downloads (issue 26); never fetched at run time.

Two formats, told apart by their first non-blank character:

- ENTSO-E's day-ahead price document (``Publication_MarketDocument``, type A44): per
  ``TimeSeries`` a bidding zone (``in_Domain.mRID``, an EIC code), a currency and unit (EUR per
  MWH), and ``Period``s with a ``timeInterval``, a ``resolution`` (PT60M or PT15M) and ``Point``s
  (``position`` from 1, ``price.amount``); curve type A03 leaves out a point that repeats the one
  before it. Parsed with ``defusedxml`` (no entities, no external references).
- A CSV ``zone,start,end,price,currency,unit`` (Nord Pool's data as a utility exports it), start
  and end ISO 8601 with their offset (``2025-10-26T02:00+01:00`` or ``...Z``), an optional
  ``eur_nok`` column with the exchange rate of that line.

Prices are EUR/MWh (converted at the rate: the line's, the rate file's for the delivery day or the
last banking day before it, or one ``--eur-nok`` rate) or NOK/kWh (or NOK/MWh). Quarter-hourly
prices (the day-ahead market moved to 15 minutes on 1 October 2025) make an hour as the mean of its
four quarters; an hour with fewer is refused, not guessed. Times are UTC throughout, so a day of 23
or 25 local hours holds 23 or 25 prices.

Rounding: the hour's mean is taken in the file's unit, converted once, and rounded half-up to
0.00001 kr/kWh (1/1000 øre), the column's scale.

Idempotent: one row per (zone, hour); a price already stored is left, a different one replaces it
(a corrected file). Validated line by line: every wrong line is reported with its line (CSV) or
its series and position (XML), and nothing of the file is written unless ``skip_invalid``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException, ElementTree
from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import SpotPrice
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.consumption.local_time import local_zone
from app.services.consumption.repricing import schedule_cost_refresh

HOUR = 3600
KR_PER_KWH_SCALE = Decimal("0.00001")
BIDDING_ZONES = ("NO1", "NO2", "NO3", "NO4", "NO5", "SE1", "SE2", "SE3", "SE4")
# ENTSO-E's area codes (EIC) of the bidding zones.
ZONE_BY_EIC = {
    "10YNO-1--------2": "NO1",
    "10YNO-2--------T": "NO2",
    "10YNO-3--------J": "NO3",
    "10YNO-4--------9": "NO4",
    "10Y1001A1001A48H": "NO5",
    "10Y1001A1001A44P": "SE1",
    "10Y1001A1001A45N": "SE2",
    "10Y1001A1001A46L": "SE3",
    "10Y1001A1001A47J": "SE4",
}
RESOLUTIONS = {"PT60M": 60, "PT15M": 15, "PT1H": 60}
CSV_COLUMNS = ("zone", "start", "end", "price", "currency", "unit")
# The zone the rate file's days are read in: Norges Bank's banking days.
RATE_ZONE = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class PricePoint:
    """One price of the file: [start, start + minutes) UTC, in the file's own currency and unit."""

    where: str  # "line 7" or "series 2, position 14": what the report names
    zone: str
    start: int  # UTC epoch
    minutes: int
    price: Decimal
    currency: str
    unit: str
    eur_nok: Decimal | None = None


@dataclass
class PriceImport:
    """What an import read, wrote and refused."""

    read: int = 0
    hours: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, what)
    written: bool = False


class PriceFileError(ValueError):
    """The file cannot be read at all (not XML, not the CSV's columns, an A44 without series)."""


# ---------------------------------------------------------------- reading the formats


def _utc_epoch(text: str) -> int:
    """An ISO 8601 instant with its offset; a time without one is refused (which 02:00 of a
    25-hour day would it be?)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError("no offset")
    return int(instant.timestamp())


def _decimal(text: str | None) -> Decimal:
    if text is None:
        raise InvalidOperation
    value = Decimal(text.strip().replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):  # type: ignore[no-untyped-def]
    for child in element:
        if _local_name(child.tag) == name:
            return child
    return None


def _children(element, name: str) -> list:  # type: ignore[no-untyped-def]
    return [child for child in element if _local_name(child.tag) == name]


def _text(element, name: str) -> str | None:  # type: ignore[no-untyped-def]
    found = _child(element, name)
    return None if found is None or found.text is None else found.text.strip()


def parse_entsoe_a44(data: bytes) -> tuple[list[PricePoint], list[tuple[str, str]]]:
    """The points of an ENTSO-E day-ahead price document, and what was wrong where."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise PriceFileError(f"not XML: {error}") from error
    except DefusedXmlException as error:  # entities, DTDs, external references: refused outright
        raise PriceFileError(f"XML with {type(error).__name__}: refused") from error
    if _local_name(root.tag) != "Publication_MarketDocument":
        raise PriceFileError(f"not a price document: {_local_name(root.tag)}")
    if (_text(root, "type") or "A44") != "A44":
        raise PriceFileError(f"document type {_text(root, 'type')}, not A44 (day-ahead prices)")
    points: list[PricePoint] = []
    errors: list[tuple[str, str]] = []
    series_list = _children(root, "TimeSeries")
    if not series_list:
        raise PriceFileError("no TimeSeries")
    for number, series in enumerate(series_list, start=1):
        where = f"series {number}"
        eic = _text(series, "in_Domain.mRID") or ""
        zone = ZONE_BY_EIC.get(eic)
        currency = (_text(series, "currency_Unit.name") or "").upper()
        unit = (_text(series, "price_Measure_Unit.name") or "").upper()
        if zone is None:
            errors.append((where, f"bidding zone {eic!r} is not one of NO1-NO5, SE1-SE4"))
            continue
        if (currency, unit) not in {("EUR", "MWH"), ("NOK", "MWH"), ("NOK", "KWH")}:
            errors.append((where, f"price unit {currency}/{unit} (EUR/MWH or NOK/KWH expected)"))
            continue
        repeats = (_text(series, "curveType") or "A01") == "A03"
        for period in _children(series, "Period"):
            interval = _child(period, "timeInterval")
            resolution = (_text(period, "resolution") or "").upper()
            minutes = RESOLUTIONS.get(resolution)
            try:
                start = _utc_epoch(_text(interval, "start") or "") if interval is not None else None
                end = _utc_epoch(_text(interval, "end") or "") if interval is not None else None
            except ValueError:
                start = end = None
            if start is None or end is None or end <= start:
                errors.append((where, "period without a valid timeInterval"))
                continue
            if minutes is None:
                errors.append((where, f"resolution {resolution!r} (PT60M or PT15M expected)"))
                continue
            slots = (end - start) // (minutes * 60)
            given: dict[int, Decimal] = {}
            for point in _children(period, "Point"):
                position_text = _text(point, "position") or ""
                try:
                    position = int(position_text)
                    price = _decimal(_text(point, "price.amount"))
                except (ValueError, InvalidOperation):
                    errors.append((f"{where}, position {position_text or '?'}", "not a number"))
                    continue
                if not 1 <= position <= slots:
                    errors.append((f"{where}, position {position}", f"outside the period's {slots} slots"))
                    continue
                if position in given:
                    errors.append((f"{where}, position {position}", "given twice"))
                    continue
                given[position] = price
            last: Decimal | None = None
            for position in range(1, slots + 1):
                price = given.get(position)
                if price is None and repeats:
                    price = last  # A03: an omitted point repeats the one before it
                if price is None:
                    continue  # no price for that slot: a gap (the hour is refused below)
                last = price
                points.append(
                    PricePoint(
                        f"{where}, position {position}",
                        zone,
                        start + (position - 1) * minutes * 60,
                        minutes,
                        price,
                        currency,
                        unit,
                    )
                )
    return points, errors


def parse_price_csv(text: str) -> tuple[list[PricePoint], list[tuple[str, str]]]:
    """The lines of a ``zone,start,end,price,currency,unit`` file, and what was wrong where."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if not set(CSV_COLUMNS) <= set(header):
        raise PriceFileError(f"the CSV needs the columns {','.join(CSV_COLUMNS)}")
    reader.fieldnames = header
    points: list[PricePoint] = []
    errors: list[tuple[str, str]] = []
    for row in reader:
        where = f"line {reader.line_num}"
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        zone = cells["zone"].upper()
        if zone not in BIDDING_ZONES:
            errors.append((where, f"bidding zone {cells['zone']!r} is not one of NO1-NO5, SE1-SE4"))
            continue
        try:
            start, end = _utc_epoch(cells["start"]), _utc_epoch(cells["end"])
        except ValueError:
            errors.append((where, "start and end must be ISO 8601 times with their offset"))
            continue
        minutes = (end - start) // 60
        if minutes not in (15, 60) or (end - start) % 60 or start % (minutes * 60):
            errors.append((where, "a price covers one quarter or one hour, starting on it"))
            continue
        try:
            price = _decimal(cells["price"])
        except InvalidOperation:
            errors.append((where, f"price {cells['price']!r} is not a number"))
            continue
        currency = cells["currency"].upper()
        unit = cells["unit"].upper().removeprefix(f"{currency}/")
        if (currency, unit) not in {("EUR", "MWH"), ("NOK", "MWH"), ("NOK", "KWH")}:
            errors.append((where, f"unit {cells['currency']}/{cells['unit']} (EUR/MWh or NOK/kWh expected)"))
            continue
        rate = None
        if cells.get("eur_nok"):
            try:
                rate = _decimal(cells["eur_nok"])
            except InvalidOperation:
                errors.append((where, f"exchange rate {cells['eur_nok']!r} is not a number"))
                continue
        points.append(PricePoint(where, zone, start, minutes, price, currency, unit, rate))
    return points, errors


def parse_rate_file(text: str) -> dict[date, Decimal]:
    """A CSV ``date,eur_nok`` (Norges Bank's daily EUR rate): one rate per banking day."""
    rates: dict[date, Decimal] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not row[0].strip() or row[0].strip().lower() == "date":
            continue
        try:
            rates[date.fromisoformat(row[0].strip())] = _decimal(row[1])
        except (ValueError, IndexError, InvalidOperation) as error:
            raise PriceFileError(f"rate file line {number}: {row!r}") from error
    return rates


# ---------------------------------------------------------------- hours from points


def _rate_for(point: PricePoint, rates: Mapping[date, Decimal], fixed: Decimal | None) -> Decimal | None:
    if point.eur_nok is not None:
        return point.eur_nok
    if rates:
        day = datetime.fromtimestamp(point.start, RATE_ZONE).date()
        earlier = [d for d in rates if d <= day and (day - d).days <= 7]
        if earlier:
            return rates[max(earlier)]
    return fixed


def _kr_per_kwh(price: Decimal, point: PricePoint, rate: Decimal | None) -> Decimal | None:
    if point.currency == "NOK":
        value = price if point.unit == "KWH" else price / 1000
    elif rate is None:
        return None
    else:
        value = price * rate / 1000
    return value.quantize(KR_PER_KWH_SCALE, rounding=ROUND_HALF_UP)


def hourly_prices(
    points: Iterable[PricePoint],
    *,
    rates: Mapping[date, Decimal] | None = None,
    eur_nok: Decimal | None = None,
) -> tuple[dict[tuple[str, int], Decimal], list[tuple[str, str]]]:
    """(zone, hour start) -> kr/kWh: an hourly price as it is, a quarter-hourly hour as the mean of
    its four quarters. Errors name the hour's first point."""
    groups: dict[tuple[str, int], list[PricePoint]] = defaultdict(list)
    for point in points:
        groups[(point.zone, point.start - point.start % HOUR)].append(point)
    hours: dict[tuple[str, int], Decimal] = {}
    errors: list[tuple[str, str]] = []
    for key, group in sorted(groups.items()):
        first = group[0]
        stamp = datetime.fromtimestamp(key[1], UTC).strftime("%Y-%m-%d %H:%M UTC")
        kinds = {p.minutes for p in group}
        if len(kinds) > 1 or len({(p.currency, p.unit) for p in group}) > 1:
            errors.append((first.where, f"{key[0]} {stamp}: hourly and quarter-hourly prices or units mixed"))
            continue
        starts = sorted(p.start for p in group)
        if len(set(starts)) != len(starts):
            prices = {p.price for p in group}
            if len(prices) > 1:
                errors.append((first.where, f"{key[0]} {stamp}: two different prices for the same time"))
                continue
            group = list({p.start: p for p in group}.values())
        expected = 1 if kinds == {60} else 4
        if len(group) != expected:
            errors.append((first.where, f"{key[0]} {stamp}: {len(group)} of 4 quarters, the hour needs 4"))
            continue
        mean = sum((p.price for p in group), Decimal(0)) / expected
        rate = _rate_for(first, rates or {}, eur_nok)
        value = _kr_per_kwh(mean, first, rate)
        if value is None:
            errors.append((first.where, f"{key[0]} {stamp}: a price in EUR and no exchange rate for its day"))
            continue
        hours[key] = value
    return hours, errors


# ---------------------------------------------------------------- importing


def read_price_file(path: Path) -> tuple[list[PricePoint], list[tuple[str, str]]]:
    data = path.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return parse_entsoe_a44(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PriceFileError("neither XML nor UTF-8 CSV") from error
    return parse_price_csv(text)


_SPOT = SpotPrice.__table__
_SPOT_RANGE = (
    select(_SPOT.c.hour_start, _SPOT.c.kr_per_kwh)
    .where(
        _SPOT.c.zone == bindparam("zone"),
        _SPOT.c.hour_start >= bindparam("start"),
        _SPOT.c.hour_start < bindparam("end"),
    )
    .order_by(_SPOT.c.hour_start)
)


def import_spot_prices(
    db: Session,
    caller: Caller,
    path: Path,
    *,
    eur_nok: Decimal | None = None,
    rates: Mapping[date, Decimal] | None = None,
    skip_invalid: bool = False,
) -> PriceImport:
    """Read, validate and store a price file (see the module's text). The caller commits."""
    points, errors = read_price_file(path)
    hours, hour_errors = hourly_prices(points, rates=rates, eur_nok=eur_nok)
    report = PriceImport(read=len(points), hours=len(hours), errors=errors + hour_errors)
    if report.errors and not skip_invalid:
        record_audit(
            db,
            "prices.import_refused",
            caller,
            subject_type="file",
            subject_id=path.name[:64],
            outcome="refused",
            detail=f"{len(report.errors)} invalid; first: {report.errors[0]}",
        )
        return report
    store_hourly_prices(db, hours, report)
    report.written = True
    record_audit(
        db,
        "prices.imported",
        caller,
        subject_type="file",
        subject_id=path.name[:64],
        detail=f"{report.hours} hours: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {len(report.errors)} invalid skipped",
    )
    return report


def store_hourly_prices(
    db: Session, hours: Mapping[tuple[str, int], Decimal], report: PriceImport | None = None
) -> PriceImport:
    """Store (zone, hour start) -> kr/kWh: a new hour added, a different price replacing the old,
    an equal one left (counted in ``report``). The caller commits."""
    report = report or PriceImport(hours=len(hours))
    by_zone: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for (zone, start), value in hours.items():
        by_zone[zone][start] = value
    for zone, values in by_zone.items():
        changed: list[int] = []
        stored = {
            row.hour_start: Decimal(row.kr_per_kwh)
            for row in db.connection().execute(
                _SPOT_RANGE, {"zone": zone, "start": min(values), "end": max(values) + HOUR}
            )
        }
        for start, value in values.items():
            known = stored.get(start)
            if known == value:
                report.unchanged += 1
            elif known is None:
                db.add(SpotPrice(zone=zone, hour_start=start, kr_per_kwh=value))
                report.new += 1
                changed.append(start)
            else:
                row = db.get(SpotPrice, (zone, start))
                assert row is not None
                row.kr_per_kwh = value
                db.add(row)
                report.changed += 1
                changed.append(start)
        if changed:
            _reprice(db, zone, min(changed), max(changed))
    return report


def _reprice(db: Session, zone: str, first_hour: int, last_hour: int) -> None:
    """The stored cost of the zone's days holding those hours is recomputed when the import
    commits (a late price import prices hours already measured; tomorrow's touches nothing)."""
    local = local_zone()
    first = datetime.fromtimestamp(first_hour, local).date()
    last = datetime.fromtimestamp(last_hour, local).date()
    schedule_cost_refresh(db, first, last, bidding_zone=zone)


def spot_prices(db: Session, zone: str, start: int, end: int) -> dict[int, Decimal]:
    """The zone's hourly prices (kr/kWh) of [start, end), by hour start; hours without one absent."""
    if not zone:
        return {}
    return {
        row.hour_start: Decimal(row.kr_per_kwh)
        for row in db.connection().execute(_SPOT_RANGE, {"zone": zone, "start": start, "end": end})
    }


def day_range(first: date, until: date, zone: ZoneInfo) -> tuple[int, int]:
    """UTC epochs of local midnight of ``first`` and of ``until``."""
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(until, datetime.min.time(), zone)
    return int(start.timestamp()), int(end.timestamp())
