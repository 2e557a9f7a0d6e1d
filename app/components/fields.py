"""The form kit's fields: a visible label tied to each input, the error right under it.

Fields are uncontrolled by default: the browser keeps the value and the form is submitted
whole (``rx.form(on_submit=...)``), so what is typed (a password, a code, a personal number)
never becomes a state var, which Reflex would persist to disk or Redis. Give ``value`` and
``on_change`` only for a value the page must react to while it is typed.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app import routes

LABEL_CLASS = "rt-Text rt-r-size-2 rt-r-weight-medium"


def scripted_form(*children: rx.Component, **props: Any) -> rx.Component:
    """Every form of the app: submitted by its ``on_submit`` handler, never natively.

    A prerendered page shows its forms before its scripts take over; Enter pressed in that moment
    submitted natively, a GET with every field (a password) in the URL, hence in the browser's
    history, access logs and ``Referer`` (issue 20.7). Posted to an address that accepts
    nothing, the fields stay out of every URL. Use it for every form (a test keeps ``rx.form``
    out of the pages).
    """
    return rx.form(*children, method="post", action=routes.NO_NATIVE_SUBMIT, **props)


def field_error(message: rx.Var, error_id: str) -> rx.Component:
    return rx.cond(
        message,
        rx.text(message, id=error_id, color_scheme="red", size="2", role="alert"),
    )


def form_error(message: rx.Var) -> rx.Component:
    """An error that concerns the whole form, not one field."""
    return rx.cond(
        message,
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def field_label(label: rx.Var | str, field_id: rx.Var | str, *, required: bool = False) -> rx.Component:
    # The asterisk is decoration: screen readers hear "required" from the input itself.
    mark = rx.text(" *", as_="span", color_scheme="red", aria_hidden="true") if required else ""
    return rx.el.label(label, mark, html_for=field_id, class_name=LABEL_CLASS)


def _labelled(
    label: rx.Var | str,
    field_id: str,
    control: rx.Component,
    error: rx.Var,
    hint: rx.Var | str | None,
    required: bool,
) -> rx.Component:
    return rx.vstack(
        field_label(label, field_id, required=required),
        rx.text(hint, id=f"{field_id}-hint", size="1", color_scheme="gray")
        if hint is not None
        else rx.fragment(),
        control,
        field_error(error, f"{field_id}-error"),
        spacing="1",
        width="100%",
    )


def _described_by(field_id: str, hint: rx.Var | str | None) -> str:
    return f"{field_id}-error {field_id}-hint" if hint is not None else f"{field_id}-error"


def text_field(
    label: rx.Var | str,
    field_id: str,
    error: rx.Var,
    *,
    value: rx.Var | None = None,
    on_change: Any = None,
    default_value: rx.Var | str | None = None,
    type: str = "text",
    autocomplete: str = "off",
    input_mode: str | None = None,
    hint: rx.Var | str | None = None,
    required: bool = False,
    name: str | None = None,
    auto_focus: bool = False,
    read_only: bool = False,
) -> rx.Component:
    """A labelled input; ``name`` (default ``field_id``) is its key in the submitted form.

    ``auto_focus`` puts the cursor in it when it appears (the SMS code field after "Send code").
    ``read_only``: shown and submitted, not editable (a value the server still checks).
    """
    extra: dict[str, Any] = {"input_mode": input_mode} if input_mode else {}
    if auto_focus:
        extra["auto_focus"] = True
    if read_only:
        extra["read_only"] = True
    if value is not None:
        extra.update(value=value, on_change=on_change)
    elif default_value is not None:
        extra["default_value"] = default_value
    control = rx.input(
        id=field_id,
        name=name or field_id,
        type=type,
        auto_complete=autocomplete,
        required=required,
        size="3",
        width="100%",
        aria_invalid=rx.cond(error, "true", "false"),
        aria_describedby=_described_by(field_id, hint),
        **extra,
    )
    return _labelled(label, field_id, control, error, hint, required)


def text_area_field(
    label: rx.Var | str,
    field_id: str,
    error: rx.Var,
    *,
    default_value: rx.Var | str | None = None,
    hint: rx.Var | str | None = None,
    required: bool = False,
    rows: str = "4",
) -> rx.Component:
    extra: dict[str, Any] = {"default_value": default_value} if default_value is not None else {}
    control = rx.text_area(
        id=field_id,
        name=field_id,
        required=required,
        rows=rows,
        size="3",
        width="100%",
        aria_invalid=rx.cond(error, "true", "false"),
        aria_describedby=_described_by(field_id, hint),
        **extra,
    )
    return _labelled(label, field_id, control, error, hint, required)


def select_field(
    label: rx.Var | str,
    field_id: str,
    options: rx.Var | list[tuple[str, str]],
    error: rx.Var,
    *,
    value: rx.Var | None = None,
    on_change: Any = None,
    default_value: rx.Var | str | None = None,
    placeholder: rx.Var | str | None = None,
    hint: rx.Var | str | None = None,
    required: bool = False,
) -> rx.Component:
    """A native ``<select>``: labelled, keyboard-usable and submitted with the form.

    ``options`` is a list of (value, text) pairs, or a Var of ``{"value", "label"}`` dicts.
    """
    if isinstance(options, rx.Var):
        choices = rx.foreach(options, lambda option: rx.el.option(option["label"], value=option["value"]))
    else:
        choices = rx.fragment(*(rx.el.option(text, value=key) for key, text in options))
    extra: dict[str, Any] = {}
    if value is not None:
        extra.update(value=value, on_change=on_change)
    elif default_value is not None:
        extra["default_value"] = default_value
    control = rx.el.select(
        rx.el.option(placeholder, value="") if placeholder is not None else rx.fragment(),
        choices,
        id=field_id,
        name=field_id,
        required=required,
        class_name="rt-reset rt-SelectTrigger rt-r-size-3 rt-variant-surface mp-native-select",
        aria_invalid=rx.cond(error, "true", "false"),
        aria_describedby=_described_by(field_id, hint),
        width="100%",
        **extra,
    )
    return _labelled(label, field_id, control, error, hint, required)


def checkbox_field(
    label: rx.Var | str,
    field_id: str,
    error: rx.Var,
    *,
    default_checked: rx.Var | bool | None = None,
    required: bool = False,
) -> rx.Component:
    """A native checkbox (submitted as "on" when ticked) with its label beside it."""
    extra: dict[str, Any] = {"default_checked": default_checked} if default_checked is not None else {}
    return rx.vstack(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                id=field_id,
                name=field_id,
                required=required,
                aria_invalid=rx.cond(error, "true", "false"),
                aria_describedby=f"{field_id}-error",
                style={"width": "1.25rem", "height": "1.25rem", "margin": "0"},
                **extra,
            ),
            field_label(label, field_id, required=required),
            spacing="2",
            align="center",
        ),
        field_error(error, f"{field_id}-error"),
        spacing="1",
        width="100%",
    )


def choice_field(
    legend: rx.Var | str,
    name: str,
    options: list[tuple[str, rx.Var | str]],
    error: rx.Var,
    *,
    default_value: str | None = None,
) -> rx.Component:
    """Native radio buttons in a fieldset whose legend asks the question; the error under them.

    Each choice has the id ``<name>-<value>`` and its own label (a 44 px tap target on a phone);
    arrow keys move between the choices, Space picks one.
    """
    error_id = f"{name}-error"
    return rx.el.fieldset(
        rx.el.legend(
            legend, class_name=LABEL_CLASS, style={"padding": "0", "margin_bottom": "var(--space-1)"}
        ),
        *(
            rx.hstack(
                rx.el.input(
                    type="radio",
                    id=f"{name}-{value}",
                    name=name,
                    value=value,
                    default_checked=value == default_value,
                    aria_describedby=error_id,
                    style={"width": "1.25rem", "height": "1.25rem", "margin": "0", "flex_shrink": "0"},
                ),
                rx.el.label(text, html_for=f"{name}-{value}", class_name="rt-Text rt-r-size-3"),
                spacing="2",
                align="center",
                min_height="44px",
            )
            for value, text in options
        ),
        field_error(error, error_id),
        style={"border": "none", "padding": "0", "margin": "0", "min_width": "0", "width": "100%"},
    )
