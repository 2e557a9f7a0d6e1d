"""The selection's own controls, shared by the key list and the key reader's page: how many are
selected (announced politely), "Select page" and "Clear selection"."""

from __future__ import annotations

import reflex as rx

from app.states.keys.selection import UnitSelection


def selection_controls(
    state: type[UnitSelection], *, between: tuple[rx.Component, ...] = (), count_width: str | None = None
) -> tuple[rx.Component, ...]:
    """The count, "Select page", ``between`` (the key list's "Select all N"), "Clear selection"."""
    t = state.t  # type: ignore[attr-defined]
    return (
        rx.text(
            state.selected_text,
            role="status",
            aria_live="polite",
            weight="bold",
            size="3",
            id="selection-count",
            min_width=count_width,
        ),
        rx.button(
            t["keys.list.select_page"],
            size="2",
            variant="soft",
            high_contrast=True,
            on_click=state.select_page,
        ),
        *between,
        rx.button(
            t["keys.list.clear_selection"],
            size="2",
            variant="soft",
            color_scheme="gray",
            high_contrast=True,
            on_click=state.clear_selection,
            disabled=state.selected_count == 0,
        ),
    )
