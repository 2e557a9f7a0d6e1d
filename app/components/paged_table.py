"""A list drawn from its state: one page of rows as a table, an empty text, and the paging bar.

The state is a ``PagedList`` (``app/states/paging.py``): ``paged_table`` reads its ``rows``,
``page``, ``page_count``, ``page_text``, its ``TEXTS`` and, for a sortable column, ``sort``,
``descending`` and ``sort_by``. The page only declares the columns::

    paged_table(
        HanQueueState,
        (
            Column("han.col.number", cell=lambda row: rx.link(row["id"], href=...), row_header=True),
            Column("han.col.status", cell=lambda row: status_badge(row["status_label"], row["status"])),
            Column("han.col.meter", "meter", sort="meter"),  # a button that sorts by "meter"
        ),
        table_id="han-queue",
        empty_key="han.none",
    )
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx

from app.components import scrollable_table as plain
from app.components.data_table import column_headers, data_table, empty_state, paging_bar, sort_header


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header's text key and what a row's cell shows.

    The cell shows the row's ``field`` as text, or what ``cell(row)`` draws. ``row_header``: the
    cell names its row (``<th scope="row">``; the first column, usually). ``sort``: the header is
    a button that sorts the list by this name (one of the state's ``SORT_COLUMNS``). ``title``: a
    header that is not one text key (e.g. one that changes with a tab); it wins over ``title_key``.
    """

    title_key: str
    field: str = ""
    cell: Callable[[rx.Var], rx.Component | rx.Var] | None = None
    row_header: bool = False
    sort: str = ""
    # The cell's own style (e.g. ``{"white_space": "nowrap"}``).
    style: dict[str, str] | None = None
    title: rx.Var | None = None

    def content(self, row: rx.Var) -> rx.Component | rx.Var:
        return self.cell(row) if self.cell is not None else row[self.field]


def list_paging_bar(  # type: ignore[no-untyped-def]
    state,
    *,
    then: Sequence[Any] = (),
    note: rx.Var | str | None = None,
    label: rx.Var | str | None = None,
) -> rx.Component:
    """Previous / "Page 2 of 49" / Next of a ``PagedList``; ``then``: events after a page change.

    ``label`` names the bar as a navigation landmark (default: the state's ``TEXTS.label``, if any).
    """
    texts, t = state.TEXTS, state.t
    if label is None and texts.label:
        label = t[texts.label]
    return paging_bar(
        at_first=state.page <= 1,
        at_last=state.page >= state.page_count,
        on_previous=[state.go_to_page(state.page - 1), *then],
        on_next=[state.go_to_page(state.page + 1), *then],
        position=(state.page_text,),
        previous_label=t[texts.previous],
        next_label=t[texts.next],
        note=note,
        label=label,
    )


def top_paging_bar(  # type: ignore[no-untyped-def]
    state, *, list_top: str, note: rx.Var | str | None = None, label: rx.Var | str | None = None
) -> rx.Component:
    """The paging bar above a long list, carrying the id ``list_top``; see ``back_to_top``."""
    bar = list_paging_bar(state, then=(back_to_top(list_top),), note=note, label=label)
    return rx.box(bar, id=list_top, scroll_margin_top="6rem")


def back_to_top(list_top: str) -> rx.event.EventSpec:
    """After a page change, scroll back to the top bar (``list_top``): the new page is read from
    its first row, the sticky header left clear."""
    return rx.call_script(f"document.getElementById({list_top!r})?.scrollIntoView({{block: 'nearest'}})")


def paged_table(  # type: ignore[no-untyped-def]
    state,
    columns: Sequence[Column],
    *,
    table_id: str,
    empty_key: str = "",
    empty_when: rx.Var | None = None,
    scroll_label: rx.Var | str | None = None,
    row_id: str | None = "id",
    note: rx.Var | str | None = None,
    bar_label: rx.Var | str | None = None,
    row_props: Callable[[rx.Var], dict[str, Any]] | None = None,
    list_top: str | None = None,
    top_bar_label: rx.Var | str | None = None,
    size: str | None = None,
) -> rx.Component:
    """The state's page of rows under the columns' headers, the empty text, the paging bar.

    ``empty_when``: when the empty text shows (default: no rows). ``scroll_label``: the table
    scrolls in a focusable region of that name (a table without buttons stays readable by
    keyboard on a narrow screen); otherwise a Radix table.
    ``row_id``: the row field each ``<tr>`` carries as ``data-id`` (None: none); ``row_props``:
    more of a row's attributes, from the row (e.g. ``data_overdue``, a style).
    ``list_top``: a long list has a paging bar above it too (``top_paging_bar``, named
    ``top_bar_label``), and a page change from either bar scrolls back to it. ``size``: the Radix
    table's size.
    """
    t = state.t
    scrollable = scroll_label is not None

    def header_cell(column: Column) -> rx.Component | rx.Var:
        if column.sort:
            return sort_header(
                t[column.title_key],
                column.sort,
                sort=state.sort,
                descending=state.descending,
                on_sort=state.sort_by,
            )
        return column.title if column.title is not None else t[column.title_key]

    def row(item: rx.Var) -> rx.Component:
        cells = []
        for column in columns:
            content = column.content(item)
            style = {"style": column.style} if column.style else {}
            if scrollable:
                cells.append(
                    plain.row_header(content, **style) if column.row_header else plain.cell(content, **style)
                )
            elif column.row_header:
                cells.append(rx.table.row_header_cell(content, **style))
            else:
                cells.append(rx.table.cell(content, **style))
        props = {"data_id": item[row_id]} if row_id else {}
        if row_props is not None:
            props.update(row_props(item))
        return plain.row(*cells, **props) if scrollable else rx.table.row(*cells, **props)

    if scrollable:
        table = plain.scrollable_table(
            plain.header(*(header_cell(column) for column in columns)),
            plain.body(rx.foreach(state.rows, row)),
            label=scroll_label,
            table_id=table_id,
        )
    else:
        table = data_table(
            column_headers(*(header_cell(column) for column in columns)),
            state.rows,
            row,
            table_id=table_id,
            **({"size": size} if size else {}),
        )
    then = (back_to_top(list_top),) if list_top else ()
    return rx.vstack(
        top_paging_bar(state, list_top=list_top, note=note, label=top_bar_label)
        if list_top
        else rx.fragment(),
        table,
        empty_state(state.rows.length() == 0 if empty_when is None else empty_when, t[empty_key])
        if empty_key
        else rx.fragment(),
        list_paging_bar(state, then=then, note=note, label=bar_label),
        spacing="3",
        width="100%",
    )
