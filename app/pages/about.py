"""The pages the footer links to (privacy terms, accessibility statement) and the page for an
address that does not exist."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.template import template
from app.services.customer.privacy_terms import PRIVACY_TERMS_PARAGRAPHS, PRIVACY_TERMS_VERSION
from app.states.session import SessionState

T = SessionState.t


def _article(*content: rx.Component) -> rx.Component:
    return rx.vstack(*content, spacing="3", width="100%", max_width="40rem", margin_x="auto")


@template(routes.PRIVACY, title_key="title.privacy")
def privacy() -> rx.Component:
    return _article(
        rx.heading(T["privacy.title"], size="7", as_="h1"),
        rx.text(T["about.privacy_intro"], size="3"),
        *[rx.text(T[key], size="3") for key in PRIVACY_TERMS_PARAGRAPHS],
        rx.text(T["privacy.version"], " ", PRIVACY_TERMS_VERSION, size="2", color_scheme="gray"),
    )


@template(routes.ACCESSIBILITY, title_key="title.accessibility")
def accessibility() -> rx.Component:
    return _article(
        rx.heading(T["about.accessibility_title"], size="7", as_="h1"),
        rx.text(T["about.accessibility_goal"], size="3"),
        rx.text(T["about.accessibility_checked"], size="3"),
        rx.text(T["about.accessibility_contact"], size="3"),
    )


@template(routes.NOT_FOUND, title_key="title.not_found")
def not_found() -> rx.Component:
    return _article(
        rx.heading(T["not_found.title"], size="7", as_="h1"),
        rx.text(T["not_found.body"], size="3"),
        rx.link(T["not_found.home"], href=routes.HOME, size="3"),
    )
