"""A confirm dialog: a question, optional fields (submitted as a form), Cancel and the action."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.fields import form_error


def confirm_dialog(
    trigger: rx.Component,
    title: rx.Var | str,
    description: rx.Var | str,
    *,
    confirm_label: rx.Var | str,
    cancel_label: rx.Var | str,
    on_submit: Any,
    fields: tuple[rx.Component, ...] = (),
    error: rx.Var | None = None,
    danger: bool = False,
    open: rx.Var | None = None,
    on_open_change: Any = None,
) -> rx.Component:
    """The action runs ``on_submit`` with the dialog's form (typed values never reach state).

    Pass ``open``/``on_open_change`` to keep it open while the handler reports an error.
    """
    controlled: dict[str, Any] = {}
    if open is not None:
        controlled.update(open=open, on_open_change=on_open_change)
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.form(
                rx.vstack(
                    *fields,
                    form_error(error) if error is not None else rx.fragment(),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(
                                cancel_label, variant="soft", color_scheme="gray", size="3", type="button"
                            )
                        ),
                        rx.button(
                            confirm_label, color_scheme="red" if danger else None, size="3", type="submit"
                        ),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="var(--space-4)",
                ),
                on_submit=on_submit,
                reset_on_submit=True,
            ),
        ),
        **controlled,
    )
