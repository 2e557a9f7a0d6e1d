"""Case handling start page for grid-company staff."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.failing_messages import failing_messages_section
from app.components.template import template
from app.models import Role
from app.states.failing_messages import FailingMessagesState
from app.states.staff.start import StaffState


def _figure(label_key: str, name: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(StaffState.t[label_key], size="2", color_scheme="gray"),
            # A figure, not a heading: headings are the page's outline.
            rx.text(StaffState.figures[name], size="6", weight="bold"),
            spacing="1",
        ),
        width="100%",
    )


@template(
    routes.STAFF_HOME,
    title_key="title.staff_home",
    roles={Role.GRID_STAFF},
    on_load=[StaffState.load_overview, FailingMessagesState.load],
)
def staff_home() -> rx.Component:
    return rx.vstack(
        rx.heading(StaffState.t["nav.staff"], size="7", as_="h1"),
        rx.grid(
            _figure("staff.customers", "customers"),
            _figure("staff.relationships", "relationships"),
            _figure("staff.meters", "meters"),
            _figure("staff.readings", "readings"),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="4",
            width="100%",
        ),
        rx.text(StaffState.t["staff.newest_reading"], ": ", StaffState.newest_reading, size="2"),
        failing_messages_section(),
        spacing="5",
        width="100%",
    )
