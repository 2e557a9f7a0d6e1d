"""The filter bar above a list: labelled native selects, a search box, "Apply", in one search form.

Uncontrolled: the form is submitted whole to the list's ``apply_filters``; a field shows the
applied filter back through its default value.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.fields import field_label, scripted_form

# A native <select> styled like the Radix inputs beside it (keyboards and screen readers get the real one).
SELECT_STYLE = {
    "min_height": "2.5rem",
    "padding": "0 var(--space-2)",
    "border_radius": "var(--radius-2)",
    "border": "1px solid var(--gray-a7)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "font_size": "var(--font-size-2)",
    "min_width": "10rem",
}


def options_of(choices: rx.Var) -> rx.Component:
    """``<option>``s of a Var of ``{"value", "label"}`` dicts."""
    return rx.foreach(choices, lambda choice: rx.el.option(choice["label"], value=choice["value"]))


def filter_select(
    label: rx.Var | str,
    field_id: rx.Var | str,
    name: str,
    any_label: rx.Var | str,
    *options: rx.Component,
    default_value: rx.Var | str | None = None,
) -> rx.Component:
    """A labelled select whose first choice (``any_label``, value "") means "no filter"."""
    extra: dict[str, Any] = {"default_value": default_value} if default_value is not None else {}
    return rx.vstack(
        field_label(label, field_id),
        rx.el.select(
            rx.el.option(any_label, value=""), *options, id=field_id, name=name, style=SELECT_STYLE, **extra
        ),
        spacing="1",
    )


def search_input(
    label: rx.Var | str,
    field_id: str,
    name: str,
    *,
    width: str = "24rem",
    default_value: rx.Var | str | None = None,
) -> rx.Component:
    extra: dict[str, Any] = {"default_value": default_value} if default_value is not None else {}
    return rx.vstack(
        field_label(label, field_id),
        rx.input(id=field_id, name=name, type="search", size="2", width=width, **extra),
        spacing="1",
    )


def apply_button(label: rx.Var | str) -> rx.Component:
    return rx.button(label, type="submit", size="2", high_contrast=True)


def filter_form(*fields: rx.Component, on_submit: Any, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """The fields (an ``apply_button`` among them) in one ``role="search"`` form; ``props`` go to the form."""
    return scripted_form(
        rx.hstack(
            *fields,
            align="end",
            spacing="4",
            wrap="wrap",
        ),
        on_submit=on_submit,
        role="search",
        **props,
    )
