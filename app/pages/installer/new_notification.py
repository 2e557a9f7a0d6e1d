""" "New pre-notification" ("Ny anmälan"): grid company -> installation type -> job type -> grid area."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import form_error, scripted_form, select_field
from app.components.form_card import form_card, stacked
from app.components.template import template
from app.models import Role
from app.states.installer.new_notification import NewNotificationState as S


def _choice(field: str, options: rx.Var, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """One required step of the cascade; ``props`` make a step that the next ones depend on controlled."""
    t = S.t
    return select_field(
        t[f"installer.{field}"],
        field,
        options,
        S.errors[field],
        placeholder=t["installer.choose"],
        required=True,
        **props,
    )


@template(routes.INSTALLER_NEW, title_key="title.installer_new", roles={Role.INSTALLER}, on_load=S.load)
def new_notification() -> rx.Component:
    t = S.t
    return form_card(
        rx.heading(t["installer.new_title"], size="6", as_="h1"),
        scripted_form(
            stacked(
                _choice(
                    "grid_company", S.grid_companies, value=S.grid_company, on_change=S.choose_grid_company
                ),
                _choice(
                    "installation_type",
                    S.installation_types,
                    value=S.installation_type,
                    on_change=S.choose_installation_type,
                ),
                _choice("job_type", S.job_types),
                rx.cond(
                    (S.installation_type != "") & (S.job_types.length() == 0),
                    rx.text(t["installer.no_job_types"], size="2", role="status"),
                ),
                _choice("grid_area", S.grid_areas),
                form_error(S.errors["form"]),
                rx.hstack(
                    rx.link(t["installer.cancel"], href=routes.INSTALLER_HOME),
                    rx.button(t["installer.create"], type="submit", size="3", high_contrast=True),
                    justify="end",
                    align="center",
                    spacing="4",
                    width="100%",
                ),
            ),
            on_submit=S.create,
            width="100%",
        ),
    )
