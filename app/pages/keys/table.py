"""A Radix-styled table whose scrolling box is a named, focusable region.

Radix's ``Table.Root`` scrolls in a viewport that no key reaches; a table without buttons (the
audit log, an import preview) would then be unreadable by keyboard on a narrow screen (axe:
scrollable-region-focusable). Same look (Radix's classes on plain elements), own scrolling box.
"""

from __future__ import annotations

import reflex as rx

from app.components.data_table import paging_bar

HEADER_CELL = "rt-TableCell rt-TableColumnHeaderCell"


def scrollable_table(*children: rx.Component, label: rx.Var | str, table_id: str) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.table(*children, id=table_id, class_name="rt-TableRootTable", style={"width": "100%"}),
            tab_index=0,
            role="region",
            aria_label=label,
            style={"overflow_x": "auto", "width": "100%"},
        ),
        class_name="rt-TableRoot rt-r-size-1 rt-variant-surface",
        style={"width": "100%"},
    )


def header(*labels: rx.Var | str) -> rx.Component:
    return rx.el.thead(
        rx.el.tr(
            *(rx.el.th(label, scope="col", class_name=HEADER_CELL) for label in labels),
            class_name="rt-TableRow",
        ),
        class_name="rt-TableHeader",
    )


def body(*children: rx.Component) -> rx.Component:
    return rx.el.tbody(*children, class_name="rt-TableBody")


def row(*cells: rx.Component) -> rx.Component:
    return rx.el.tr(*cells, class_name="rt-TableRow")


def row_header(*children: rx.Component | rx.Var | str, **props) -> rx.Component:
    return rx.el.th(*children, scope="row", class_name="rt-TableCell rt-TableRowHeaderCell", **props)


def cell(*children: rx.Component | rx.Var | str, **props) -> rx.Component:
    return rx.el.td(*children, class_name="rt-TableCell", **props)


def pager(state, note: rx.Var | None = None, *, list_top: str, top: bool = False) -> rx.Component:  # type: ignore[no-untyped-def]
    """Previous / "Page 2 of 49" / Next above (``top``) or under a key list (``state`` is a
    ``PagedList``). The top one carries the id ``list_top``; a page change from either scrolls
    back to it, so the new page is read from its first row (the sticky header left clear)."""
    t = state.t
    back_to_top = rx.call_script(
        f"document.getElementById({list_top!r})?.scrollIntoView({{block: 'nearest'}})"
    )
    bar = paging_bar(
        at_first=state.page <= 1,
        at_last=state.page >= state.page_count,
        on_previous=[state.go_to_page(state.page - 1), back_to_top],
        on_next=[state.go_to_page(state.page + 1), back_to_top],
        position=(state.page_text,),
        previous_label=t["keys.list.previous"],
        next_label=t["keys.list.next"],
        note=note,
        label=t["keys.list.paging_top"] if top else t["keys.list.paging"],
    )
    if not top:
        return bar
    return rx.box(bar, id=list_top, scroll_margin_top="6rem")
