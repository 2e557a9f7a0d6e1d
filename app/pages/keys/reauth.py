"""The dialog that asks for the password again before an export (last sign-in older than 5 minutes)."""

from __future__ import annotations

import reflex as rx

from app.components.dialogs import form_dialog
from app.components.fields import text_field


def reauth_dialog(state) -> rx.Component:
    """``state`` mixes in ``DialogState`` and ``ExportFlow`` (dialog "reauth"), and has ``errors``.

    The password field is uncontrolled: it reaches the handler in the submitted form only.
    """
    t = state.t
    return form_dialog(
        state, "reauth", t["keys.dialog.reauth_title"], t["keys.dialog.reauth_description"],
        on_submit=state.reauthenticate,
        submit_label=t["keys.dialog.reauth_confirm"], cancel_label=t["keys.dialog.cancel"],
        fields=(text_field(t["keys.dialog.password"], "reauth-password", state.errors["password"],
                           type="password", autocomplete="current-password", required=True,
                           name="password"),),
        error=state.errors["form"], dialog_id="reauth-dialog",
    )
