"""The key reader's page: only the units assigned to them; a key shows on "Show" (audited).

The list holds serial, kind and model; a shown key is written into its row by a script and
never kept in state. "Download" exports the ticked units (asking the password again if the
sign-in is old).
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.models import Role
from app.services.caller import Caller
from app.services.keys.read_rights import reader_units
from app.services.keys.units import UnitQuery
from app.states.dialog import DialogState
from app.states.form import form_text, int_or_none
from app.states.keys.display import attribute_text
from app.states.keys.export import ExportFlow
from app.states.keys.selection import UnitSelection
from app.states.paging import Page, PagedList, PageReader
from app.states.session import SessionState

PAGE_SIZE = 50


def reader_key_element(unit_id: str | int) -> str:
    return f"reader-key-{unit_id}"


class KeyReaderState(ExportFlow, DialogState, UnitSelection, PagedList, SessionState):
    LISTER: ClassVar[Role] = Role.KEY_READER
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.KEY_READER,)
    errors: dict[str, str] = {}
    # The units whose key is shown on the page (their ids only: the key lives in the page alone).
    shown_ids: list[str] = []

    def _export_ids(self) -> list[int]:
        return sorted(self._selected_ids)

    def _page_reader(self, caller: Caller) -> PageReader:
        query = UnitQuery(page=self.page, page_size=PAGE_SIZE)

        def read(db: Session) -> Page:
            found = reader_units(db, caller, query)
            rows = [
                {
                    "id": str(row.id),
                    "serial": row.serial,
                    "kind": attribute_text("keys.list.kind", row.kind, self.language),
                    "model": row.model,
                    "selected": self._selected_mark(row.id),
                }
                for row in found.rows
            ]
            return Page(rows, found.total, found.page, found.pages)

        return read

    @rx.event
    async def load(self):
        caller = await self._lister("load")
        self.errors = {}
        self.open_dialog = ""
        self.reauth_open = False
        self.pending_format = self.pending_reveal = ""
        self.shown_ids = []
        await self._reload(caller)

    @rx.event
    async def show(self, unit_id: str):
        caller = await self._checked(Role.KEY_READER, handler="show")
        wanted = int_or_none(unit_id)
        if wanted is None:
            return None

        return await self._reveal_asked(caller, wanted)

    async def _reveal_asked(self, caller, unit_id: int):  # type: ignore[no-untyped-def]
        revealed = await self._reveal(caller, unit_id, reader_key_element(unit_id))
        if revealed is not None and str(unit_id) not in self.shown_ids:
            self.shown_ids = [*self.shown_ids, str(unit_id)]
        return revealed

    @rx.event
    async def hide(self, unit_id: str):
        """Blank the shown key again; "Hide" turns back into "Show"."""
        await self._checked(Role.KEY_READER, handler="hide")
        wanted = int_or_none(unit_id)
        if wanted is None:
            return None
        self.shown_ids = [shown for shown in self.shown_ids if shown != str(wanted)]
        return rx.call_script(
            f"(() => {{ const e = document.getElementById({reader_key_element(wanted)!r}); "
            "if (e) { e.textContent = ''; } })()"
        )

    @rx.event
    async def download(self, form: dict):
        caller = await self._checked(Role.KEY_READER, handler="download")
        return await self._export(caller, form_text(form, "format"))
