"""The distributor's key list: one page of units (never a key), its filter, sort and the selection.

The selection lives on the server as unit ids in a backend-only var: "select all 2,431 matching"
never sends thousands of ids to the browser. Read rights and exports (substates) act on it.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app import routes
from app.i18n import translate, translate_count
from app.i18n.times import format_local_time
from app.models import Role
from app.services.caller import Caller
from app.services.keys.units import (
    UnitQuery,
    UnitRow,
    list_units,
    matching_unit_ids,
    serials_not_found,
    unit_filter_options,
)
from app.states.db_thread import read_in_thread
from app.states.keys.display import attribute_text, format_count
from app.states.keys.selection import UnitSelection
from app.states.paging import ListFilter, Page, PagedList, PageReader
from app.states.session import SessionState

PAGE_SIZE = 50
SORT_COLUMNS = ("serial", "kind", "model", "medium", "readers", "updated_at")
KINDS = ("meter", "concentrator")
ASSIGNED_CHOICES = ("assigned", "unassigned")
# A pasted list of serials may be long, but not unbounded.
SEARCH_LIMIT = 20_000
# Pasted serials that are none of the organisation's units: this many are named, the rest counted.
NOT_FOUND_SHOWN = 50


class KeyListState(UnitSelection, PagedList, SessionState):
    LISTER: ClassVar[Role] = Role.DISTRIBUTOR
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = SORT_COLUMNS
    FILTERS: ClassVar[tuple[ListFilter, ...]] = (
        ListFilter("serial_search", limit=SEARCH_LIMIT),
        ListFilter("kind", choices=KINDS),
        ListFilter("model", limit=100),
        ListFilter("medium", limit=40),
        ListFilter("assigned", choices=ASSIGNED_CHOICES),
    )
    # The filter as applied; the form shows it back as its default values.
    serial_search: str = ""
    kind: str = ""
    model: str = ""
    medium: str = ""
    assigned: str = ""
    sort: str = "serial"
    descending: bool = False
    model_options: list[str] = []
    medium_options: list[dict[str, str]] = []
    # Bumped when the filter form is reset, so its uncontrolled fields start again.
    filter_generation: int = 0
    # Serials of the pasted list that are none of the organisation's units (the first NOT_FOUND_SHOWN).
    not_found_serials: list[str] = []
    not_found_count: int = 0

    @rx.var(cache=True)
    def not_found_text(self) -> str:
        if not self.not_found_count:
            return ""
        language = self.language
        serials = ", ".join(self.not_found_serials)
        more = self.not_found_count - len(self.not_found_serials)
        if more > 0:
            serials += " " + translate("keys.list.and_more", language, count=format_count(more, language))
        return translate_count("keys.list.not_found", language, count=self.not_found_count, serials=serials)

    @rx.var(cache=True)
    def select_all_text(self) -> str:
        return translate(
            "keys.list.select_all_matching", self.language, count=format_count(self.total, self.language)
        )

    @rx.var(cache=True)
    def total_text(self) -> str:
        return translate_count("keys.list.total", self.language, count=self.total)

    def _query(self) -> UnitQuery:
        return UnitQuery(
            serial_search=self.serial_search,
            kind=self.kind,
            model=self.model,
            medium=self.medium,
            assigned=self.assigned,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=PAGE_SIZE,
        )

    def _row(self, row: UnitRow) -> dict[str, str]:
        return {
            "id": str(row.id),
            "serial": row.serial,
            "manufacturer": row.manufacturer,
            "kind": attribute_text("keys.list.kind", row.kind, self.language),
            "model": row.model,
            "medium": attribute_text("keys.list.medium", row.medium, self.language),
            "readers": str(row.readers),
            "updated": format_local_time(row.updated_at, self.language),
            "selected": self._selected_mark(row.id),
        }

    def _page_reader(self, caller: Caller) -> PageReader:
        query = self._query()

        def read(db: Session) -> Page:
            found = list_units(db, caller, query)
            return Page([self._row(row) for row in found.rows], found.total, found.page, found.pages)

        return read

    @rx.event
    async def load(self):
        if self.role == Role.KEY_READER.value:
            # A key reader's start page is their own list.
            return rx.redirect(routes.KEYS_READER)
        caller = await self._lister("load")

        found = await read_in_thread(lambda db: unit_filter_options(db, caller))
        self.model_options = list(found.models)
        self.medium_options = [
            {"value": medium, "label": attribute_text("keys.list.medium", medium, self.language)}
            for medium in found.media
        ]
        await self._reload(caller)
        return None

    async def _on_filters(self, caller: Caller) -> None:
        # A new filter starts a new selection: "all matching" always means what is listed.
        self._set_selection(set())
        search = self.serial_search
        missing = await read_in_thread(lambda db: serials_not_found(db, caller, search))
        self.not_found_serials, self.not_found_count = missing[:NOT_FOUND_SHOWN], len(missing)

    @rx.event
    async def reset_filters(self):
        caller = await self._lister("reset_filters")
        self.serial_search = self.kind = self.model = self.medium = self.assigned = ""
        self.not_found_serials, self.not_found_count = [], 0
        self.page = 1
        self.filter_generation += 1
        self._set_selection(set())
        await self._reload(caller)

    @rx.event
    async def select_all_matching(self):
        caller = await self._lister("select_all_matching")
        query = self._query()

        self._set_selection(set(await read_in_thread(lambda db: matching_unit_ids(db, caller, query))))
