"""What the installer's notification page and the grid company's processing page both show."""

from __future__ import annotations

import reflex as rx

from app.components.dialogs import dialog_button, form_dialog
from app.components.fields import text_area_field
from app.components.notes_list import notes_list
from app.components.status_badge import status_badge


def notification_heading(state) -> rx.Component:  # type: ignore[no-untyped-def]
    """ "Pre-notification 12" and its status (``#notification-status``)."""
    return rx.hstack(
        rx.heading(state.heading, size="7", as_="h1"),
        status_badge(state.status_label, state.status, size="3", id="notification-status"),
        align="center",
        spacing="4",
        wrap="wrap",
    )


def reject_reason_notice(state) -> rx.Component:  # type: ignore[no-untyped-def]
    """Why the grid company rejected it or sent it back, when it did."""
    return rx.cond(
        state.reject_reason,
        rx.callout(
            state.t["installer.reject_reason"] + ": " + state.reject_reason,
            icon="info",
            color_scheme="amber",
            high_contrast=True,
            width="100%",
        ),
    )


def history_section(state) -> rx.Component:  # type: ignore[no-untyped-def]
    return notes_list(state.t["installer.section.history"], state.history)


def notification_toolbar(state, *tools: rx.Component, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """The actions on one notification, as one keyboard toolbar."""
    return rx.hstack(
        *tools,
        role="toolbar",
        aria_label=state.t["installer.toolbar"],
        spacing="2",
        wrap="wrap",
        **props,
    )


def note_dialog(state, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """ "New note" and its dialog: a required text, added by ``state.add_note``."""
    t = state.t
    return rx.fragment(
        dialog_button(state, "note", t["installer.new_note"], **props),
        form_dialog(
            state,
            "note",
            t["installer.new_note"],
            t["installer.note"],
            on_submit=state.add_note,
            submit_label=t["installer.add_note"],
            cancel_label=t["installer.cancel"],
            fields=(
                text_area_field(t["installer.note"], "note", state.errors["note"], required=True, rows="4"),
            ),
            dialog_id="note-dialog",
            alert=True,
        ),
    )
