"""The distributor's audit view: filter by action, person and date; paged; "Export CSV". Read only."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components import scrollable_table as table
from app.components.data_table import empty_state
from app.components.fields import field_error, field_label
from app.components.filters import apply_button, filter_form, filter_select, options_of, search_input
from app.components.page_heading import page_heading
from app.components.template import template
from app.models import Role
from app.pages.keys.table import pager
from app.states.keys.audit import KeyAuditState as S


def _date_field(label: rx.Var, field_id: str, name: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        field_label(label, field_id),
        rx.input(
            id=field_id,
            name=name,
            type="date",
            default_value=value,
            size="2",
            aria_describedby=f"{field_id}-error",
        ),
        field_error(S.errors[name], f"{field_id}-error"),
        spacing="1",
    )


def _filters() -> rx.Component:
    t = S.t
    return filter_form(
        filter_select(
            t["keys.audit.action"],
            "audit-action",
            "action",
            t["keys.list.any"],
            options_of(S.action_options),
            default_value=S.action,
        ),
        search_input(
            t["keys.audit.person"], "audit-person", "actor_email", width="16rem", default_value=S.actor_email
        ),
        _date_field(t["keys.audit.date_from"], "audit-from", "date_from", S.date_from),
        _date_field(t["keys.audit.date_to"], "audit-to", "date_to", S.date_to),
        apply_button(t["keys.list.apply"]),
        on_submit=S.apply_filters,
        aria_label=t["keys.audit.filter"],
    )


def _row(entry: rx.Var) -> rx.Component:
    return table.row(
        table.row_header(entry["at"], style={"white_space": "nowrap"}),
        table.cell(entry["actor"]),
        table.cell(entry["action"]),
        table.cell(
            rx.text(
                entry["units"],
                size="1",
                font_family="var(--code-font-family)",
                style={"word_break": "break-word"},
            ),
            style={"max_width": "22rem"},
        ),
        table.cell(entry["outcome"]),
        table.cell(rx.text(entry["detail"], size="1"), style={"max_width": "18rem"}),
    )


@template(
    routes.KEYS_AUDIT, title_key="title.keys_audit", roles={Role.DISTRIBUTOR}, on_load=S.load, wide=True
)
def key_audit() -> rx.Component:
    t = S.t
    return rx.vstack(
        page_heading(
            t["keys.audit.title"],
            rx.button(
                rx.icon("download", size=16),
                t["keys.audit.export_csv"],
                size="2",
                high_contrast=True,
                on_click=S.export_csv,
            ),
        ),
        rx.text(t["keys.audit.intro"], size="3", max_width="60rem"),
        _filters(),
        pager(S, S.total_text, list_top="audit-list-top", top=True),
        table.scrollable_table(
            table.header(
                *(
                    t[key]
                    for key in (
                        "keys.audit.at",
                        "keys.audit.person",
                        "keys.audit.action",
                        "keys.audit.units",
                        "keys.audit.outcome",
                        "keys.audit.detail",
                    )
                )
            ),
            table.body(rx.foreach(S.rows, _row)),
            label=t["keys.audit.title"],
            table_id="audit-table",
        ),
        empty_state(S.total == 0, t["keys.audit.none"]),
        pager(S, S.total_text, list_top="audit-list-top"),
        spacing="4",
        width="100%",
    )
