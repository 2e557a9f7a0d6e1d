"""The printable version of a pre-notification: the values only, no toolbar or navigation."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.template import template
from app.models import Role
from app.pages.installer.form_sections import REQUIRED_CSS
from app.services.installer.form_fields import INSTALLATION_FIELDS, PARTY_FIELDS, WORK_FIELDS
from app.states.installer.notification_form import NotificationFormState as S


def _rows(names: tuple[str, ...], label_of) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.el.dl(
        *(
            rx.fragment(
                rx.el.dt(S.t[label_of(name)], style={"font_weight": "600"}),
                rx.el.dd(S.values[name], style={"margin": "0 0 var(--space-2) 0"}),
            )
            for name in names
        ),
        style={"display": "grid", "grid_template_columns": "16rem 1fr", "gap": "0 var(--space-4)"},
    )


def _block(title_key: str, body: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(S.t[title_key], size="4", as_="h2"), body, spacing="2", width="100%")


def _party(party: str) -> rx.Component:
    names = tuple(f"{party}_{name}" for name in PARTY_FIELDS if name != "kind")
    return rx.vstack(
        _rows(names, lambda name: "installer.field." + name.split("_", 1)[1]),
        rx.text(S.t["installer.field.id_number"], ": ", S.t["installer.hidden_number"], size="2"),
        spacing="1",
        width="100%",
    )


@template(routes.INSTALLER_PRINT, title_key="title.installer_print", roles={Role.INSTALLER}, on_load=S.load)
def notification_print() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.el.style(REQUIRED_CSS),
        rx.hstack(
            rx.link(
                t["installer.back"],
                href=routes.INSTALLER_NOTIFICATION + "?id=" + S.notification_id.to_string(),
            ),
            rx.button(
                t["installer.print_now"],
                size="2",
                high_contrast=True,
                on_click=rx.call_script("window.print()"),
            ),
            spacing="4",
            align="center",
            class_name="mp-no-print",
        ),
        rx.heading(S.heading, size="7", as_="h1"),
        rx.text(S.status_label, " · ", S.case_line, size="3"),
        _block(
            "installer.section.installation",
            _rows(INSTALLATION_FIELDS, lambda name: "installer.field." + name),
        ),
        _block("installer.section.owner", _party("owner")),
        _block("installer.section.billing", _party("billing")),
        _block("installer.section.work", _rows(WORK_FIELDS, lambda name: "installer.field." + name)),
        spacing="5",
        width="100%",
        max_width="60rem",
    )
