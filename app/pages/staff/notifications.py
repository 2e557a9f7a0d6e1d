"""The grid company's pre-notifications: the queue (For approval by default) and one notification."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.dialogs import confirm_dialog
from app.components.fields import field_label, text_area_field
from app.components.template import template
from app.services.installer.form_fields import PARTY_FIELDS
from app.states.staff.notifications import StaffNotificationState as N
from app.states.staff.notifications import StaffQueueState as Q


def _filters() -> rx.Component:
    t = Q.t
    return rx.form(
        rx.hstack(
            rx.vstack(
                field_label(t["installer.filter_status"], "status-filter"),
                rx.el.select(
                    rx.el.option(t["installer.all_statuses"], value=""),
                    rx.foreach(Q.statuses, lambda s: rx.el.option(s["label"], value=s["value"])),
                    id="status-filter",
                    name="status",
                    default_value=Q.status_filter,
                    class_name="rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface mp-native-select",
                ),
                spacing="1",
            ),
            rx.vstack(
                field_label(t["installer.search"], "search"),
                rx.input(id="search", name="search", type="search", size="2", width="24rem"),
                spacing="1",
            ),
            rx.button(t["installer.apply_filter"], type="submit", size="2", high_contrast=True),
            align="end",
            spacing="4",
            wrap="wrap",
        ),
        on_submit=Q.apply_filters,
        role="search",
    )


def _queue_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row["id"], href=routes.STAFF_NOTIFICATION + "?id=" + row["id"])),
        rx.table.cell(rx.badge(row["status_label"], high_contrast=True, variant="soft")),
        rx.table.cell(row["address"]),
        rx.table.cell(row["owner"]),
        rx.table.cell(row["meter_number"]),
        rx.table.cell(row["updated_at"]),
        data_id=row["id"],
    )


@template(route=routes.STAFF_NOTIFICATIONS, title="Foranmeldinger", on_load=Q.load)
def staff_queue() -> rx.Component:
    t = Q.t
    return rx.vstack(
        rx.heading(t["staff.queue_title"], size="7", as_="h1"),
        _filters(),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *(
                        rx.table.column_header_cell(t[key])
                        for key in (
                            "installer.col.number",
                            "installer.col.status",
                            "installer.col.address",
                            "installer.col.owner",
                            "installer.field.meter_number",
                            "installer.col.updated",
                        )
                    )
                )
            ),
            rx.table.body(rx.foreach(Q.rows, _queue_row)),
            width="100%",
            variant="surface",
            id="queue-table",
        ),
        rx.cond(Q.rows.length() == 0, rx.text(t["installer.none"], size="2")),
        rx.hstack(
            rx.button(
                t["installer.previous"],
                size="2",
                variant="soft",
                high_contrast=True,
                disabled=Q.page <= 0,
                on_click=Q.go_to_page(Q.page - 1),
            ),
            rx.text((Q.page + 1).to_string(), " / ", Q.page_count.to_string(), size="2"),
            rx.button(
                t["installer.next_page"],
                size="2",
                variant="soft",
                high_contrast=True,
                disabled=Q.page + 1 >= Q.page_count,
                on_click=Q.go_to_page(Q.page + 1),
            ),
            align="center",
            spacing="3",
        ),
        spacing="5",
        width="100%",
    )


def _pairs(pairs: list[tuple[str, rx.Var]]) -> rx.Component:
    return rx.el.dl(
        *(
            rx.fragment(
                rx.el.dt(N.t[key], style={"font_weight": "600"}),
                rx.el.dd(value, style={"margin": "0 0 var(--space-2) 0"}),
            )
            for key, value in pairs
        ),
        style={"display": "grid", "grid_template_columns": "14rem 1fr", "gap": "0 var(--space-4)"},
    )


def _party(party: str) -> rx.Component:
    pairs = [
        (f"installer.field.{name}", N.values[f"{party}_{name}"]) for name in PARTY_FIELDS if name != "kind"
    ]
    pairs.insert(6, ("installer.field.id_number", N.id_numbers[f"{party}_id_number"]))
    return rx.card(
        rx.vstack(rx.heading(N.t[f"installer.section.{party}"], size="4", as_="h2"), _pairs(pairs))
    )


def _reason_dialog(
    label_key: str, title_key: str, question_key: str, handler, trigger_id: str
) -> rx.Component:  # type: ignore[no-untyped-def]
    t = N.t
    return confirm_dialog(
        rx.button(
            t[label_key], size="2", variant="soft", high_contrast=True, disabled=~N.can_decide, id=trigger_id
        ),
        t[title_key],
        t[question_key],
        confirm_label=t[label_key],
        cancel_label=t["installer.cancel"],
        on_submit=handler,
        fields=(
            text_area_field(
                t["staff.reason"],
                "reason",
                N.errors["reason"],
                rows="3",
                required=label_key == "staff.reject",
            ),
        ),
    )


def _decisions() -> rx.Component:
    t = N.t
    return rx.hstack(
        rx.button(
            t["staff.approve"],
            size="2",
            high_contrast=True,
            disabled=~N.can_decide,
            on_click=N.approve,
            id="staff-approve",
        ),
        _reason_dialog(
            "staff.reject", "staff.reject_title", "staff.reject_question", N.reject, "staff-reject"
        ),
        _reason_dialog(
            "staff.return",
            "staff.return_title",
            "staff.return_question",
            N.return_for_changes,
            "staff-return",
        ),
        rx.button(
            t["staff.complete"],
            size="2",
            variant="soft",
            high_contrast=True,
            disabled=~N.can_complete,
            on_click=N.complete,
            id="staff-complete",
        ),
        confirm_dialog(
            rx.button(t["installer.new_note"], size="2", variant="soft", high_contrast=True),
            t["installer.new_note"],
            t["installer.note"],
            confirm_label=t["installer.add_note"],
            cancel_label=t["installer.cancel"],
            on_submit=N.add_note,
            fields=(text_area_field(t["installer.note"], "note", N.errors["note"], required=True, rows="4"),),
        ),
        rx.link(t["staff.back_to_queue"], href=routes.STAFF_NOTIFICATIONS),
        role="toolbar",
        aria_label=t["installer.toolbar"],
        spacing="2",
        wrap="wrap",
        align="center",
    )


@template(route=routes.STAFF_NOTIFICATION, title="Foranmelding", on_load=N.load)
def staff_notification_page() -> rx.Component:
    t = N.t
    return rx.vstack(
        rx.hstack(
            rx.heading(N.heading, size="7", as_="h1"),
            rx.badge(
                N.status_label, size="3", high_contrast=True, id="notification-status", data_status=N.status
            ),
            align="center",
            spacing="4",
        ),
        rx.text(t["staff.installer_firm"], ": ", N.installer_firm, " · ", N.case_line, size="3"),
        _decisions(),
        rx.cond(
            N.reject_reason,
            rx.callout(
                t["installer.reject_reason"] + ": " + N.reject_reason,
                icon="info",
                color_scheme="amber",
                high_contrast=True,
                width="100%",
            ),
        ),
        rx.card(
            rx.vstack(
                rx.heading(t["installer.section.installation"], size="4", as_="h2"),
                _pairs(
                    [
                        (f"installer.field.{name}", N.values[name])
                        for name in (
                            "installation_address",
                            "installation_postcode",
                            "installation_city",
                            "meter_number",
                            "ean",
                            "technical_number",
                        )
                    ]
                ),
            )
        ),
        rx.grid(
            _party("owner"),
            _party("billing"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading(t["installer.section.work"], size="4", as_="h2"),
                _pairs(
                    [
                        (f"installer.field.{name}", N.values[name])
                        for name in ("meter_placement", "main_fuse_before", "main_fuse_after", "description")
                    ]
                ),
            )
        ),
        rx.card(
            rx.vstack(
                rx.heading(t["installer.section.history"], size="4", as_="h2"),
                rx.el.ul(
                    rx.foreach(
                        N.history,
                        lambda line: rx.el.li(
                            rx.text(
                                rx.text.strong(line["at"], " · ", line["who"], " · ", line["what"]), size="2"
                            ),
                            rx.cond(line["text"], rx.text(line["text"], size="2")),
                        ),
                    ),
                    style={"padding_left": "1.25rem", "margin": "0"},
                ),
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
