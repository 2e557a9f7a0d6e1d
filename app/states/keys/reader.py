"""The key reader's page: only the units assigned to them; a key shows on "Show" (audited).

The list holds serial, kind and model; a shown key is written into its row by a script and
never kept in state. "Download" exports the ticked units (asking the password again if the
sign-in is old).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from app.db import session_scope
from app.i18n import translate
from app.models import Role
from app.services.keys.read_rights import ShownKey, reader_units, show_key
from app.services.keys.units import UnitPage, UnitQuery
from app.states.form import form_text
from app.states.keys.calls import reveal_script, run_key_call
from app.states.keys.display import attribute_text, format_count, int_or_none
from app.states.keys.export import ExportFlow
from app.states.session import SessionState

PAGE_SIZE = 50


def reader_key_element(unit_id: str | int) -> str:
    return f"reader-key-{unit_id}"


class KeyReaderState(ExportFlow, SessionState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    selected_count: int = 0
    errors: dict[str, str] = {}
    export_open: bool = False
    reauth_open: bool = False
    pending_format: str = ""
    _selected_ids: set[int] = set()

    @rx.var(cache=True)
    def selected_text(self) -> str:
        return translate("keys.list.selected", self.language,
                         count=format_count(self.selected_count, self.language))  # fmt: skip

    @rx.var(cache=True)
    def page_text(self) -> str:
        return translate("keys.list.page_of", self.language, page=self.page, pages=self.page_count)

    def _export_ids(self) -> list[int]:
        return sorted(self._selected_ids)

    async def _reload(self, caller) -> None:
        query = UnitQuery(page=self.page, page_size=PAGE_SIZE)

        def fetch() -> UnitPage:
            with session_scope() as db:
                return reader_units(db, caller, query)

        found = await asyncio.to_thread(fetch)
        self.total, self.page, self.page_count = found.total, found.page, max(1, found.pages)
        self.rows = [
            {"id": str(row.id), "serial": row.serial,
             "kind": attribute_text("keys.list.kind", row.kind, self.language), "model": row.model,
             "selected": "1" if row.id in self._selected_ids else ""}
            for row in found.rows
        ]  # fmt: skip

    def _set_selection(self, ids: set[int]) -> None:
        self._selected_ids = ids
        self.selected_count = len(ids)
        self.rows = [{**row, "selected": "1" if int(row["id"]) in ids else ""} for row in self.rows]

    @rx.event
    async def load(self):
        caller = self._require(Role.KEY_READER, handler="load")
        self.errors = {}
        self.export_open = self.reauth_open = False
        await self._reload(caller)

    @rx.event
    async def go_to_page(self, page: int):
        caller = self._require(Role.KEY_READER, handler="go_to_page")
        self.page = min(max(1, int_or_none(page) or 1), self.page_count)
        await self._reload(caller)

    @rx.event
    def toggle_row(self, unit_id: str, checked: bool) -> None:
        self._require(Role.KEY_READER, handler="toggle_row")
        wanted = int_or_none(unit_id)
        if wanted not in {int(row["id"]) for row in self.rows}:
            return
        self._set_selection(self._selected_ids | {wanted} if checked else self._selected_ids - {wanted})

    @rx.event
    def select_page(self) -> None:
        self._require(Role.KEY_READER, handler="select_page")
        self._set_selection(self._selected_ids | {int(row["id"]) for row in self.rows})

    @rx.event
    def clear_selection(self) -> None:
        self._require(Role.KEY_READER, handler="clear_selection")
        self._set_selection(set())

    @rx.event
    async def show(self, unit_id: str):
        caller = self._require(Role.KEY_READER, handler="show")
        wanted = int_or_none(unit_id)
        if wanted is None:
            return None

        def work() -> ShownKey:
            with session_scope() as db:
                return show_key(db, caller, wanted)

        done = await run_key_call(self, work)
        if not done.ok or done.value is None:
            return None
        return rx.call_script(reveal_script(reader_key_element(wanted), done.value.encryption_key_hex,
                                            done.value.authentication_key_hex, self.language))  # fmt: skip

    @rx.event
    async def download(self, form: dict):
        caller = self._require(Role.KEY_READER, handler="download")
        return await self._export(caller, form_text(form, "format"))

    @rx.event
    def set_reauth_open(self, is_open: bool) -> None:
        self._require(Role.KEY_READER, handler="set_reauth_open")
        self.reauth_open = is_open
        if not is_open:
            self.errors = {}
            self.pending_format = ""

    @rx.event
    async def reauthenticate(self, form: dict):
        caller = self._require(Role.KEY_READER, handler="reauthenticate")
        return await self._reauthenticate_and_export(caller, form)
