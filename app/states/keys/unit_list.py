"""The distributor's key list: one page of units (never a key), its filter, sort and the selection.

The selection lives on the server as unit ids in a backend-only var: "select all 2,431 matching"
never sends thousands of ids to the browser. Read rights and exports (substates) act on it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import Role
from app.services.caller import Caller
from app.services.keys.units import (
    UnitPage,
    UnitQuery,
    UnitRow,
    list_units,
    matching_unit_ids,
    unit_filter_options,
)
from app.states.form import form_text
from app.states.keys.display import attribute_text, format_count, format_time, int_or_none
from app.states.session import SessionState

PAGE_SIZE = 50
SORT_COLUMNS = ("serial", "kind", "model", "medium", "readers", "updated_at")
KINDS = ("meter", "concentrator")
ASSIGNED_CHOICES = ("assigned", "unassigned")
# A pasted list of serials may be long, but not unbounded.
SEARCH_LIMIT = 20_000


class KeyListState(SessionState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
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
    selected_count: int = 0
    # Bumped when the filter form is reset, so its uncontrolled fields start again.
    filter_generation: int = 0
    _selected_ids: set[int] = set()

    @rx.var(cache=True)
    def selected_text(self) -> str:
        return translate("keys.list.selected", self.language,
                         count=format_count(self.selected_count, self.language))  # fmt: skip

    @rx.var(cache=True)
    def select_all_text(self) -> str:
        return translate("keys.list.select_all_matching", self.language,
                         count=format_count(self.total, self.language))  # fmt: skip

    @rx.var(cache=True)
    def total_text(self) -> str:
        return translate("keys.list.total", self.language, count=format_count(self.total, self.language))

    @rx.var(cache=True)
    def page_text(self) -> str:
        return translate("keys.list.page_of", self.language, page=self.page, pages=self.page_count)

    def _query(self) -> UnitQuery:
        return UnitQuery(
            serial_search=self.serial_search, kind=self.kind, model=self.model, medium=self.medium,
            assigned=self.assigned, sort=self.sort, descending=self.descending, page=self.page,
            page_size=PAGE_SIZE,
        )  # fmt: skip

    def _row(self, row: UnitRow) -> dict[str, str]:
        return {
            "id": str(row.id), "serial": row.serial, "manufacturer": row.manufacturer,
            "kind": attribute_text("keys.list.kind", row.kind, self.language), "model": row.model,
            "medium": attribute_text("keys.list.medium", row.medium, self.language),
            "readers": str(row.readers), "updated": format_time(row.updated_at),
            "selected": "1" if row.id in self._selected_ids else "",
        }  # fmt: skip

    def _show(self, unit_page: UnitPage) -> None:
        self.total = unit_page.total
        self.page_count = max(1, unit_page.pages)
        self.page = unit_page.page
        self.rows = [self._row(row) for row in unit_page.rows]

    async def _reload(self, caller: Caller) -> None:
        query = self._query()

        def fetch() -> UnitPage:
            with session_scope() as db:
                return list_units(db, caller, query)

        self._show(await asyncio.to_thread(fetch))

    def _mark_selection(self) -> None:
        self.selected_count = len(self._selected_ids)
        self.rows = [
            {**row, "selected": "1" if int(row["id"]) in self._selected_ids else ""} for row in self.rows
        ]

    def _set_selection(self, ids: set[int]) -> None:
        self._selected_ids = ids
        self._mark_selection()

    @rx.event
    async def load(self):
        if self.role == Role.KEY_READER.value:
            # A key reader's start page is their own list.
            return rx.redirect(routes.KEYS_READER)
        caller = self._require(Role.DISTRIBUTOR, handler="load")

        def options():
            with session_scope() as db:
                return unit_filter_options(db, caller)

        found = await asyncio.to_thread(options)
        self.model_options = list(found.models)
        self.medium_options = [
            {"value": medium, "label": attribute_text("keys.list.medium", medium, self.language)}
            for medium in found.media
        ]
        await self._reload(caller)
        return None

    @rx.event
    async def apply_filters(self, form: dict):
        caller = self._require(Role.DISTRIBUTOR, handler="apply_filters")
        self.serial_search = form_text(form, "serial_search")[:SEARCH_LIMIT]
        self.kind = _one_of(form_text(form, "kind"), KINDS)
        self.model = form_text(form, "model")[:100]
        self.medium = form_text(form, "medium")[:40]
        self.assigned = _one_of(form_text(form, "assigned"), ASSIGNED_CHOICES)
        self.page = 1
        # A new filter starts a new selection: "all matching" always means what is listed.
        self._set_selection(set())
        await self._reload(caller)

    @rx.event
    async def reset_filters(self):
        caller = self._require(Role.DISTRIBUTOR, handler="reset_filters")
        self.serial_search = self.kind = self.model = self.medium = self.assigned = ""
        self.page = 1
        self.filter_generation += 1
        self._set_selection(set())
        await self._reload(caller)

    @rx.event
    async def sort_by(self, column: str):
        caller = self._require(Role.DISTRIBUTOR, handler="sort_by")
        if column not in SORT_COLUMNS:
            return
        self.descending = not self.descending if column == self.sort else False
        self.sort = column
        self.page = 1
        await self._reload(caller)

    @rx.event
    async def go_to_page(self, page: int):
        caller = self._require(Role.DISTRIBUTOR, handler="go_to_page")
        self.page = min(max(1, int_or_none(page) or 1), self.page_count)
        await self._reload(caller)

    @rx.event
    def toggle_row(self, unit_id: str, checked: bool) -> None:
        self._require(Role.DISTRIBUTOR, handler="toggle_row")
        # Only a row of the page the server listed can be ticked: ids come from the browser.
        listed = {int(row["id"]) for row in self.rows}
        wanted = int_or_none(unit_id)
        if wanted not in listed:
            return
        self._set_selection(self._selected_ids | {wanted} if checked else self._selected_ids - {wanted})

    @rx.event
    def select_page(self) -> None:
        self._require(Role.DISTRIBUTOR, handler="select_page")
        self._set_selection(self._selected_ids | {int(row["id"]) for row in self.rows})

    @rx.event
    async def select_all_matching(self):
        caller = self._require(Role.DISTRIBUTOR, handler="select_all_matching")
        query = self._query()

        def matching() -> list[int]:
            with session_scope() as db:
                return matching_unit_ids(db, caller, query)

        self._set_selection(set(await asyncio.to_thread(matching)))

    @rx.event
    def clear_selection(self) -> None:
        self._require(Role.DISTRIBUTOR, handler="clear_selection")
        self._set_selection(set())


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""
