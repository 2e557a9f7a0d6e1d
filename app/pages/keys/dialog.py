"""A form in a dialog opened by the page's state (from a menu item or a button), not by a trigger.

The same pattern as ``app/components/dialogs.py``: a title, a description, uncontrolled fields
submitted whole, errors beside their fields, "Cancel" and the action. It stays open while the
handler reports an error and closes when the state says so.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.fields import form_error


def form_dialog(
    title: rx.Var | str,
    description: rx.Var | str,
    *,
    open: rx.Var,
    on_open_change: Any,
    on_submit: Any,
    submit_label: rx.Var | str,
    cancel_label: rx.Var | str,
    fields: tuple[rx.Component, ...] = (),
    error: rx.Var | None = None,
    danger: bool = False,
    dialog_id: str = "",
) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2"),
            rx.form(
                rx.vstack(
                    *fields,
                    form_error(error) if error is not None else rx.fragment(),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(cancel_label, variant="soft", color_scheme="gray", high_contrast=True,
                                      size="3", type="button")
                        ),
                        rx.button(submit_label, color_scheme="red" if danger else None, high_contrast=True,
                                  size="3", type="submit"),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="var(--space-4)",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
            ),
            id=dialog_id or None,
            max_width="32rem",
        ),
        open=open,
        on_open_change=on_open_change,
    )
