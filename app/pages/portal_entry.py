"""Entry pages of the portals whose sign-in arrives in a later release (the key service and the
installer portal sign in by e-mail account: app/pages/accounts)."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.form_card import form_card
from app.components.template import template
from app.states.session import SessionState


def _entry(name: str) -> rx.Component:
    t = SessionState.t
    return form_card(
        rx.heading(t[f"portal.{name}.title"], size="6", as_="h1"),
        rx.text(t[f"portal.{name}.body"], size="3"),
        rx.callout(t["login.coming"], icon="info"),
    )


@template(route=routes.HAN_ORDER, title="HAN-porten")
def han_entry() -> rx.Component:
    return _entry("han")
