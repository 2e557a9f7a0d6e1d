"""The key lists' paging bar, above and under the list (see ``app.components.paged_table``)."""

from __future__ import annotations

import reflex as rx

from app.components.paged_table import back_to_top, list_paging_bar, top_paging_bar

# The plain table's parts moved to app.components.scrollable_table; pages written before the move
# (``from app.pages.keys import table``) still find them here.
from app.components.scrollable_table import (  # noqa: F401
    body,
    cell,
    header,
    row,
    row_header,
    scrollable_table,
)


def pager(state, note: rx.Var | None = None, *, list_top: str, top: bool = False) -> rx.Component:  # type: ignore[no-untyped-def]
    """Previous / "Page 2 of 49" / Next above (``top``) or under a key list (``state`` is a
    ``PagedList``). The top one carries the id ``list_top``; a page change from either scrolls
    back to it, so the new page is read from its first row (the sticky header left clear)."""
    t = state.t
    if top:
        return top_paging_bar(state, list_top=list_top, note=note, label=t["keys.list.paging_top"])
    return list_paging_bar(state, then=(back_to_top(list_top),), note=note, label=t["keys.list.paging"])
