"""The grid company's HAN port orders: the queue (received by default) and one order (desktop first)."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.dialogs import dialog_button, form_dialog
from app.components.fields import select_field, text_area_field, text_field
from app.components.filters import apply_button, filter_form, filter_select, options_of
from app.components.notes_list import notes_list
from app.components.page_heading import page_heading
from app.components.paged_table import Column, paged_table
from app.components.status_badge import status_badge
from app.components.template import template
from app.models import Role
from app.states.han.staff import HanOrderState as O
from app.states.han.staff import HanQueueState as Q

COLUMNS = (
    ("han.col.action", "action"),
    ("han.col.delivery", "delivery"),
    ("han.col.meter", "meter"),
    ("han.col.customer", "customer"),
    ("han.col.address", "address"),
    ("han.col.received", "received"),
)


def _number(item: rx.Var) -> rx.Component:
    return rx.link(
        item["id"],
        href=routes.STAFF_HAN_ORDER + "?id=" + item["id"],
        aria_label=Q.t["han.col.number"] + " " + item["id"],
    )


def _due(item: rx.Var) -> rx.Component:
    return rx.cond(
        item["overdue"] != "",
        rx.hstack(
            rx.text(item["due"], weight="bold", color_scheme="red", high_contrast=True),
            rx.badge(Q.t["han.overdue"], color_scheme="red", high_contrast=True, variant="solid"),
            spacing="2",
            align="center",
        ),
        rx.text(item["due"]),
    )


def _overdue_row(item: rx.Var) -> dict:
    return {
        "data_overdue": item["overdue"],
        "style": rx.cond(item["overdue"] != "", {"background": "var(--red-3)"}, {}),
    }


QUEUE_COLUMNS = (
    Column("han.col.number", cell=_number, row_header=True),
    Column("han.col.status", cell=lambda item: status_badge(item["status_label"], item["status"])),
    *(Column(key, field) for key, field in COLUMNS),
    Column("han.col.due", cell=_due),
)


@template(routes.STAFF_HAN, title_key="title.staff_han", roles={Role.GRID_STAFF}, on_load=Q.load)
def staff_han_queue() -> rx.Component:
    t = Q.t
    return rx.vstack(
        page_heading(t["han.queue_title"]),
        filter_form(
            filter_select(
                t["han.filter_status"],
                "status-filter",
                "status",
                t["han.all_statuses"],
                options_of(Q.statuses),
                default_value=Q.status_filter,
            ),
            rx.el.label(
                rx.el.input(
                    type="checkbox",
                    name="overdue",
                    id="overdue-filter",
                    default_checked=Q.overdue_only,
                    style={"width": "1.25rem", "height": "1.25rem", "margin": "0"},
                ),
                t["han.filter_overdue"],
                html_for="overdue-filter",
                class_name="rt-Text rt-r-size-2",
                style={
                    "display": "flex",
                    "gap": "var(--space-2)",
                    "align_items": "center",
                    "min_height": "2rem",
                },
            ),
            apply_button(t["han.apply_filter"]),
            on_submit=Q.apply_filters,
        ),
        # A focusable, named scrolling box: on a narrow screen an empty queue's header still scrolls.
        paged_table(
            Q,
            QUEUE_COLUMNS,
            table_id="han-queue",
            empty_key="han.none",
            scroll_label=t["han.queue_title"],
            row_props=_overdue_row,
        ),
        spacing="5",
        width="100%",
    )


def _pairs(keys_and_fields: list[tuple[str, str]]) -> rx.Component:
    return rx.el.dl(
        *(
            rx.fragment(
                rx.el.dt(O.t[key], style={"font_weight": "600"}),
                rx.el.dd(O.facts[field], style={"margin": "0 0 var(--space-2) 0"}),
            )
            for key, field in keys_and_fields
        ),
        style={"display": "grid", "grid_template_columns": "12rem 1fr", "gap": "0 var(--space-4)"},
    )


def _dialogs() -> rx.Component:
    t = O.t
    return rx.fragment(
        form_dialog(
            O,
            "complete",
            t["han.complete_title"],
            t["han.complete_question"],
            on_submit=O.complete,
            submit_label=t["han.complete"],
            cancel_label=t["han.cancel"],
            fields=(
                select_field(
                    t["han.port_state_after"],
                    "port_state",
                    O.port_states,
                    O.errors["port_state"],
                    default_value=O.facts["port_state_default"],
                ),
                text_field(
                    t["han.completed_on"],
                    "completed_on",
                    O.errors["completed_on"],
                    type="date",
                    default_value=O.today,
                ),
            ),
            dialog_id="han-complete-dialog",
        ),
        form_dialog(
            O,
            "reject",
            t["han.reject_title"],
            t["han.reject_question"],
            on_submit=O.reject,
            submit_label=t["han.reject"],
            cancel_label=t["han.cancel"],
            fields=(text_area_field(t["han.reason"], "reason", O.errors["reason"], required=True, rows="3"),),
            danger=True,
            dialog_id="han-reject-dialog",
        ),
        form_dialog(
            O,
            "note",
            t["han.note_title"],
            t["han.note_question"],
            on_submit=O.add_note,
            submit_label=t["han.save_note"],
            cancel_label=t["han.cancel"],
            fields=(text_area_field(t["han.note"], "note", O.errors["note"], required=True, rows="4"),),
            dialog_id="han-note-dialog",
        ),
    )


def _toolbar() -> rx.Component:
    t = O.t
    return rx.hstack(
        rx.button(
            t["han.take"], size="2", high_contrast=True, disabled=~O.can_take, on_click=O.take, id="han-take"
        ),
        dialog_button(
            O,
            "complete",
            t["han.complete"],
            size="2",
            high_contrast=True,
            disabled=~O.can_complete,
            id="han-complete",
        ),
        dialog_button(
            O,
            "reject",
            t["han.reject"],
            size="2",
            variant="soft",
            color_scheme="red",
            high_contrast=True,
            disabled=~O.can_reject,
            id="han-reject",
        ),
        dialog_button(
            O, "note", t["han.new_note"], size="2", variant="soft", high_contrast=True, id="han-note"
        ),
        rx.link(t["han.back_to_queue"], href=routes.STAFF_HAN),
        role="toolbar",
        aria_label=O.heading,
        spacing="2",
        align="center",
        wrap="wrap",
    )


@template(routes.STAFF_HAN_ORDER, title_key="title.staff_han_order", roles={Role.GRID_STAFF}, on_load=O.load)
def staff_han_order() -> rx.Component:
    t = O.t
    return rx.vstack(
        rx.hstack(
            rx.heading(O.heading, size="7", as_="h1"),
            status_badge(O.status_label, O.status, size="3", id="han-order-status"),
            align="center",
            spacing="4",
            wrap="wrap",
        ),
        _toolbar(),
        rx.cond(
            O.facts["overdue"],
            rx.callout(
                O.facts["overdue"] + ": " + O.facts["due"],
                icon="clock",
                color_scheme="red",
                high_contrast=True,
                width="100%",
                id="han-order-overdue",
            ),
        ),
        rx.cond(
            O.facts["reject_reason"],
            rx.callout(
                t["han.reason"] + ": " + O.facts["reject_reason"],
                icon="info",
                color_scheme="amber",
                high_contrast=True,
                width="100%",
            ),
        ),
        rx.grid(
            rx.card(
                rx.vstack(
                    rx.heading(t["han.col.action"], size="4", as_="h2"),
                    _pairs(
                        [
                            ("han.col.action", "action"),
                            ("han.col.delivery", "delivery"),
                            ("han.delivery_address", "delivery_address"),
                            ("han.comment", "comment"),
                            ("han.col.received", "received"),
                            ("han.col.due", "due"),
                            ("han.completed_on", "completed_on"),
                        ]
                    ),
                )
            ),
            rx.card(
                rx.vstack(
                    rx.heading(t["han.customer"], size="4", as_="h2"),
                    _pairs(
                        [
                            ("han.customer", "customer"),
                            ("han.mobile", "mobile"),
                            ("han.address", "address"),
                            ("han.installation_number", "installation_number"),
                            ("han.metering_point_id", "metering_point_id"),
                            ("han.meter_number", "meter"),
                            ("han.meter_model", "meter_model"),
                            ("han.port_state", "port"),
                        ]
                    ),
                )
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        notes_list(t["han.history"], O.history),
        _dialogs(),
        spacing="4",
        width="100%",
    )
