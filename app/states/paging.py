"""Server-side paging: the state holds one page of a list, never the whole list.

Every list of the portals is a ``PagedList``: pages count from 1, the page is read off the event
loop (in a worker thread, its own transaction), the caller is checked on every event (off the
event loop too), and the filters and sort are applied by the query. A list is *declared*: its
role, its filters, its sort columns and the function that reads one page; the page draws it with
``app.components.paged_table.paged_table(state, columns, …)``.

Example, a whole list (state, then page)::

    class OrderQueueState(PagedList, SessionState):
        LISTER = Role.GRID_STAFF
        TEXTS = PagingTexts(page_of="han.page_of", previous="han.previous", next="han.next_page")
        FILTERS = (ListFilter("status_filter", field="status", choices=tuple(HanOrderStatus)),)
        status_filter: str = HanOrderStatus.RECEIVED.value

        def _page_reader(self, caller: Caller) -> PageReader:
            # On the event loop: copy what the query needs out of the state ...
            status, page, language = self.status_filter, self.page, self.language

            def read(db: Session) -> Page:
                # ... in a worker thread: one query, rows as text for the table.
                orders, total = list_orders(db, caller, status=status, page=page, page_size=self.PAGE_SIZE)
                return Page([{"id": str(o.id), "meter": o.meter_serial} for o in orders], total)

            return read

    @template(routes.STAFF_HAN, title_key="title.staff_han", roles={Role.GRID_STAFF},
              on_load=OrderQueueState.load)
    def staff_han_queue() -> rx.Component:
        return rx.vstack(
            list_filters(...),   # a filter_form whose on_submit is OrderQueueState.apply_filters
            paged_table(OrderQueueState, (Column("han.col.number", "id", row_header=True),
                                          Column("han.col.meter", "meter")),
                        table_id="han-queue", empty_key="han.none"),
        )

The base gives the events ``load`` (first page), ``go_to_page``, ``apply_filters`` (the declared
``FILTERS`` from the submitted form, back to page 1) and ``sort_by`` (one of ``SORT_COLUMNS``).
A list with more to do on load or on a new filter overrides the hooks ``_on_load`` /
``_on_filters`` rather than the events. ``clamp_page`` is what every list does with a page
number the browser asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.i18n import translate
from app.models import Role
from app.services.caller import Caller
from app.states.db_thread import read_in_thread
from app.states.form import form_checked, form_text, int_or_none


def page_count_for(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill; an empty list still has one (empty) page."""
    return max(1, -(-total // max(page_size, 1)))


def clamp_page(requested: object, page_count: int, *, first: int = 1) -> int:
    """The asked-for page, kept between the first and the last; garbage means the first."""
    wanted = int_or_none(requested)
    return min(max(first, first if wanted is None else wanted), page_count + first - 1)


@dataclass(frozen=True, slots=True)
class Page:
    """What a list's reader returns: one page of rows (text for the table) and how many match.

    ``page`` and ``page_count`` are the service's own when it settles them (e.g. it keeps the page
    within the rows there are); otherwise the asked page and ``total / PAGE_SIZE``.
    """

    rows: list[dict[str, str]]
    total: int
    page: int | None = None
    page_count: int | None = None


# Reads one page in its own session, in a worker thread (see ``PagedList._page_reader``).
PageReader = Callable[[Session], Page]


@dataclass(frozen=True, slots=True)
class PagingTexts:
    """The text keys of a list's paging bar: "Page 2 of 49", the buttons, the bar's name."""

    page_of: str = "keys.list.page_of"
    previous: str = "keys.list.previous"
    next: str = "keys.list.next"
    # The paging bar as a named navigation landmark ("" for none).
    label: str = ""


@dataclass(frozen=True, slots=True)
class ListFilter:
    """One filter of a list: the state var holding the applied value and the form field it comes from.

    ``choices``: only these values count (anything else means no filter); otherwise text, cut at
    ``limit``. ``checkbox``: a ticked box (the var is a bool).
    """

    var: str
    field: str = ""
    choices: tuple[str, ...] | None = None
    limit: int = 100
    strip: bool = False
    checkbox: bool = False

    def value(self, form: dict | None) -> str | bool:
        if self.checkbox:
            return form_checked(form, self.field or self.var)
        text = form_text(form, self.field or self.var)
        text = text.strip() if self.strip else text
        if self.choices is not None:
            return text if text in self.choices else ""
        return text[: self.limit]


class PagedList(rx.State, mixin=True):
    """One page of rows (``page`` counts from 1), its total and "Page 2 of 49".

    Mixed into a state that also has ``SessionState`` (``_require``, ``language``). The state names
    the role that may list (``LISTER``) and reads a page in ``_page_reader``; see the module's example.
    """

    if TYPE_CHECKING:  # the SessionState's own
        language: str

        def _require(self, *roles: Role, handler: str, db: Any = None) -> Caller: ...

        async def _checked(self, *roles: Role, handler: str) -> Caller: ...

    LISTER: ClassVar[Role]
    PAGE_SIZE: ClassVar[int] = 50
    TEXTS: ClassVar[PagingTexts] = PagingTexts()
    FILTERS: ClassVar[tuple[ListFilter, ...]] = ()
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = ()
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    # The applied sort (one of SORT_COLUMNS; "" for the query's own order).
    sort: str = ""
    descending: bool = False

    @rx.var(cache=True)
    def page_text(self) -> str:
        return translate(self.TEXTS.page_of, self.language, page=self.page, pages=self.page_count)

    def _page_reader(self, caller: Caller) -> PageReader:
        """The list's query: copy the filters from the state here, return what reads the page."""
        raise NotImplementedError

    async def _lister(self, handler: str) -> Caller:
        """The caller, checked (and a refusal audited under ``handler``) off the event loop."""
        return await self._checked(self.LISTER, handler=handler)

    async def _reload(self, caller: Caller) -> None:
        asked = self.page
        found = await read_in_thread(self._page_reader(caller))
        page_count = found.page_count or page_count_for(found.total, self.PAGE_SIZE)
        self._show_page(found.total, found.page or asked, page_count, found.rows)

    def _show_page(self, total: int, page: int, page_count: int, rows: list[dict[str, str]]) -> None:
        self.total, self.page, self.page_count = total, page, max(1, page_count)
        self.rows = rows

    async def _on_load(self, caller: Caller) -> None:
        """What a list does on load besides reading its first page (e.g. its filter's choices)."""

    async def _on_filters(self, caller: Caller) -> None:
        """What a list does when a filter is applied, before the first page is read."""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        caller = await self._lister("load")
        self.page = 1
        await self._on_load(caller)
        await self._reload(caller)

    @rx.event
    async def go_to_page(self, page: int):  # type: ignore[no-untyped-def]
        caller = await self._lister("go_to_page")
        self.page = clamp_page(page, self.page_count)
        await self._reload(caller)

    @rx.event
    async def apply_filters(self, form: dict):  # type: ignore[no-untyped-def]
        caller = await self._lister("apply_filters")
        for list_filter in self.FILTERS:
            setattr(self, list_filter.var, list_filter.value(form))
        self.page = 1
        await self._on_filters(caller)
        await self._reload(caller)

    @rx.event
    async def sort_by(self, column: str):  # type: ignore[no-untyped-def]
        caller = await self._lister("sort_by")
        if column not in self.SORT_COLUMNS:
            return
        self.descending = not self.descending if column == self.sort else False
        self.sort = column
        self.page = 1
        await self._reload(caller)
