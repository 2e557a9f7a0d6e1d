"""Lists as tables: header cells (sortable ones carry aria-sort), rows, a paging bar, an empty state.

Every list page of the portals (key units, the key reader's units, pre-notifications, the staff
queue, accounts) is a Radix table of one server-side page; these are its parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx


def column_headers(*labels: rx.Var | str | rx.Component) -> rx.Component:
    """The header row; a label that is already a cell (``sort_header``) is used as it is."""
    return rx.table.header(
        rx.table.row(
            *(
                label if isinstance(label, rx.Component) else rx.table.column_header_cell(label, scope="col")
                for label in labels
            )
        )
    )


def data_table(
    header: rx.Component,
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    *,
    table_id: str,
    **props,  # type: ignore[no-untyped-def]
) -> rx.Component:
    """One page of ``rows``, each drawn by ``render_row``, under ``header`` (see ``column_headers``)."""
    return rx.table.root(
        header,
        rx.table.body(rx.foreach(rows, render_row)),
        id=table_id,
        width="100%",
        variant="surface",
        **props,
    )


def sort_header(
    label: rx.Var | str, column: str, *, sort: rx.Var, descending: rx.Var, on_sort: Callable
) -> rx.Component:
    """A column header that sorts by ``column``: a button, the direction told by aria-sort and an arrow."""
    current = sort == column
    return rx.table.column_header_cell(
        rx.button(
            label,
            rx.cond(
                current,
                rx.cond(descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                rx.icon("arrow-up-down", size=14, color="var(--gray-9)"),
            ),
            variant="ghost",
            size="2",
            high_contrast=True,
            on_click=on_sort(column),
        ),
        aria_sort=rx.cond(current, rx.cond(descending, "descending", "ascending"), "none"),
        scope="col",
    )


def empty_state(is_empty: rx.Var, text: rx.Var | str) -> rx.Component:
    """What an empty list says instead of rows."""
    return rx.cond(is_empty, rx.text(text, size="2", color_scheme="gray"))


def paging_bar(
    *,
    at_first: rx.Var,
    at_last: rx.Var,
    on_previous: rx.EventSpec | list[rx.EventSpec],
    on_next: rx.EventSpec | list[rx.EventSpec],
    position: Sequence[rx.Var | str],
    previous_label: rx.Var | str,
    next_label: rx.Var | str,
    note: rx.Var | str | None = None,
    label: rx.Var | str | None = None,
) -> rx.Component:
    """Previous / "Page 2 of 49" (``position``) / Next under a list; ``label`` names it as navigation."""
    landmark = {"role": "navigation", "aria_label": label} if label is not None else {}
    return rx.hstack(
        rx.button(
            previous_label,
            size="2",
            variant="soft",
            high_contrast=True,
            disabled=at_first,
            on_click=on_previous,
        ),
        rx.text(*position, size="2"),
        rx.button(
            next_label, size="2", variant="soft", high_contrast=True, disabled=at_last, on_click=on_next
        ),
        rx.text(note, size="2", color_scheme="gray") if note is not None else rx.fragment(),
        align="center",
        spacing="3",
        **landmark,
    )
