"""The narrow card a form page sits in: centred, its parts stacked with the form kit's spacing."""

from __future__ import annotations

import reflex as rx

FORM_CARD_WIDTH = "36rem"


def stacked(*children: rx.Component, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """Children one under the other, full width, spaced like every form here."""
    return rx.vstack(*children, spacing="4", width="100%", **props)


def form_card(*children: rx.Component, max_width: str = FORM_CARD_WIDTH) -> rx.Component:
    return rx.card(stacked(*children), size="3", width="100%", max_width=max_width, margin_x="auto")
