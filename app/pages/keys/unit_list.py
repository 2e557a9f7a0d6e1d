"""The distributor's start page: the key list (search, filters, sortable columns, paging, selection).

Desktop first (1440 px). Keys never appear here; a unit's key shows only in its readers panel.
"""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import field_label
from app.components.template import template
from app.pages.keys.unit_actions import action_dialogs, readers_button, selection_bar
from app.states.keys.unit_list import ASSIGNED_CHOICES, KINDS
from app.states.keys.unit_list import KeyListState as S

# Named for screen readers, not shown (the column of row checkboxes).
VISUALLY_HIDDEN = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                   "clip": "rect(0 0 0 0)", "white_space": "nowrap"}
SELECT_STYLE = {"min_height": "2.5rem", "padding": "0 var(--space-2)", "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-a7)", "background": "var(--color-surface)",
                "color": "var(--gray-12)", "font_size": "var(--font-size-2)", "min_width": "10rem"}


def _select(label: rx.Var, field_id: str, name: str, options: rx.Component, value: rx.Var) -> rx.Component:
    return rx.vstack(
        field_label(label, field_id),
        rx.el.select(
            rx.el.option(S.t["keys.list.any"], value=""),
            options,
            id=field_id, name=name, default_value=value, style=SELECT_STYLE,
        ),
        spacing="1",
    )


def _options(prefix: str, values: tuple[str, ...]) -> rx.Component:
    return rx.fragment(*(rx.el.option(S.t[f"{prefix}.{value}"], value=value) for value in values))


def _filters() -> rx.Component:
    t = S.t
    return rx.form(
        rx.hstack(
            rx.vstack(
                field_label(t["keys.list.search"], "serial-search"),
                rx.text_area(id="serial-search", name="serial_search", default_value=S.serial_search,
                             rows="1", size="2", width="20rem", aria_describedby="serial-search-hint",
                             resize="vertical"),
                rx.text(t["keys.list.search_hint"], id="serial-search-hint", size="1", color_scheme="gray"),
                spacing="1",
            ),
            _select(t["keys.list.kind"], "kind-filter", "kind", _options("keys.list.kind", KINDS), S.kind),
            _select(t["keys.list.model"], "model-filter", "model",
                    rx.foreach(S.model_options, lambda model: rx.el.option(model, value=model)), S.model),
            _select(t["keys.list.medium"], "medium-filter", "medium",
                    rx.foreach(S.medium_options, lambda m: rx.el.option(m["label"], value=m["value"])),
                    S.medium),
            _select(t["keys.list.assigned_filter"], "assigned-filter", "assigned",
                    _options("keys.list", ASSIGNED_CHOICES), S.assigned),
            rx.hstack(
                rx.button(t["keys.list.apply"], type="submit", size="2", high_contrast=True),
                rx.button(t["keys.list.reset"], type="button", size="2", variant="soft", color_scheme="gray",
                          high_contrast=True, on_click=S.reset_filters),
                spacing="2",
                padding_bottom="1.25rem",
            ),
            align="end",
            spacing="4",
            wrap="wrap",
        ),
        on_submit=S.apply_filters,
        role="search",
        aria_label=t["keys.list.search_region"],
        # A new key remounts the uncontrolled fields after "Reset".
        key=S.filter_generation.to_string(),
    )


def _sort_header(column: str, label: rx.Var) -> rx.Component:
    current = S.sort == column
    return rx.table.column_header_cell(
        rx.button(
            label,
            rx.cond(
                current,
                rx.cond(S.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                rx.icon("arrow-up-down", size=14, color="var(--gray-9)"),
            ),
            variant="ghost",
            size="2",
            high_contrast=True,
            on_click=S.sort_by(column),
        ),
        aria_sort=rx.cond(current, rx.cond(S.descending, "descending", "ascending"), "none"),
        scope="col",
    )


def _row(row: rx.Var) -> rx.Component:
    t = S.t
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=row["selected"] == "1",
                on_change=lambda checked: S.toggle_row(row["id"], checked),
                aria_label=t["keys.list.select_unit"] + " " + row["serial"],
                size="2",
            ),
        ),
        rx.table.row_header_cell(rx.text(row["serial"], font_family="var(--code-font-family)")),
        rx.table.cell(row["kind"]),
        rx.table.cell(row["model"]),
        rx.table.cell(row["medium"]),
        rx.table.cell(readers_button(row)),
        rx.table.cell(row["updated"]),
        data_unit=row["serial"],
    )


def _table() -> rx.Component:
    t = S.t
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(rx.el.span(t["keys.list.selection"], style=VISUALLY_HIDDEN),
                                            scope="col", width="3rem"),
                _sort_header("serial", t["keys.list.serial"]),
                _sort_header("kind", t["keys.list.kind"]),
                _sort_header("model", t["keys.list.model"]),
                _sort_header("medium", t["keys.list.medium"]),
                _sort_header("readers", t["keys.list.readers"]),
                _sort_header("updated_at", t["keys.list.updated"]),
            )
        ),
        rx.table.body(rx.foreach(S.rows, _row)),
        id="unit-table",
        width="100%",
        variant="surface",
        size="1",
    )


def pager(state, label: rx.Var) -> rx.Component:
    """Previous / "Page 2 of 49" / Next under a paged list."""
    t = state.t
    return rx.hstack(
        rx.button(t["keys.list.previous"], size="2", variant="soft", high_contrast=True,
                  disabled=state.page <= 1, on_click=state.go_to_page(state.page - 1)),
        rx.text(state.page_text, size="2"),
        rx.button(t["keys.list.next"], size="2", variant="soft", high_contrast=True,
                  disabled=state.page >= state.page_count, on_click=state.go_to_page(state.page + 1)),
        rx.text(label, size="2", color_scheme="gray"),
        align="center",
        spacing="3",
        aria_label=t["keys.list.paging"],
        role="navigation",
    )


@template(route=routes.KEYS_HOME, title="Krypteringsnøkler", on_load=S.load)
def key_list() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.hstack(
            rx.heading(t["portal.keys.title"], size="7", as_="h1"),
            rx.spacer(),
            rx.link(rx.icon("upload", size=16), t["nav.keys_import"], href=routes.KEYS_IMPORT),
            rx.link(rx.icon("scroll-text", size=16), t["nav.keys_audit"], href=routes.KEYS_AUDIT),
            align="center",
            spacing="4",
            width="100%",
        ),
        _filters(),
        selection_bar(),
        _table(),
        rx.cond(S.total == 0, rx.text(t["keys.list.none"], size="2", color_scheme="gray")),
        pager(S, S.total_text),
        action_dialogs(),
        spacing="4",
        width="100%",
    )
