"""The distributor's start page: the key list (search, filters, sortable columns, paging, selection).

Desktop first (1440 px). Keys never appear here; a unit's key shows only in its readers panel.
"""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.data_table import column_headers, data_table, empty_state, sort_header
from app.components.fields import field_label
from app.components.filters import apply_button, filter_form, filter_select, options_of
from app.components.page_heading import page_heading
from app.components.template import template
from app.models import Role
from app.pages.keys.table import pager
from app.pages.keys.transfers import transfer_dialogs
from app.pages.keys.unit_actions import action_dialogs, readers_button, selection_bar
from app.states.keys.unit_list import ASSIGNED_CHOICES, KINDS
from app.states.keys.unit_list import KeyListState as S

LIST_TOP = "unit-list-top"
# Named for screen readers, not shown (the column of row checkboxes).
VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


def _options(prefix: str, values: tuple[str, ...]) -> rx.Component:
    return rx.fragment(*(rx.el.option(S.t[f"{prefix}.{value}"], value=value) for value in values))


def _filters() -> rx.Component:
    t = S.t
    return filter_form(
        rx.vstack(
            field_label(t["keys.list.search"], "serial-search"),
            rx.text_area(
                id="serial-search",
                name="serial_search",
                default_value=S.serial_search,
                rows="1",
                size="2",
                width="20rem",
                aria_describedby="serial-search-hint",
                resize="vertical",
            ),
            # As wide as the box, so the hint wraps instead of widening the filter row.
            rx.text(
                t["keys.list.search_hint"],
                id="serial-search-hint",
                size="1",
                color_scheme="gray",
                max_width="20rem",
            ),
            spacing="1",
        ),
        filter_select(
            t["keys.list.kind"],
            "kind-filter",
            "kind",
            t["keys.list.any"],
            _options("keys.list.kind", KINDS),
            default_value=S.kind,
        ),
        filter_select(
            t["keys.list.model"],
            "model-filter",
            "model",
            t["keys.list.any"],
            rx.foreach(S.model_options, lambda model: rx.el.option(model, value=model)),
            default_value=S.model,
        ),
        filter_select(
            t["keys.list.medium"],
            "medium-filter",
            "medium",
            t["keys.list.any"],
            options_of(S.medium_options),
            default_value=S.medium,
        ),
        filter_select(
            t["keys.list.assigned_filter"],
            "assigned-filter",
            "assigned",
            t["keys.list.any"],
            _options("keys.list", ASSIGNED_CHOICES),
            default_value=S.assigned,
        ),
        rx.hstack(
            apply_button(t["keys.list.apply"]),
            rx.button(
                t["keys.list.reset"],
                type="button",
                size="2",
                variant="soft",
                color_scheme="gray",
                high_contrast=True,
                on_click=S.reset_filters,
            ),
            spacing="2",
            padding_bottom="1.25rem",
        ),
        on_submit=S.apply_filters,
        aria_label=t["keys.list.search_region"],
        # A new key remounts the uncontrolled fields after "Reset".
        key=S.filter_generation.to_string(),
    )


def _sort_header(column: str, label: rx.Var) -> rx.Component:
    return sort_header(label, column, sort=S.sort, descending=S.descending, on_sort=S.sort_by)


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
    return data_table(
        column_headers(
            rx.table.column_header_cell(
                rx.el.span(t["keys.list.selection"], style=VISUALLY_HIDDEN), scope="col", width="3rem"
            ),
            _sort_header("serial", t["keys.list.serial"]),
            _sort_header("kind", t["keys.list.kind"]),
            _sort_header("model", t["keys.list.model"]),
            _sort_header("medium", t["keys.list.medium"]),
            _sort_header("readers", t["keys.list.readers"]),
            _sort_header("updated_at", t["keys.list.updated"]),
        ),
        S.rows,
        _row,
        table_id="unit-table",
        size="1",
    )


def _not_found() -> rx.Component:
    """The pasted serials that are none of the organisation's units, named (never dropped silently)."""
    return rx.cond(
        S.not_found_count > 0,
        rx.callout(
            S.not_found_text,
            icon="triangle-alert",
            color_scheme="amber",
            high_contrast=True,
            role="status",
            id="serials-not-found",
            width="100%",
        ),
    )


@template(routes.KEYS_HOME, title_key="title.keys_home", roles={Role.DISTRIBUTOR}, on_load=S.load, wide=True)
def key_list() -> rx.Component:
    t = S.t
    return rx.vstack(
        page_heading(
            t["portal.keys.title"],
            rx.link(rx.icon("upload", size=16), t["nav.keys_import"], href=routes.KEYS_IMPORT),
            rx.link(rx.icon("scroll-text", size=16), t["nav.keys_audit"], href=routes.KEYS_AUDIT),
            rx.link(
                rx.icon("arrow-left-right", size=16),
                t["keys.transfer.activities.title"],
                href=routes.KEYS_TRANSFERS,
            ),
        ),
        _filters(),
        _not_found(),
        selection_bar(),
        pager(S, S.total_text, list_top=LIST_TOP, top=True),
        _table(),
        empty_state(S.total == 0, t["keys.list.none"]),
        pager(S, S.total_text, list_top=LIST_TOP),
        action_dialogs(),
        transfer_dialogs(),
        spacing="4",
        width="100%",
    )
