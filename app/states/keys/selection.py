"""Ticked units kept on the server: the distributor's list and the key reader's page both use it.

The selection is a backend-only set of unit ids: "select all 2,431 matching" never sends
thousands of ids to the browser, and a row's "selected" mark is derived from it.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from app.i18n import translate
from app.models import Role
from app.states.form import int_or_none
from app.states.keys.display import format_count


class UnitSelection(rx.State, mixin=True):
    """Mixed into a ``PagedList`` of units whose rows carry ``id`` and ``selected``."""

    LISTER: ClassVar[Role]
    selected_count: int = 0
    _selected_ids: set[int] = set()

    @rx.var(cache=True)
    def selected_text(self) -> str:
        return translate(
            "keys.list.selected",
            self.language,  # type: ignore[attr-defined]
            count=format_count(self.selected_count, self.language),
        )  # type: ignore[attr-defined]

    def _selected_mark(self, unit_id: int | None) -> str:
        return "1" if unit_id in self._selected_ids else ""

    def _set_selection(self, ids: set[int]) -> None:
        self._selected_ids = ids
        self.selected_count = len(ids)
        self.rows = [{**row, "selected": self._selected_mark(int(row["id"]))} for row in self.rows]  # type: ignore[has-type]

    def _listed_ids(self) -> set[int]:
        return {int(row["id"]) for row in self.rows}  # type: ignore[has-type]

    @rx.event
    async def toggle_row(self, unit_id: str, checked: bool) -> None:
        await self._checked(self.LISTER, handler="toggle_row")  # type: ignore[attr-defined]
        # Only a row of the page the server listed can be ticked: ids come from the browser.
        wanted = int_or_none(unit_id)
        if wanted is None or wanted not in self._listed_ids():
            return
        self._set_selection(self._selected_ids | {wanted} if checked else self._selected_ids - {wanted})

    @rx.event
    async def select_page(self) -> None:
        await self._checked(self.LISTER, handler="select_page")  # type: ignore[attr-defined]
        self._set_selection(self._selected_ids | self._listed_ids())

    @rx.event
    async def clear_selection(self) -> None:
        await self._checked(self.LISTER, handler="clear_selection")  # type: ignore[attr-defined]
        self._set_selection(set())
