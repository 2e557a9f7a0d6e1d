"""The landing page: what the portals are, and where to sign in.

The HAN port card leads to the order page on Min side (a visitor signs in first, then lands there).
"""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.template import template
from app.states.session import SessionState

PORTALS = (
    ("customer", "house", routes.CUSTOMER_LOGIN),
    ("keys", "key-round", routes.KEYS_LOGIN),
    ("installer", "hard-hat", routes.INSTALLER_LOGIN),
    ("han", "plug-zap", routes.CUSTOMER_HAN),
)


def portal_card(name: str, icon: str, route: str) -> rx.Component:
    t = SessionState.t
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=28, color=rx.color("accent", 9)),
                rx.heading(t[f"portal.{name}.title"], size="4", as_="h2"),
                align="center",
                spacing="3",
            ),
            rx.text(t[f"portal.{name}.body"], size="3", color_scheme="gray"),
            rx.spacer(),
            # A link styled as a button: one focusable element, named by where it goes.
            rx.button(
                rx.link(
                    t[f"portal.{name}.link"],
                    rx.icon("arrow-right", size=16),
                    href=route,
                    underline="none",
                ),
                as_child=True,
                size="3",
                width="100%",
            ),
            spacing="3",
            height="100%",
        ),
        size="3",
        width="100%",
    )


@template(routes.HOME, title_key="title.home")
def landing() -> rx.Component:
    t = SessionState.t
    return rx.vstack(
        rx.heading(t["landing.title"], size=rx.breakpoints(initial="7", md="8"), as_="h1"),
        rx.text(t["landing.intro"], size="4", color_scheme="gray"),
        rx.grid(
            *(portal_card(name, icon, route) for name, icon, route in PORTALS),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )
