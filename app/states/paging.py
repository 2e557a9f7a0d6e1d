"""Server-side paging: the state holds one page of a list, never the whole list.

``PagedList`` is the async flavour the key pages use (pages count from 1; the page is read
off the event loop by the state's ``_reload``). ``clamp_page`` is what every list does with a
page number the browser asks for.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from app.i18n import translate
from app.models import Role
from app.services.caller import Caller


def int_or_none(value: object) -> int | None:
    """A browser-sent id or number as an int; anything else is none (the browser may send anything)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def page_count_for(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill; an empty list still has one (empty) page."""
    return max(1, -(-total // max(page_size, 1)))


def clamp_page(requested: object, page_count: int, *, first: int = 1) -> int:
    """The asked-for page, kept between the first and the last; garbage means the first."""
    wanted = int_or_none(requested)
    return min(max(first, first if wanted is None else wanted), page_count + first - 1)


class PagedList(rx.State, mixin=True):
    """One page of rows (``page`` counts from 1), its total and "Page 2 of 49".

    The state names the role that may page (``LISTER``) and loads the page in ``_reload``.
    """

    LISTER: ClassVar[Role]
    PAGE_TEXT_KEY: ClassVar[str] = "keys.list.page_of"
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    page_count: int = 1

    @rx.var(cache=True)
    def page_text(self) -> str:
        return translate(self.PAGE_TEXT_KEY, self.language, page=self.page, pages=self.page_count)  # type: ignore[attr-defined]

    async def _reload(self, caller: Caller) -> None:
        raise NotImplementedError

    def _show_page(self, total: int, page: int, page_count: int, rows: list[dict[str, str]]) -> None:
        self.total, self.page, self.page_count = total, page, max(1, page_count)
        self.rows = rows

    @rx.event
    async def go_to_page(self, page: int):
        caller = self._require(self.LISTER, handler="go_to_page")  # type: ignore[attr-defined]
        self.page = clamp_page(page, self.page_count)
        await self._reload(caller)
