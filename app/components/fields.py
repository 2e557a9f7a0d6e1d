"""Form fields with a visible label tied to the input and the error right under it."""

from __future__ import annotations

from typing import Any

import reflex as rx


def field_error(message: rx.Var, error_id: str) -> rx.Component:
    return rx.cond(
        message,
        rx.text(message, id=error_id, color_scheme="red", size="2", role="alert"),
    )


def text_field(
    label: rx.Var | str,
    field_id: str,
    value: rx.Var | None,
    on_change: Any,
    error: rx.Var,
    *,
    type: str = "text",
    autocomplete: str = "off",
    input_mode: str | None = None,
    hint: rx.Var | str | None = None,
) -> rx.Component:
    error_id = f"{field_id}-error"
    hint_id = f"{field_id}-hint"
    extra: dict[str, Any] = {"input_mode": input_mode} if input_mode else {}
    # value None: an uncontrolled input, read from the submitted form only. Passwords are
    # never state vars: Reflex persists state to disk or Redis.
    if value is not None:
        extra.update(value=value, on_change=on_change)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        rx.text(hint, id=hint_id, size="1", color_scheme="gray") if hint is not None else rx.fragment(),
        rx.input(
            id=field_id,
            name=field_id,
            type=type,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            aria_invalid=rx.cond(error, "true", "false"),
            aria_describedby=f"{error_id} {hint_id}" if hint is not None else error_id,
            **extra,
        ),
        field_error(error, error_id),
        spacing="1",
        width="100%",
    )


def form_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message,
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def uncontrolled_field(
    label: rx.Var | str,
    field_id: str,
    error: rx.Var,
    *,
    type: str = "text",
    autocomplete: str = "off",
    hint: rx.Var | str | None = None,
    required: bool = False,
) -> rx.Component:
    """A field of a form submitted whole: the browser keeps the value, the state never does."""
    error_id = f"{field_id}-error"
    hint_id = f"{field_id}-hint"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        rx.text(hint, id=hint_id, size="1", color_scheme="gray") if hint is not None else rx.fragment(),
        rx.input(
            id=field_id,
            name=field_id,
            type=type,
            auto_complete=autocomplete,
            required=required,
            size="3",
            width="100%",
            aria_invalid=rx.cond(error, "true", "false"),
            aria_describedby=f"{error_id} {hint_id}" if hint is not None else error_id,
        ),
        field_error(error, error_id),
        spacing="1",
        width="100%",
    )
