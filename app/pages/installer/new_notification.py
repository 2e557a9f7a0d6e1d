""" "New pre-notification" ("Ny anmälan"): grid company -> installation type -> job type -> grid area."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import form_error, select_field
from app.components.template import template
from app.states.installer.new_notification import NewNotificationState as S


@template(route=routes.INSTALLER_NEW, title="Ny foranmelding", on_load=S.load)
def new_notification() -> rx.Component:
    t = S.t
    return rx.card(
        rx.vstack(
            rx.heading(t["installer.new_title"], size="6", as_="h1"),
            rx.form(
                rx.vstack(
                    select_field(
                        t["installer.grid_company"],
                        "grid_company",
                        S.grid_companies,
                        S.errors["grid_company"],
                        value=S.grid_company,
                        on_change=S.choose_grid_company,
                        placeholder=t["installer.choose"],
                        required=True,
                    ),
                    select_field(
                        t["installer.installation_type"],
                        "installation_type",
                        S.installation_types,
                        S.errors["installation_type"],
                        value=S.installation_type,
                        on_change=S.choose_installation_type,
                        placeholder=t["installer.choose"],
                        required=True,
                    ),
                    select_field(
                        t["installer.job_type"],
                        "job_type",
                        S.job_types,
                        S.errors["job_type"],
                        placeholder=t["installer.choose"],
                        required=True,
                    ),
                    rx.cond(
                        (S.installation_type != "") & (S.job_types.length() == 0),
                        rx.text(t["installer.no_job_types"], size="2", role="status"),
                    ),
                    select_field(
                        t["installer.grid_area"],
                        "grid_area",
                        S.grid_areas,
                        S.errors["grid_area"],
                        placeholder=t["installer.choose"],
                        required=True,
                    ),
                    form_error(S.errors["form"]),
                    rx.hstack(
                        rx.link(t["installer.cancel"], href=routes.INSTALLER_HOME),
                        rx.button(t["installer.create"], type="submit", size="3", high_contrast=True),
                        justify="end",
                        align="center",
                        spacing="4",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.create,
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        max_width="36rem",
        margin_x="auto",
    )
