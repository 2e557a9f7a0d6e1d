"""Transfers: the key list's "Transfer" menu (Send, Request, Activities), its two dialogs, and the
"Transfer activities" page (Open / Closed, server-paged; a row's serials; accept, decline, cancel).

As the key service's user guide (Swedish) names them: "Överför" -> "Skicka" opens "Skicka
enhetsöverföring" (Vald: N enheter, Användarens e-post, the arrow, Fortsätt, Begär kod, Skicka nu);
"Begär" takes serial numbers (Lägg till i listan, Fortsätt, the robot check, Begär nu);
"Aktiviteter" lists the transfers.
"""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.data_table import column_headers
from app.components.dialogs import close_button, dialog
from app.components.fields import form_error, scripted_form, text_area_field, text_field
from app.components.page_heading import page_heading
from app.components.paged_table import Column, paged_table
from app.components.robot_check import robot_check
from app.components.row_button import row_button
from app.components.template import template
from app.models import Role
from app.states.keys.transfers import (
    ANSWER,
    REQUEST,
    SEND,
    SERIALS,
    STEP_CODE,
    STEP_RECIPIENT,
    STEP_ROBOT,
    STEP_SERIALS,
    STEP_WARNING,
)
from app.states.keys.transfers import TransferActivitiesState as A
from app.states.keys.transfers import TransferDialogsState as D

TRANSFER_MENU = "transfer-menu"


def transfer_menu() -> rx.Component:
    """ "Transfer" beside the selection: Send (the selected units), Request, Activities."""
    t = D.t
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("arrow-left-right", size=16),
                t["keys.transfer.menu"],
                rx.icon("chevron-down", size=14),
                size="2",
                high_contrast=True,
                variant="soft",
                id=TRANSFER_MENU,
            ),
        ),
        rx.menu.content(
            rx.menu.item(t["keys.transfer.menu.send"], on_click=D.open_send, disabled=D.selected_count == 0),
            rx.menu.item(t["keys.transfer.menu.request"], on_click=D.open_request),
            rx.menu.item(t["keys.transfer.menu.activities"], on_click=rx.redirect(routes.KEYS_TRANSFERS)),
        ),
    )


def _buttons(*buttons: rx.Component) -> rx.Component:
    return rx.hstack(*buttons, spacing="3", justify="end", width="100%")


def _cancel() -> rx.Component:
    return close_button(D.t["keys.transfer.cancel"])


def _send_recipient() -> rx.Component:
    t = D.t
    return rx.vstack(
        scripted_form(
            rx.hstack(
                rx.box(
                    text_field(
                        t["keys.transfer.send.email"],
                        "transfer-email",
                        D.errors["email"],
                        type="email",
                        autocomplete="email",
                        required=True,
                        name="email",
                        hint=t["keys.transfer.send.email_hint"],
                        default_value=D.recipient_email,
                    ),
                    flex="1",
                ),
                rx.button(
                    rx.icon("arrow-right", size=18),
                    type="submit",
                    size="3",
                    high_contrast=True,
                    aria_label=t["keys.transfer.send.check"],
                    id="transfer-check-recipient",
                    margin_top="1.6rem",
                ),
                align="start",
                spacing="2",
                width="100%",
            ),
            on_submit=D.check_send_recipient,
            reset_on_submit=False,
            key=D.form_generation.to_string(),
        ),
        rx.cond(
            D.recipient_organisation != "",
            rx.callout(
                D.recipient_text, icon="building-2", role="status", width="100%", id="transfer-recipient"
            ),
        ),
        _buttons(
            _cancel(),
            rx.button(
                t["keys.transfer.continue"],
                size="3",
                high_contrast=True,
                disabled=D.recipient_organisation == "",
                on_click=D.continue_send,
                id="transfer-continue",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _send_warning() -> rx.Component:
    t = D.t
    return rx.vstack(
        rx.callout(
            D.send_warning,
            icon="triangle-alert",
            color_scheme="amber",
            high_contrast=True,
            width="100%",
            id="transfer-warning",
        ),
        form_error(D.errors["form"]),
        _buttons(
            rx.button(
                t["keys.transfer.back"],
                size="3",
                variant="soft",
                color_scheme="gray",
                high_contrast=True,
                on_click=D.back_to_recipient,
            ),
            rx.button(
                t["keys.transfer.send.request_code"],
                size="3",
                high_contrast=True,
                on_click=D.request_code,
                id="transfer-request-code",
                auto_focus=True,
            ),
        ),
        spacing="3",
        width="100%",
    )


def _send_code() -> rx.Component:
    t = D.t
    return scripted_form(
        rx.vstack(
            rx.text(t["keys.transfer.send.code_sent"], size="2"),
            text_field(
                t["keys.transfer.send.code"],
                "transfer-code",
                D.errors["code"],
                name="code",
                required=True,
                autocomplete="one-time-code",
                input_mode="numeric",
                auto_focus=True,
            ),
            form_error(D.errors["form"]),
            _buttons(
                _cancel(),
                rx.button(
                    t["keys.transfer.send.send_now"],
                    type="submit",
                    size="3",
                    color_scheme="red",
                    high_contrast=True,
                    id="transfer-send-now",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=D.send_now,
        reset_on_submit=False,
        key="code-" + D.form_generation.to_string(),
    )


def _send_dialog() -> rx.Component:
    return dialog(
        D,
        SEND,
        D.t["keys.transfer.send.title"],
        D.send_title,
        rx.box(
            rx.match(
                D.send_step,
                (STEP_RECIPIENT, _send_recipient()),
                (STEP_WARNING, _send_warning()),
                (STEP_CODE, _send_code()),
                _send_recipient(),
            ),
            margin_top="var(--space-4)",
        ),
        dialog_id="transfer-send-dialog",
        return_focus_id=TRANSFER_MENU,
        max_width="36rem",
    )


def _serial_row(row: rx.Var) -> rx.Component:
    t = D.t
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row["serial"], font_family="var(--code-font-family)")),
        rx.table.cell(
            rx.cond(
                row["problem"] != "",
                rx.badge(row["note"], color_scheme="red", high_contrast=True),
                rx.badge(t["keys.transfer.request.ok"], color_scheme="green", high_contrast=True),
            )
        ),
        rx.table.cell(
            row_button(
                t["keys.transfer.request.remove"],
                row["serial"],
                D.remove_serial(row["serial"]),
                color_scheme="gray",
                type="button",
            )
        ),
        data_serial=row["serial"],
    )


def _request_serials() -> rx.Component:
    t = D.t
    return rx.vstack(
        scripted_form(
            rx.vstack(
                text_area_field(t["keys.transfer.request.serials"], "serials", D.errors["serials"], rows="3"),
                rx.button(
                    rx.icon("plus", size=16),
                    t["keys.transfer.request.add"],
                    type="submit",
                    size="2",
                    high_contrast=True,
                    variant="soft",
                    id="transfer-add-serials",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=D.add_serials,
            reset_on_submit=False,
            key="serials-" + D.form_generation.to_string(),
        ),
        rx.cond(
            D.request_count > 0,
            rx.vstack(
                rx.hstack(
                    rx.text(
                        D.request_count_text,
                        size="2",
                        weight="bold",
                        role="status",
                        id="transfer-serial-count",
                    ),
                    rx.spacer(),
                    rx.cond(
                        D.request_problems > 0,
                        rx.button(
                            t["keys.transfer.request.remove_marked"],
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            high_contrast=True,
                            on_click=D.remove_marked,
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.box(
                    rx.table.root(
                        column_headers(
                            t["keys.transfer.request.serial"],
                            t["keys.transfer.request.status"],
                            t["keys.transfer.col.actions"],
                        ),
                        rx.table.body(rx.foreach(D.request_rows, _serial_row)),
                        size="1",
                        width="100%",
                        id="transfer-serial-list",
                    ),
                    max_height="16rem",
                    overflow_y="auto",
                    width="100%",
                    tab_index=0,
                    role="region",
                    aria_label=t["keys.transfer.request.serials"],
                ),
                spacing="2",
                width="100%",
            ),
        ),
        _buttons(
            _cancel(),
            rx.button(
                t["keys.transfer.continue"],
                size="3",
                high_contrast=True,
                on_click=D.continue_request,
                disabled=D.request_count == 0,
                id="transfer-request-continue",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _request_robot() -> rx.Component:
    t = D.t
    return scripted_form(
        rx.vstack(
            rx.text(D.request_count_text, size="2", weight="bold"),
            rx.text(t["keys.transfer.request.robot"], size="2", id="robot-check-label"),
            robot_check(D.robot_challenge, D.language),
            rx.cond(
                D.errors["robot"], rx.text(D.errors["robot"], color_scheme="red", size="2", role="alert")
            ),
            form_error(D.errors["form"]),
            _buttons(
                rx.button(
                    t["keys.transfer.back"],
                    type="button",
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    high_contrast=True,
                    on_click=D.back_to_serials,
                ),
                rx.button(
                    t["keys.transfer.request.request_now"],
                    type="submit",
                    size="3",
                    high_contrast=True,
                    id="transfer-request-now",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=D.request_now,
        reset_on_submit=False,
        key="robot-" + D.form_generation.to_string(),
    )


def _request_dialog() -> rx.Component:
    return dialog(
        D,
        REQUEST,
        D.t["keys.transfer.request.title"],
        D.t["keys.transfer.request.description"],
        rx.box(
            rx.match(
                D.request_step,
                (STEP_SERIALS, _request_serials()),
                (STEP_ROBOT, _request_robot()),
                _request_serials(),
            ),
            margin_top="var(--space-4)",
        ),
        dialog_id="transfer-request-dialog",
        return_focus_id=TRANSFER_MENU,
        max_width="40rem",
    )


def transfer_dialogs() -> rx.Component:
    return rx.fragment(_send_dialog(), _request_dialog())


# ---------------------------------------------------------------- Transfer activities


def _answer_button(row: rx.Var, answer: str, color: str) -> rx.Component:
    t = A.t
    return rx.cond(
        row[answer] == "1",
        row_button(
            t[f"keys.transfer.answer.{answer}"],
            row["what"] + " " + row["when"],
            A.ask_answer(row["id"], answer),
            color_scheme=color,
        ),
    )


def _units_button(row: rx.Var) -> rx.Component:
    return rx.button(
        row["units"],
        rx.icon("list", size=14),
        size="1",
        variant="ghost",
        high_contrast=True,
        on_click=A.open_serials(row["id"]),
        aria_label=A.t["keys.transfer.serials_of"] + ": " + row["units"] + ", " + row["when"],
    )


def _outcome_or_answers(row: rx.Var) -> rx.Component:
    return rx.cond(
        A.tab == "closed",
        rx.text(row["outcome"], " ", row["decided"]),
        rx.hstack(
            _answer_button(row, "accept", "green"),
            _answer_button(row, "decline", "red"),
            _answer_button(row, "cancel", "gray"),
            spacing="2",
        ),
    )


ACTIVITY_COLUMNS = (
    Column("keys.transfer.col.when", "when", row_header=True, style={"white_space": "nowrap"}),
    Column("keys.transfer.col.what", "what"),
    Column("keys.transfer.col.direction", "direction"),
    Column("keys.transfer.col.units", cell=_units_button),
    Column("keys.transfer.col.counterparty", "counterparty"),
    Column("keys.transfer.col.started_by", "started_by"),
    Column(
        "",
        cell=_outcome_or_answers,
        title=rx.cond(A.tab == "closed", A.t["keys.transfer.col.outcome"], A.t["keys.transfer.col.actions"]),
    ),
)


def _serials_dialog() -> rx.Component:
    t = A.t
    return dialog(
        A,
        SERIALS,
        t["keys.transfer.serials_of"],
        A.chosen_text,
        rx.vstack(
            rx.el.ul(
                rx.foreach(
                    A.serial_rows,
                    lambda serial: rx.el.li(rx.text(serial, font_family="var(--code-font-family)", size="2")),
                ),
                id="transfer-serials",
                style={"columns": "3", "padding_left": "1.2rem", "width": "100%"},
            ),
            rx.hstack(
                rx.button(
                    t["keys.list.previous"],
                    size="1",
                    variant="soft",
                    high_contrast=True,
                    disabled=A.serial_page <= 1,
                    on_click=A.serials_page(A.serial_page - 1),
                ),
                rx.text(A.serial_page_text, size="2"),
                rx.button(
                    t["keys.list.next"],
                    size="1",
                    variant="soft",
                    high_contrast=True,
                    disabled=A.serial_page >= A.serial_page_count,
                    on_click=A.serials_page(A.serial_page + 1),
                ),
                rx.spacer(),
                close_button(t["keys.transfer.close"], size="2"),
                align="center",
                width="100%",
            ),
            spacing="3",
            margin_top="var(--space-4)",
            width="100%",
        ),
        dialog_id="transfer-serials-dialog",
        max_width="40rem",
    )


def _answer_dialog() -> rx.Component:
    t = A.t
    title = rx.match(
        A.chosen_answer,
        ("accept", t["keys.transfer.answer.accept.title"]),
        ("decline", t["keys.transfer.answer.decline.title"]),
        t["keys.transfer.answer.cancel.title"],
    )
    label = rx.match(
        A.chosen_answer,
        ("accept", t["keys.transfer.answer.accept"]),
        ("decline", t["keys.transfer.answer.decline"]),
        t["keys.transfer.answer.cancel"],
    )
    return dialog(
        A,
        ANSWER,
        title,
        A.answer_question,
        scripted_form(
            rx.vstack(
                form_error(A.errors["form"]),
                rx.hstack(
                    close_button(t["keys.transfer.cancel"], alert=True),
                    rx.button(
                        label,
                        type="submit",
                        size="3",
                        high_contrast=True,
                        color_scheme=rx.cond(A.chosen_answer == "accept", "red", "gray"),
                        id="transfer-answer-confirm",
                    ),
                    spacing="3",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="var(--space-4)",
            ),
            on_submit=A.answer,
            reset_on_submit=False,
        ),
        dialog_id="transfer-answer-dialog",
        alert=True,
    )


def _activities() -> rx.Component:
    t = A.t
    return paged_table(
        A,
        ACTIVITY_COLUMNS,
        table_id="transfer-table",
        empty_key="keys.transfer.none",
        row_id=None,
        row_props=lambda row: {"data_transfer": row["id"], "data_status": row["status"]},
        note=A.total_text,
        list_top="transfer-list-top",
        bar_label=t["keys.list.paging"],
        top_bar_label=t["keys.list.paging_top"],
        size="1",
    )


@template(
    routes.KEYS_TRANSFERS,
    title_key="title.keys_transfers",
    roles={Role.DISTRIBUTOR},
    on_load=A.load,
    wide=True,
)
def transfer_activities() -> rx.Component:
    t = A.t
    return rx.vstack(
        page_heading(
            t["keys.transfer.activities.title"],
            rx.link(rx.icon("key-round", size=16), t["portal.keys.title"], href=routes.KEYS_HOME),
        ),
        rx.text(t["keys.transfer.activities.intro"], size="3", max_width="60rem"),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(t["keys.transfer.tab.open"], value="open", id="transfer-tab-open"),
                rx.tabs.trigger(t["keys.transfer.tab.closed"], value="closed", id="transfer-tab-closed"),
                aria_label=t["keys.transfer.tabs"],
            ),
            # One panel per tab (Radix mounts the chosen one only): each the same server-paged list.
            *(
                rx.tabs.content(_activities(), value=tab, padding_top="var(--space-4)")
                for tab in ("open", "closed")
            ),
            value=A.tab,
            on_change=A.show_tab,
            width="100%",
        ),
        _serials_dialog(),
        _answer_dialog(),
        spacing="4",
        width="100%",
    )
