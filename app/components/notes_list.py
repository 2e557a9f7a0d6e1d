"""A case's history: notes and status moves, each "when · who · what" with its text under it."""

from __future__ import annotations

import reflex as rx


def notes_list(heading: rx.Var | str, lines: rx.Var) -> rx.Component:
    """``lines`` are dicts with ``at``, ``who``, ``what`` and (may be empty) ``text``."""
    return rx.card(
        rx.vstack(
            rx.heading(heading, size="4", as_="h2"),
            rx.el.ul(
                rx.foreach(
                    lines,
                    lambda line: rx.el.li(
                        rx.text(
                            rx.text.strong(line["at"], " · ", line["who"], " · ", line["what"]), size="2"
                        ),
                        rx.cond(line["text"], rx.text(line["text"], size="2")),
                    ),
                ),
                style={"padding_left": "1.25rem", "margin": "0"},
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
