"""Dialogs with a form: a question or a title, optional fields (submitted whole), Cancel and the action.

``confirm_dialog`` opens from its trigger; ``form_dialog`` is opened by the page's state.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.fields import form_error, scripted_form


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
            _dialog_form(
                fields, error, on_submit,
                cancel=rx.alert_dialog.cancel(_cancel_button(cancel_label, high_contrast=False)),
                confirm=_confirm_button(confirm_label, danger, high_contrast=False),
                reset_on_submit=True,
            ),
        ),
        **controlled,
    )  # fmt: skip


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
    """The same form opened by the page's state (a menu item, a button elsewhere), not by a trigger.

    It stays open while the handler reports an error and closes when the state says so.
    """
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2"),
            _dialog_form(
                fields, error, on_submit,
                cancel=rx.dialog.close(_cancel_button(cancel_label, high_contrast=True)),
                confirm=_confirm_button(submit_label, danger, high_contrast=True),
                reset_on_submit=False,
            ),
            id=dialog_id or None,
            max_width="32rem",
        ),
        open=open,
        on_open_change=on_open_change,
    )  # fmt: skip


def _cancel_button(label: rx.Var | str, *, high_contrast: bool) -> rx.Component:
    return rx.button(label, variant="soft", color_scheme="gray", high_contrast=high_contrast, size="3",
                     type="button")  # fmt: skip


def _confirm_button(label: rx.Var | str, danger: bool, *, high_contrast: bool) -> rx.Component:
    # White on solid red 9 is 3.9:1 (axe: colour contrast, serious); high contrast passes.
    return rx.button(label, color_scheme="red" if danger else None, high_contrast=high_contrast or danger,
                     size="3", type="submit")  # fmt: skip


def _dialog_form(
    fields: tuple[rx.Component, ...],
    error: rx.Var | None,
    on_submit: Any,
    *,
    cancel: rx.Component,
    confirm: rx.Component,
    reset_on_submit: bool,
) -> rx.Component:
    """Fields, the form's error, then Cancel and the action at the end."""
    return scripted_form(
        rx.vstack(
            *fields,
            form_error(error) if error is not None else rx.fragment(),
            rx.hstack(cancel, confirm, spacing="3", justify="end", width="100%"),
            spacing="3",
            margin_top="var(--space-4)",
        ),
        on_submit=on_submit,
        reset_on_submit=reset_on_submit,
    )
