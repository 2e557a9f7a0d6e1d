"""A Radix-styled table whose scrolling box is a named, focusable region.

Radix's ``Table.Root`` scrolls in a viewport that no key reaches; a table without buttons (the
audit log, an import preview) would then be unreadable by keyboard on a narrow screen (axe:
scrollable-region-focusable). Same look (Radix's classes on plain elements), own scrolling box.
"""

from __future__ import annotations

import reflex as rx

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


def header_cell(label: rx.Var | str) -> rx.Component:
    return rx.el.th(label, scope="col", class_name=HEADER_CELL)


def header(*labels: rx.Var | str | rx.Component) -> rx.Component:
    """The header row; a label that is already a cell is used as it is."""
    return rx.el.thead(
        rx.el.tr(
            *(label if isinstance(label, rx.Component) else header_cell(label) for label in labels),
            class_name="rt-TableRow",
        ),
        class_name="rt-TableHeader",
    )


def body(*children: rx.Component) -> rx.Component:
    return rx.el.tbody(*children, class_name="rt-TableBody")


def row(*cells: rx.Component, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.el.tr(*cells, class_name="rt-TableRow", **props)


def row_header(*children: rx.Component | rx.Var | str, **props) -> rx.Component:
    return rx.el.th(*children, scope="row", class_name="rt-TableCell rt-TableRowHeaderCell", **props)


def cell(*children: rx.Component | rx.Var | str, **props) -> rx.Component:
    return rx.el.td(*children, class_name="rt-TableCell", **props)
