"""The key reader's page: their assigned units (serial, kind, model).

"Show" reveals a key (audited); "Download" exports the ticked ones.
"""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.data_table import column_headers, data_table, empty_state
from app.components.fields import form_error, scripted_form
from app.components.template import template
from app.models import Role
from app.pages.keys.reauth import reauth_dialog
from app.pages.keys.selection import selection_controls
from app.pages.keys.table import pager
from app.pages.keys.unit_actions import KEY_CSS, format_choice
from app.states.keys.reader import KeyReaderState as S

COLUMNS = ("keys.list.serial", "keys.list.kind", "keys.list.model", "keys.reader.key")


def _row(row: rx.Var) -> rx.Component:
    t = S.t
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=row["selected"] == "1",
                on_change=lambda checked: S.toggle_row(row["id"], checked),
                aria_label=t["keys.list.select_unit"] + " " + row["serial"],
            ),
        ),
        rx.table.row_header_cell(rx.text(row["serial"], font_family="var(--code-font-family)")),
        rx.table.cell(row["kind"]),
        rx.table.cell(row["model"]),
        rx.table.cell(
            rx.hstack(
                rx.el.code(id="reader-key-" + row["id"], aria_live="polite", class_name="mp-key"),
                rx.cond(
                    S.shown_ids.contains(row["id"]),
                    rx.button(
                        rx.icon("eye-off", size=14),
                        t["keys.reader.hide"],
                        size="1",
                        variant="soft",
                        high_contrast=True,
                        aria_label=t["keys.reader.hide_key_of"] + " " + row["serial"],
                        on_click=S.hide(row["id"]),
                    ),
                    rx.button(
                        rx.icon("eye", size=14),
                        t["keys.reader.show"],
                        size="1",
                        variant="soft",
                        high_contrast=True,
                        aria_label=t["keys.reader.show_key_of"] + " " + row["serial"],
                        on_click=S.show(row["id"]),
                    ),
                ),
                align="center",
                spacing="3",
            )
        ),
        data_unit=row["serial"],
    )


def _download_form() -> rx.Component:
    t = S.t
    return scripted_form(
        rx.hstack(
            format_choice(S),
            rx.button(
                rx.icon("download", size=16),
                t["keys.reader.download"],
                type="submit",
                size="2",
                high_contrast=True,
                disabled=S.selected_count == 0,
            ),
            align="end",
            spacing="4",
        ),
        form_error(S.errors["form"]),
        on_submit=S.download,
    )


@template(
    routes.KEYS_READER, title_key="title.keys_reader", roles={Role.KEY_READER}, on_load=S.load, wide=True
)
def key_reader() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.el.style(KEY_CSS),
        rx.heading(t["keys.reader.title"], size="7", as_="h1"),
        rx.text(t["keys.reader.intro"], size="3", max_width="60rem"),
        rx.hstack(
            *selection_controls(S),
            align="center",
            spacing="3",
            role="group",
            aria_label=t["keys.list.selection"],
        ),
        _download_form(),
        pager(S, list_top="reader-list-top", top=True),
        data_table(
            column_headers(
                rx.table.column_header_cell(t["keys.list.selection"], scope="col", width="6rem"),
                *(t[key] for key in COLUMNS),
            ),
            S.rows,
            _row,
            table_id="reader-table",
        ),
        empty_state(S.total == 0, t["keys.reader.none"]),
        pager(S, list_top="reader-list-top"),
        reauth_dialog(S),
        spacing="4",
        width="100%",
    )
