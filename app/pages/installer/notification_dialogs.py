"""The notification page's dialogs: send now?, new note, delete the draft, fetch installation data."""

from __future__ import annotations

import reflex as rx

from app.components.dialogs import confirm_dialog
from app.components.fields import field_error, scripted_form, text_field
from app.states.installer.notification_form import NotificationFormState as S


def send_dialog() -> rx.Component:
    t = S.t
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t["installer.send_title"]),
            rx.alert_dialog.description(t["installer.send_question"]),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        t["installer.cancel"],
                        variant="soft",
                        color_scheme="gray",
                        size="3",
                        on_click=S.cancel_send,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(t["installer.ok"], size="3", high_contrast=True, on_click=S.confirm_send)
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
        ),
        open=S.send_open,
    )


def delete_dialog(trigger: rx.Component) -> rx.Component:
    t = S.t
    return confirm_dialog(
        trigger,
        t["installer.delete_title"],
        t["installer.delete_question"],
        confirm_label=t["installer.delete"],
        cancel_label=t["installer.cancel"],
        on_submit=S.delete,
        danger=True,
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


def fetch_dialog(trigger: rx.Component) -> rx.Component:
    t = S.t
    return rx.dialog.root(
        rx.dialog.trigger(trigger),
        rx.dialog.content(
            rx.dialog.title(t["installer.fetch_title"]),
            rx.dialog.description(t["installer.fetch_intro"], size="2"),
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
                rx.dialog.close(
                    rx.button(t["installer.close"], variant="soft", color_scheme="gray", size="3")
                ),
                rx.button(
                    t["installer.update_and_close"],
                    size="3",
                    high_contrast=True,
                    disabled=S.fetch_status_code != "100",
                    on_click=S.apply_fetched,
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
            max_width="40rem",
        ),
        open=S.fetch_open,
        on_open_change=S.set_fetch_open,
    )
