"""The customer's relationships: switch between them, link them to the account, unlink."""

from __future__ import annotations

import reflex as rx

from app.states.customer.overview import CustomerState as S

# The smallest comfortable tap target on a phone.
TAP = "44px"


def _relationship_row(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(item["label"], weight="medium"),
            rx.text(
                S.t["customer.installation_number"],
                ": ",
                item["installation_number"],
                size="2",
                color_scheme="gray",
            ),
            rx.cond(item["shared"], rx.badge(item["shared"], color_scheme="violet", size="2")),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(
            item["current"],
            rx.badge(S.t["customer.current"], size="2"),
            rx.button(
                S.t["customer.switch"],
                on_click=S.switch_to(item["id"]),
                size="3",
                variant="soft",
                min_height=TAP,
                aria_label=S.t["customer.switch"] + " " + item["label"],
            ),
        ),
        align="center",
        width="100%",
        padding_y="var(--space-2)",
        border_bottom="1px solid var(--gray-a4)",
    )


def _linked_row(item: rx.Var) -> rx.Component:
    return rx.cond(
        item["linked"],
        rx.hstack(
            rx.text(item["label"]),
            rx.spacer(),
            rx.button(
                S.t["customer.unlink"],
                on_click=S.unlink(item["id"]),
                size="3",
                variant="soft",
                color_scheme="gray",
                min_height=TAP,
                aria_label=S.t["customer.unlink"] + " " + item["label"],
            ),
            align="center",
            width="100%",
        ),
    )


def linked_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.t["customer.linked_title"], size="4", as_="h2"),
            rx.foreach(S.relationships, _linked_row),
            spacing="2",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def relationships_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.t["customer.relationships"], size="4", as_="h2"),
            rx.foreach(S.relationships, _relationship_row),
            rx.cond(
                S.needs_linking,
                rx.button(
                    S.t["customer.link_current"],
                    on_click=S.link_current,
                    size="3",
                    width="100%",
                    min_height=TAP,
                ),
            ),
            spacing="2",
            width="100%",
        ),
        size="3",
        width="100%",
    )
