"""The notification page's dialogs: send now?, new note, delete the draft, fetch installation data."""

from __future__ import annotations

import reflex as rx

from app.components.dialogs import close_button, dialog, dialog_button, form_dialog
from app.components.fields import field_error, scripted_form, text_field
from app.pages.installer.form_sections import FORM_ID, submit_script
from app.states.installer.notification_form import NotificationFormState as S


def send_dialog() -> rx.Component:
    """ "Send now?": asked after a save with the Send button (or Save on a draft), OK sends."""
    t = S.t
    return form_dialog(
        S,
        "send",
        t["installer.send_title"],
        t["installer.send_question"],
        on_submit=S.confirm_send,
        submit_label=t["installer.ok"],
        cancel_label=t["installer.cancel"],
        dialog_id="send-dialog",
        alert=True,
    )


def delete_dialog(**props) -> rx.Component:  # type: ignore[no-untyped-def]
    t = S.t
    return rx.fragment(
        dialog_button(S, "delete", t["installer.delete"], **props),
        form_dialog(
            S,
            "delete",
            t["installer.delete_title"],
            t["installer.delete_question"],
            on_submit=S.delete,
            submit_label=t["installer.delete"],
            cancel_label=t["installer.cancel"],
            danger=True,
            dialog_id="delete-dialog",
            alert=True,
        ),
    )


def _overwrite_choice() -> rx.Component:
    t = S.t

    def option(value: str, label_key: str) -> rx.Component:
        return rx.hstack(
            rx.el.input(
                type="radio",
                id=f"overwrite-{value}",
                name="overwrite",
                value=value,
                # Part of the notification's form: "Update and close" submits it with what is on screen.
                form=FORM_ID,
                default_checked=S.overwrite_default == value,
                style={"width": "1.1rem", "height": "1.1rem", "margin": "0"},
            ),
            rx.el.label(t[label_key], html_for=f"overwrite-{value}", class_name="rt-Text rt-r-size-2"),
            spacing="2",
            align="center",
        )

    return rx.el.fieldset(
        rx.el.legend(t["installer.fetch_overwrite"], class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        rx.hstack(option("yes", "installer.yes"), option("no", "installer.no"), spacing="5"),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _readout(label_key: str, value: rx.Var, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(S.t[label_key], size="2", weight="medium"),
        rx.text(value, id=element_id, size="2", min_height="1.5em", role="status"),
        spacing="1",
        width="100%",
    )


def fetch_dialog(**props) -> rx.Component:  # type: ignore[no-untyped-def]
    t = S.t
    return rx.fragment(
        dialog_button(S, "fetch", t["installer.fetch"], **props),
        dialog(
            S,
            "fetch",
            t["installer.fetch_title"],
            t["installer.fetch_intro"],
            scripted_form(
                rx.vstack(
                    text_field(t["installer.fetch_meter"], "fetch_meter", S.errors["fetch_meter"]),
                    text_field(
                        t["installer.fetch_ean"], "fetch_ean", S.errors["fetch_ean"], input_mode="numeric"
                    ),
                    _overwrite_choice(),
                    field_error(S.errors["fetch"], "fetch-error"),
                    rx.button(
                        t["installer.fetch_button"],
                        type="submit",
                        size="3",
                        high_contrast=True,
                        id="fetch-submit",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.fetch,
                width="100%",
            ),
            rx.grid(
                _readout("installer.status_code", S.fetch_status_code, "fetch-status-code"),
                _readout("installer.status_text", S.fetch_status_text, "fetch-status-text"),
                columns="1fr 3fr",
                spacing="3",
                width="100%",
                margin_top="var(--space-4)",
            ),
            rx.hstack(
                close_button(t["installer.close"]),
                rx.button(
                    t["installer.update_and_close"],
                    size="3",
                    high_contrast=True,
                    disabled=S.fetch_status_code != "100",
                    # The form on screen is submitted with the data: typed, unsaved values count.
                    on_click=submit_script("apply_fetched"),
                    id="fetch-apply",
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
            dialog_id="fetch-dialog",
            max_width="40rem",
        ),
    )
