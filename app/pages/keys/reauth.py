"""The password asked again before an export or a reveal (last sign-in older than 5 minutes, or
many keys shown): a dialog, or a form inside a dialog that is already open."""

from __future__ import annotations

import reflex as rx

from app.components.dialogs import form_dialog
from app.components.fields import scripted_form, text_field


def reauth_dialog(state) -> rx.Component:
    """``state`` mixes in ``DialogState`` and ``ExportFlow`` (dialog "reauth"), and has ``errors``.

    The password field is uncontrolled: it reaches the handler in the submitted form only.
    """
    t = state.t
    return form_dialog(
        state,
        "reauth",
        t["keys.dialog.reauth_title"],
        t["keys.dialog.reauth_description"],
        on_submit=state.reauthenticate,
        submit_label=t["keys.dialog.reauth_confirm"],
        cancel_label=t["keys.dialog.cancel"],
        fields=(
            text_field(
                t["keys.dialog.password"],
                "reauth-password",
                state.errors["password"],
                type="password",
                autocomplete="current-password",
                required=True,
                name="password",
            ),
        ),
        error=state.errors["form"],
        dialog_id="reauth-dialog",
    )


def reauth_inline(state, field_id: str) -> rx.Component:
    """The same question inside an open dialog (a second modal on top would fight for focus).

    ``state`` has ``reauth_open``, ``reauthenticate`` and ``errors``; the password field is uncontrolled.
    """
    t = state.t
    return rx.cond(
        state.reauth_open,
        scripted_form(
            rx.vstack(
                rx.text(t["keys.dialog.reauth_description"], size="2"),
                text_field(
                    t["keys.dialog.password"],
                    field_id,
                    state.errors["password"],
                    type="password",
                    autocomplete="current-password",
                    required=True,
                    name="password",
                ),
                rx.button(t["keys.dialog.reauth_confirm"], type="submit", size="2", high_contrast=True),
                spacing="2",
                align="start",
            ),
            on_submit=state.reauthenticate,
            reset_on_submit=True,
            width="100%",
        ),
    )
