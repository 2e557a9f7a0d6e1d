"""A table row's action button: small, soft, and named with the row it acts on ("Withdraw Elfirma
AS", not five buttons all called "Withdraw" to a screen reader)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def row_button(
    label: rx.Var | str,
    names: rx.Var | str,
    on_click: Any,
    *,
    danger: bool = False,
    opens_dialog: bool = False,
    separator: str = " ",
    **props: Any,
) -> rx.Component:
    """``label`` shown; ``label + separator + names`` read out. ``danger``: red (withdraw, revoke,
    deactivate); ``opens_dialog``: announced as opening one."""
    if danger:
        props["color_scheme"] = "red"
    if opens_dialog:
        props["aria_haspopup"] = "dialog"
    return rx.button(
        label,
        size="1",
        variant="soft",
        high_contrast=True,
        aria_label=label + separator + names,
        on_click=on_click,
        **props,
    )
