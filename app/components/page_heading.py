"""A page's title (its one h1) with the page's own actions at the right."""

from __future__ import annotations

import reflex as rx


def page_heading(title: rx.Var | str, *actions: rx.Component) -> rx.Component:
    heading = rx.heading(title, size="7", as_="h1")
    if not actions:
        return heading
    return rx.hstack(heading, rx.spacer(), *actions, align="center", spacing="4", width="100%")
