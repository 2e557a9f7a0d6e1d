"""Start page of the installer portal: reached after sign-in (the key service has its own, app/pages/keys)."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.template import template
from app.states.accounts.portal_start import PortalStartState as S


def _start(name: str) -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.heading(t[f"portal.{name}.title"], size="7", as_="h1"),
        rx.text(t[f"portal.{name}.body"], size="3"),
        rx.callout(t["portal.start_empty"], icon="info", high_contrast=True),
        spacing="4",
        width="100%",
    )


@template(route=routes.INSTALLER_HOME, title="Installatørportalen", on_load=S.load_installer)
def installer_start() -> rx.Component:
    return _start("installer")
