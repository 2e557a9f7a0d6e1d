"""What the key list does with its selection: read rights (assign, revoke), export, a unit's readers.

"Edit read rights" (Redigera läsbehörigheter) opens a menu; "Assign" (Tilldela) opens the dialog
"Assign read rights" (Tilldela läsbehörigheter) with "User e-mail" (Användarens e-post).
"""

from __future__ import annotations

import reflex as rx

from app.components.dialogs import close_button, dialog, dialog_button, form_dialog
from app.components.fields import text_field
from app.pages.keys.reauth import reauth_dialog, reauth_inline
from app.pages.keys.selection import selection_controls
from app.pages.keys.transfers import transfer_menu
from app.states.keys.export import EXPORT_FORMATS
from app.states.keys.export import KeyExportState as E
from app.states.keys.read_rights import (
    ASSIGN,
    READERS,
    READERS_PANEL_CLOSE,
    REVOKE,
    REVOKE_BUTTON_PREFIX,
    REVOKE_EVERYWHERE,
    REVOKE_QUESTION,
    UNIT_KEY_ELEMENT,
)
from app.states.keys.read_rights import ReadRightsState as R
from app.states.keys.unit_list import KeyListState as S

# An unrevealed key shows as dots; screen readers hear the "Show" button beside it instead.
KEY_CSS = ".mp-key:empty::before { content: '••••••••••••••••'; color: var(--gray-9); }"


def selection_bar() -> rx.Component:
    t = S.t
    return rx.hstack(
        *selection_controls(
            S,
            count_width="9rem",
            between=(
                rx.button(
                    S.select_all_text,
                    size="2",
                    variant="soft",
                    high_contrast=True,
                    on_click=S.select_all_matching,
                    disabled=S.total == 0,
                ),
            ),
        ),
        rx.spacer(),
        rx.menu.root(
            # Disabled on the trigger too: the trigger's own (unset) data-disabled otherwise replaces
            # the button's, and the disabled button was styled as an active one.
            rx.menu.trigger(
                rx.button(
                    t["keys.list.edit_read_rights"],
                    rx.icon("chevron-down", size=14),
                    size="2",
                    high_contrast=True,
                    disabled=S.selected_count == 0,
                    id="edit-read-rights",
                ),
                custom_attrs={"disabled": S.selected_count == 0},
            ),
            rx.menu.content(
                rx.menu.item(t["keys.list.assign"], on_click=R.show_dialog(ASSIGN)),
                rx.menu.item(t["keys.list.revoke_selected"], on_click=R.show_dialog(REVOKE)),
            ),
        ),
        dialog_button(
            R,
            REVOKE_EVERYWHERE,
            t["keys.list.revoke_everywhere"],
            size="2",
            variant="soft",
            color_scheme="red",
            high_contrast=True,
            id="revoke-everywhere",
        ),
        transfer_menu(),
        dialog_button(
            E,
            "export",
            rx.fragment(rx.icon("download", size=16), t["keys.list.export"]),
            size="2",
            high_contrast=True,
            disabled=S.selected_count == 0,
            id="export-keys",
        ),
        align="center",
        spacing="3",
        wrap="wrap",
        width="100%",
        padding="var(--space-3)",
        border_radius="var(--radius-3)",
        background="var(--gray-a2)",
        role="group",
        aria_label=t["keys.list.selection"],
    )


def readers_button(row: rx.Var) -> rx.Component:
    """The reader count, and the way into the unit's readers panel."""
    return rx.button(
        row["readers"],
        rx.icon("users", size=14),
        size="1",
        variant="soft",
        high_contrast=True,
        aria_label=S.t["keys.list.readers_of"] + " " + row["serial"] + ": " + row["readers"],
        on_click=R.open_panel(row["id"]),
    )


def _email_field() -> rx.Component:
    return text_field(
        R.t["keys.dialog.user_email"],
        "reader-email",
        R.errors["email"],
        type="email",
        autocomplete="email",
        required=True,
        name="email",
    )


def _read_rights_dialogs() -> rx.Component:
    t = R.t
    common = {
        "cancel_label": t["keys.dialog.cancel"],
        "error": R.errors["form"],
        "return_focus_id": "edit-read-rights",
    }
    return rx.fragment(
        form_dialog(
            R,
            ASSIGN,
            t["keys.dialog.assign_title"],
            R.selected_text,
            on_submit=R.assign,
            submit_label=t["keys.dialog.assign"],
            fields=(_email_field(),),
            dialog_id="assign-dialog",
            **common,
        ),
        form_dialog(
            R,
            REVOKE,
            t["keys.dialog.revoke_title"],
            R.selected_text,
            on_submit=R.revoke_selected,
            submit_label=t["keys.dialog.revoke"],
            danger=True,
            fields=(_email_field(),),
            dialog_id="revoke-dialog",
            **common,
        ),
        form_dialog(
            R,
            REVOKE_EVERYWHERE,
            t["keys.dialog.revoke_everywhere_title"],
            t["keys.dialog.revoke_everywhere_description"],
            on_submit=R.revoke_everywhere,
            submit_label=t["keys.dialog.revoke"],
            danger=True,
            fields=(_email_field(),),
            dialog_id="revoke-everywhere-dialog",
            **common,
        ),
    )


def _export_dialog() -> rx.Component:
    t = E.t
    return form_dialog(
        E,
        "export",
        t["keys.dialog.export.title"],
        E.selected_text,
        on_submit=E.export,
        submit_label=t["keys.dialog.export.download"],
        cancel_label=t["keys.dialog.cancel"],
        fields=(format_choice(E),),
        error=E.errors["form"],
        dialog_id="export-dialog",
    )


def _format_option(t: rx.Var, fmt: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="format",
            value=fmt,
            default_checked=fmt == EXPORT_FORMATS[0],
            style={"margin": "0", "width": "1rem", "height": "1rem"},
        ),
        rx.text(t[f"keys.dialog.export.format.{fmt}"], as_="span", size="2"),
        style={"display": "flex", "gap": "var(--space-2)", "align_items": "center"},
    )


def format_choice(state) -> rx.Component:
    """The export formats as radio buttons in a fieldset (CSV chosen first)."""
    t = state.t
    return rx.el.fieldset(
        rx.el.legend(t["keys.dialog.export.format"], class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        rx.vstack(
            *(_format_option(t, fmt) for fmt in EXPORT_FORMATS),
            spacing="2",
            margin_top="var(--space-2)",
        ),
        rx.cond(
            state.errors["format"],
            rx.text(state.errors["format"], color_scheme="red", size="2", role="alert"),
        ),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _reader_row(reader: rx.Var) -> rx.Component:
    t = R.t
    return rx.table.row(
        rx.table.row_header_cell(reader["email"]),
        rx.table.cell(reader["name"]),
        rx.table.cell(reader["granted"]),
        rx.table.cell(rx.cond(reader["registered"], t["keys.dialog.registered"], t["keys.dialog.invited"])),
        rx.table.cell(
            rx.button(
                t["keys.dialog.revoke"],
                size="1",
                variant="soft",
                color_scheme="red",
                high_contrast=True,
                id=REVOKE_BUTTON_PREFIX + reader["email"],
                aria_label=t["keys.dialog.revoke"] + " " + reader["email"],
                on_click=R.ask_revoke_unit_reader(reader["email"]),
            )
        ),
    )


def _revoke_reader_dialog() -> rx.Component:
    """The readers panel's "Revoke" asks first: one click never takes a right away (asked on top
    of the open panel, which stays open beneath)."""
    t = R.t
    return form_dialog(
        R,
        REVOKE_QUESTION,
        t["keys.dialog.revoke_reader_title"],
        R.revoke_question,
        on_top=True,
        on_submit=R.revoke_unit_reader,
        submit_label=t["keys.dialog.revoke"],
        cancel_label=t["keys.dialog.cancel"],
        danger=True,
        dialog_id="revoke-reader-dialog",
        return_focus_id=READERS_PANEL_CLOSE,
    )


def _readers_panel() -> rx.Component:
    t = R.t
    return dialog(
        R,
        READERS,
        t["keys.dialog.readers_title"] + " " + R.panel_serial,
        t["keys.dialog.readers_description"],
        rx.vstack(
            rx.cond(
                R.panel_readers.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *(
                                rx.table.column_header_cell(t[key], scope="col")
                                for key in (
                                    "keys.dialog.user_email",
                                    "keys.dialog.name",
                                    "keys.dialog.granted",
                                    "keys.dialog.status",
                                    "keys.dialog.actions",
                                )
                            )
                        )
                    ),
                    rx.table.body(rx.foreach(R.panel_readers, _reader_row)),
                    width="100%",
                    size="1",
                ),
                rx.text(t["keys.dialog.no_readers"], size="2", color_scheme="gray"),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("eye", size=16),
                    t["keys.list.show_key"],
                    size="2",
                    variant="soft",
                    high_contrast=True,
                    on_click=R.show_unit_key,
                ),
                rx.el.code(id=UNIT_KEY_ELEMENT, aria_live="polite", class_name="mp-key"),
                align="center",
                spacing="3",
            ),
            reauth_inline(R, "unit-key-password"),
            rx.hstack(
                close_button(t["keys.dialog.close"], size="2", id=READERS_PANEL_CLOSE),
                justify="end",
                width="100%",
            ),
            spacing="4",
            margin_top="var(--space-4)",
        ),
        dialog_id="readers-dialog",
        max_width="48rem",
    )


def action_dialogs() -> rx.Component:
    return rx.fragment(
        rx.el.style(KEY_CSS),
        _read_rights_dialogs(),
        _export_dialog(),
        reauth_dialog(E),
        _readers_panel(),
        _revoke_reader_dialog(),
    )
