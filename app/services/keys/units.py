"""The key list: an organisation's units searched, filtered, sorted and paged on the server.

No key column is ever read here: a row names the unit, never its keys. Sorting is by the chosen
column then the serial, which the (owner, column, serial) indexes serve directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, func, select

from app.models import KeyReadRight, MeterKey
from app.services.caller import Caller
from app.services.keys.unit_access import managed_scope
from app.services.paging import Page, PageRequest, page_window

ASSIGNED = "assigned"
UNASSIGNED = "unassigned"
_SERIAL_SEPARATORS = re.compile(r"[\s,;]+")
# SQLite refuses statements with more than 32,766 parameters; a pasted list is looked up in chunks.
_SERIAL_CHUNK = 5000

SORT_COLUMNS = {
    "serial": MeterKey.serial,
    "kind": MeterKey.kind,
    "model": MeterKey.model,
    "medium": MeterKey.medium,
    "readers": MeterKey.reader_count,
    "updated_at": MeterKey.updated_at,
}


@dataclass(frozen=True)
class UnitQuery(PageRequest):
    serial_search: str = ""
    kind: str = ""
    model: str = ""
    medium: str = ""
    assigned: str = ""  # "" | "assigned" | "unassigned"
    sort: str = "serial"
    descending: bool = False


@dataclass(frozen=True)
class UnitRow:
    id: int
    serial: str
    manufacturer: str
    kind: str
    model: str
    medium: str
    readers: int
    updated_at: datetime


UnitPage = Page[UnitRow]


@dataclass(frozen=True)
class UnitFilterOptions:
    models: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


def serial_terms(text: str) -> list[str]:
    """The serials typed or pasted: one is a prefix, several (separated by white space, commas or
    semicolons, as a spreadsheet column pastes) are exact matches."""
    return [term for term in _SERIAL_SEPARATORS.split(text.strip()) if term]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_conditions(query: UnitQuery) -> list[ColumnElement[bool]]:
    """The query's search and filters as SQL conditions on meter_key."""
    conditions: list[ColumnElement[bool]] = []
    terms = serial_terms(query.serial_search)
    if len(terms) == 1:
        conditions.append(col(MeterKey.serial).ilike(_escape_like(terms[0]) + "%", escape="\\"))
    elif terms:
        conditions.append(col(MeterKey.serial).in_(terms))
    for value, column in ((query.kind, MeterKey.kind), (query.medium, MeterKey.medium)):
        if value:
            conditions.append(col(column) == value)
    if query.model:
        # "MULTICAL 21" and "Multical 21" are one model: the menu lists it once.
        conditions.append(func.lower(col(MeterKey.model)) == query.model.lower())
    if query.assigned == ASSIGNED:
        conditions.append(col(MeterKey.reader_count) > 0)
    elif query.assigned == UNASSIGNED:
        conditions.append(col(MeterKey.reader_count) == 0)
    return conditions


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unit_page(
    db: Session, scope: list[ColumnElement[bool]], query: UnitQuery, *, join_rights: bool = False
) -> UnitPage:
    """One page of the units matching ``scope`` and the query (shared by distributors and readers)."""
    conditions = and_(*scope, *filter_conditions(query))
    counted = select(func.count()).select_from(MeterKey)
    listed = select(
        MeterKey.id,
        MeterKey.serial,
        MeterKey.manufacturer,
        MeterKey.kind,
        MeterKey.model,
        MeterKey.medium,
        MeterKey.reader_count,
        MeterKey.updated_at,
    )
    if join_rights:
        counted = counted.join(KeyReadRight, col(KeyReadRight.unit_id) == MeterKey.id)
        listed = listed.join(KeyReadRight, col(KeyReadRight.unit_id) == MeterKey.id)
    total = db.exec(counted.where(conditions)).one()
    window = page_window(query.page, query.page_size, total)
    sort = col(SORT_COLUMNS.get(query.sort, MeterKey.serial))
    if query.sort == "model":
        sort = func.lower(sort)  # type: ignore[assignment]
    serial = col(MeterKey.serial)
    order = (sort.desc(), serial.desc()) if query.descending else (sort.asc(), serial.asc())
    if query.sort == "serial" or query.sort not in SORT_COLUMNS:
        order = order[:1]
    rows = db.exec(listed.where(conditions).order_by(*order).offset(window.offset).limit(window.size)).all()
    unit_rows = [
        UnitRow(
            id=row[0],
            serial=row[1],
            manufacturer=row[2],
            kind=row[3],
            model=row[4],
            medium=row[5],
            readers=row[6],
            updated_at=_aware(row[7]),
        )
        for row in rows
    ]
    return UnitPage(rows=unit_rows, total=total, page=window.page, page_size=window.size)


def serials_not_found(db: Session, caller: Caller, serial_search: str) -> list[str]:
    """The pasted serials (a list of several; one alone is a prefix) that are none of the caller's
    organisation's units, in the order pasted: a list that lost some says which."""
    terms = list(dict.fromkeys(serial_terms(serial_search)))
    if len(terms) < 2:
        return []
    scope = managed_scope(caller)
    found: set[str] = set()
    for start in range(0, len(terms), _SERIAL_CHUNK):
        chunk = terms[start : start + _SERIAL_CHUNK]
        found.update(db.exec(select(MeterKey.serial).where(scope, col(MeterKey.serial).in_(chunk))).all())
    return [term for term in terms if term not in found]


def list_units(db: Session, caller: Caller, query: UnitQuery) -> UnitPage:
    """A page of the caller's organisation's units (an administrator's: every organisation's)."""
    return unit_page(db, [managed_scope(caller)], query)


def matching_unit_ids(db: Session, caller: Caller, query: UnitQuery) -> list[int]:
    """The ids of every unit of the caller's organisation that matches the query (all pages):
    "select all that match"."""
    conditions = and_(managed_scope(caller), *filter_conditions(query))
    return list(db.exec(select(MeterKey.id).where(conditions).order_by(col(MeterKey.serial))).all())  # type: ignore[arg-type]


def unit_filter_options(db: Session, caller: Caller) -> UnitFilterOptions:
    """The models and media the organisation's units have, for the filter menus."""
    scope = managed_scope(caller)

    def distinct(column: object) -> list[str]:
        values = db.exec(select(column).where(scope).distinct()).all()  # type: ignore[call-overload]
        return sorted((value for value in values if value), key=str.casefold)

    models: dict[str, str] = {}
    for model in distinct(MeterKey.model):
        models.setdefault(model.casefold(), model)  # one entry per model, whatever its case
    return UnitFilterOptions(models=list(models.values()), media=distinct(MeterKey.medium))
