"""Exports of what a chart shows: CSV and Excel tables, and the grid companies' hourly file."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import ConsumptionHour
from app.services.caller import Caller
from app.services.consumption.derivation import ESTIMATED, MEASURED, MISSING
from app.services.consumption.local_time import (
    HOUR,
    floor_hour,
    local_midnight,
    local_zone,
    next_month,
)
from app.services.customer.consumption.access import authorised_meter
from app.services.customer.consumption.cost import CostView
from app.services.spreadsheet_cells import neutralise_row
from app.sql_rows import all_rows


@dataclass(frozen=True)
class ExportTable:
    """What a chart shows, as rows: header texts come from the caller (its language)."""

    title: str
    columns: list[str]
    rows: list[list[str | float | Decimal | None]]


# The kr table's columns, in its order; the mark-up only when the supplier's is known.
COST_COLUMNS = ("spot", "markup", "grid", "taxes", "total")


def with_cost_columns(
    table: ExportTable, keys: Sequence[str], view: CostView, headers: dict[str, str]
) -> ExportTable:
    """``table`` with the kr table's columns beside each row (``keys`` are the rows' period keys,
    as the cost view's): kroner as ``Decimal`` to the øre, as the kr table shows them. A period
    without a price or without consumption has empty cells, never 0 kr (the data-truth rule).
    Rows of periods the kr view does not cover (the years before the shown one) are left out:
    the export is the kr table's periods, not empty cells standing for kroner never worked out."""
    columns = [c for c in COST_COLUMNS if c != "markup" or view.markup_known]
    by_key = {row.key: row for row in view.rows}
    rows: list[list[str | float | Decimal | None]] = []
    for key, row in zip(keys, table.rows, strict=True):
        if key not in by_key:
            continue
        cost = by_key[key]
        total = cost.total
        rows.append([*row, *(getattr(cost, c) if total is not None else None for c in columns)])
    return ExportTable(table.title, [*table.columns, *(headers[c] for c in columns)], rows)


def table_csv(table: ExportTable) -> str:
    """Plain CSV: comma separated, decimal point, empty cell for a missing value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(neutralise_row(table.columns))
    for row in table.rows:
        writer.writerow(neutralise_row("" if cell is None else cell for cell in row))
    return out.getvalue()


def table_xlsx(table: ExportTable) -> bytes:
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31] or "Sheet1"
    sheet.append(neutralise_row(table.columns))
    for row in table.rows:
        sheet.append(neutralise_row(row))
    for column, header in zip(sheet.columns, table.columns, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(header) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class HourValue:
    start: int
    energy_kwh: float | None
    quality: str


_hour = ConsumptionHour.__table__.c
_HOUR_VALUES = select(_hour.hour_start, _hour.energy_kwh, _hour.quality).where(
    _hour.meter_id == bindparam("meter_id"),
    _hour.hour_start >= bindparam("start"),
    _hour.hour_start < bindparam("end"),
)


def hourly_values(db: Session, caller: Caller, meter_id: int, start: int, end: int) -> list[HourValue]:
    """Every hour in [start, end) with its value or as missing: the basis of hourly exports."""
    authorised_meter(db, caller, meter_id)
    rows = {
        row.hour_start: row
        for row in all_rows(db.connection(), _HOUR_VALUES, {"meter_id": meter_id, "start": start, "end": end})
    }
    newest = max(rows, default=start - HOUR)
    values = []
    # Hours after the newest stored one have not arrived yet: not listed as missing.
    for at in range(floor_hour(start), min(end, newest + HOUR), HOUR):
        row = rows.get(at)
        if row is None or row.energy_kwh is None:
            values.append(HourValue(at, None, MISSING))
        else:
            values.append(HourValue(at, row.energy_kwh, row.quality))
    return values


def _decimal_comma(value: float | None, decimals: int = 3) -> str:
    return "" if value is None else f"{value:.{decimals}f}".replace(".", ",")


def grid_company_hourly_csv(metering_point_id: str, hours: Sequence[HourValue]) -> str:
    """The hourly-value layout of Norwegian grid companies' downloads: semicolons, decimal comma,
    local "dd.mm.yyyy HH:MM" from/to, one row per hour (25 on the autumn DST day)."""
    zone = local_zone()
    quality_names = {MEASURED: "Målt", ESTIMATED: "Estimert", MISSING: "Mangler"}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Målepunkt-ID", "Fra", "Til", "Volum", "Enhet", "Kvalitet"])
    for value in hours:
        start = datetime.fromtimestamp(value.start, zone)
        end = datetime.fromtimestamp(value.start + HOUR, zone)
        writer.writerow(
            neutralise_row(
                [
                    metering_point_id,
                    start.strftime("%d.%m.%Y %H:%M"),
                    end.strftime("%d.%m.%Y %H:%M"),
                    _decimal_comma(value.energy_kwh),
                    "kWh",
                    quality_names.get(value.quality, value.quality),
                ]
            )
        )
    return out.getvalue()


def period_bounds(level: str, key: str) -> tuple[int, int]:
    """UTC [start, end) of a shown period: a year ("2025"), month or day (ISO date)."""
    zone = local_zone()
    if level == "year":
        year = int(key)
        first, following = date(year, 1, 1), date(year + 1, 1, 1)
    elif level == "month":
        first = date.fromisoformat(key).replace(day=1)
        following = next_month(first)
    else:
        first = date.fromisoformat(key)
        following = first + timedelta(days=1)
    return local_midnight(first, zone), local_midnight(following, zone)
