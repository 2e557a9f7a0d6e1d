"""The one button that makes a grid company's staff member its administrator, or an administrator
staff again: the settings page's administrators list and the platform administrator's accounts list."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from app.components.row_button import row_button


def administrator_switch(
    *,
    is_admin: rx.Var,
    subject: rx.Var,
    make_label: rx.Var | str,
    take_label: rx.Var | str,
    on_switch: Callable[[bool], rx.event.EventSpec],
    separator: str = " ",
) -> rx.Component:
    """ "Make administrator" for staff, "Make case handler" for an administrator; each named with
    whom it changes (``label + separator + subject``); ``on_switch(make_admin)`` does it."""

    def button(label: rx.Var | str, make_admin: bool) -> rx.Component:
        return row_button(label, subject, on_switch(make_admin), separator=separator)

    return rx.cond(is_admin, button(take_label, False), button(make_label, True))
