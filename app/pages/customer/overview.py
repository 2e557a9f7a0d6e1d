"""Min side: the overview of the customer relationship, and links to the rest."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.template import template
from app.models import Role
from app.pages.customer.relationship_cards import TAP, relationships_card
from app.states.customer.overview import CustomerState as S


def _fact(label_key: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(S.t[label_key], min_width="9rem"),
        rx.data_list.value(value),
    )


def _overview_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.overview["name"], size="5", as_="h2"),
            rx.data_list.root(
                _fact("customer.address", S.overview["address"]),
                _fact("customer.installation_number", S.overview["installation_number"]),
                _fact("customer.metering_point_id", S.overview["metering_point_id"]),
                _fact("customer.meter", S.overview["meter_serial"]),
                _fact(
                    "customer.last_reading",
                    rx.cond(
                        S.overview["last_reading"],
                        rx.text(S.overview["last_reading"], " (", S.overview["last_reading_at"], ")"),
                        S.t["customer.no_reading"],
                    ),
                ),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                size="2",
            ),
            spacing="3",
        ),
        size="3",
        width="100%",
        aria_label=S.t["customer.overview"],
    )


def _shared_note() -> rx.Component:
    """On a relationship shared with this person: whose it is, and giving it back."""
    return rx.callout.root(
        rx.callout.text(S.shared_note),
        rx.button(
            S.t["sharing.give_back"],
            on_click=S.give_back_access,
            variant="soft",
            color_scheme="gray",
            size="3",
            min_height=TAP,
            margin_top="var(--space-2)",
        ),
        color_scheme="violet",
        width="100%",
        id="shared-note",
    )


def _link_button(label: rx.Var, route: str, **props) -> rx.Component:
    return rx.button(
        rx.link(label, href=route, underline="none"), as_child=True, size="3", min_height=TAP, **props
    )


def _links() -> rx.Component:
    # A relationship shared with this person shows what the grant names, never HAN or the profile.
    return rx.grid(
        rx.cond(
            S.may_see_consumption,
            _link_button(S.t["customer.see_consumption"], routes.CUSTOMER_CONSUMPTION),
        ),
        rx.cond(
            S.shared_by == "",
            _link_button(S.t["han.go_to_orders"], routes.CUSTOMER_HAN, variant="soft"),
        ),
        rx.cond(
            S.shared_by == "",
            _link_button(S.t["customer.profile"], routes.CUSTOMER_PROFILE, variant="soft"),
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


@template(routes.CUSTOMER_HOME, title_key="title.customer_home", roles={Role.CUSTOMER}, on_load=S.load)
def customer_home() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["nav.customer"], size="7", as_="h1"),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.cond(S.shared_by != "", _shared_note()),
                _overview_card(),
                _links(),
                relationships_card(),
                spacing="4",
                width="100%",
            ),
            # What app/first_paint.py paints its first figures over (their id in FIRST_PAINT_PAGES).
            rx.skeleton(height="12rem", width="100%", id="overview-skeleton"),
        ),
        spacing="4",
        width="100%",
        max_width="40rem",
        margin_x="auto",
    )
