"""The grid company's pre-notifications: the queue (For approval by default) and one notification."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.dialogs import dialog_button, form_dialog
from app.components.fields import text_area_field
from app.components.template import template
from app.models import Role
from app.pages.installer.notification_list import COLUMNS, notification_filters, notification_table
from app.pages.installer.notification_parts import (
    history_section,
    note_dialog,
    notification_heading,
    notification_toolbar,
    reject_reason_notice,
)
from app.services.installer.form_fields import INSTALLATION_FIELDS, PARTY_FIELDS, WORK_FIELDS
from app.states.staff.notifications import StaffNotificationState as N
from app.states.staff.notifications import StaffQueueState as Q
from app.states.staff.notifications import id_number_element


@template(
    routes.STAFF_NOTIFICATIONS,
    title_key="title.staff_notifications",
    roles={Role.GRID_STAFF},
    on_load=Q.load,
)
def staff_queue() -> rx.Component:
    return rx.vstack(
        rx.heading(Q.t["staff.queue_title"], size="7", as_="h1"),
        notification_filters(Q),
        # The grid company's own queue: no grid-company column.
        notification_table(Q, route=routes.STAFF_NOTIFICATION, table_id="queue-table", columns=COLUMNS[1:]),
        spacing="5",
        width="100%",
    )


def _pairs(pairs: list[tuple[str, rx.Var | rx.Component]]) -> rx.Component:
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
    # The number is shown on request (audited) and written into the page, never kept in state.
    pairs.insert(
        6,
        (
            "installer.field.id_number",
            rx.hstack(
                rx.el.span(id=id_number_element(party), aria_live="polite"),
                rx.button(
                    N.t["staff.show_id_number"],
                    size="1",
                    variant="soft",
                    high_contrast=True,
                    on_click=N.show_id_number(party),
                    id=f"show-{party}-id-number",
                ),
                align="center",
                spacing="3",
            ),
        ),
    )
    return rx.card(
        rx.vstack(rx.heading(N.t[f"installer.section.{party}"], size="4", as_="h2"), _pairs(pairs))
    )


def _decision(
    name: str, label_key: str, title_key: str, question_key: str, handler, trigger_id: str, **props
) -> rx.Component:  # type: ignore[no-untyped-def]
    """A decision's button and its dialog; Reject and Return for changes ask for a reason."""
    t = N.t
    reason = text_area_field(
        t["staff.reason"], "reason", N.errors["reason"], rows="3", required=name == "reject"
    )
    return rx.fragment(
        dialog_button(
            N,
            name,
            t[label_key],
            size="2",
            high_contrast=True,
            disabled=~N.can_decide,
            id=trigger_id,
            **props,
        ),
        form_dialog(
            N,
            name,
            t[title_key],
            t[question_key],
            on_submit=handler,
            submit_label=t[label_key],
            cancel_label=t["installer.cancel"],
            fields=() if name == "approve" else (reason,),
            error=N.errors["form"],
            dialog_id=f"{trigger_id}-dialog",
            alert=True,
        ),
    )


def _decisions() -> rx.Component:
    t = N.t
    return notification_toolbar(
        N,
        _decision(
            "approve",
            "staff.approve",
            "staff.approve_title",
            "staff.approve_question",
            N.approve,
            "staff-approve",
        ),
        _decision(
            "reject",
            "staff.reject",
            "staff.reject_title",
            "staff.reject_question",
            N.reject,
            "staff-reject",
            variant="soft",
        ),
        _decision(
            "return",
            "staff.return",
            "staff.return_title",
            "staff.return_question",
            N.return_for_changes,
            "staff-return",
            variant="soft",
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
        note_dialog(N, size="2", variant="soft", high_contrast=True, id="staff-note"),
        rx.link(t["staff.back_to_queue"], href=routes.STAFF_NOTIFICATIONS),
        align="center",
    )


@template(
    routes.STAFF_NOTIFICATION,
    title_key="title.staff_notification",
    roles={Role.GRID_STAFF},
    on_load=N.load,
)
def staff_notification_page() -> rx.Component:
    t = N.t
    return rx.vstack(
        notification_heading(N),
        rx.text(t["staff.installer_firm"], ": ", N.installer_firm, " · ", N.case_line, size="3"),
        _decisions(),
        reject_reason_notice(N),
        rx.card(
            rx.vstack(
                rx.heading(t["installer.section.installation"], size="4", as_="h2"),
                _pairs([(f"installer.field.{name}", N.values[name]) for name in INSTALLATION_FIELDS]),
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
                _pairs([(f"installer.field.{name}", N.values[name]) for name in WORK_FIELDS]),
            )
        ),
        history_section(N),
        spacing="4",
        width="100%",
    )
