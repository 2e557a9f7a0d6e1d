"""Min side overview and profile."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import field_error, form_error, text_field
from app.components.template import template
from app.states.customer.overview import CustomerState as S

TAP = "44px"


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
            spacing="0",
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


def _linked_card() -> rx.Component:
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


def _relationships_card() -> rx.Component:
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


def _links() -> rx.Component:
    return rx.grid(
        rx.button(
            rx.link(S.t["customer.see_consumption"], href=routes.CUSTOMER_CONSUMPTION, underline="none"),
            as_child=True,
            size="3",
            min_height=TAP,
        ),
        rx.button(
            rx.link(S.t["customer.profile"], href=routes.CUSTOMER_PROFILE, underline="none"),
            as_child=True,
            size="3",
            variant="soft",
            min_height=TAP,
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


@template(route=routes.CUSTOMER_HOME, title="Min side", on_load=S.load)
def customer_home() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["nav.customer"], size="7", as_="h1"),
        rx.cond(
            S.loaded,
            rx.vstack(_overview_card(), _links(), _relationships_card(), spacing="4", width="100%"),
            rx.skeleton(height="12rem", width="100%"),
        ),
        spacing="4",
        width="100%",
        max_width="40rem",
        margin_x="auto",
    )


def _new_password_fields(error_field: str, again_error_field: str) -> rx.Component:
    """The new password typed twice; the two forms' services name the fields differently."""
    return rx.fragment(
        text_field(
            S.t["customer.new_password"],
            "new_password",
            S.errors[error_field],
            type="password",
            autocomplete="new-password",
        ),
        text_field(
            S.t["customer.new_password_again"],
            "new_password_again",
            S.errors[again_error_field],
            type="password",
            autocomplete="new-password",
        ),
    )


def _create_account_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(S.t["customer.create_account"], size="4", as_="h2"),
            rx.text(S.t["customer.create_account_help"], size="2", color_scheme="gray"),
            _new_password_fields("password", "password_again"),
            form_error(S.errors["form"]),
            rx.button(S.t["customer.create_account"], type="submit", size="3", width="100%", min_height=TAP),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_create_account,
        reset_on_submit=True,
        width="100%",
    )


def _change_password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(S.t["customer.change_password"], size="4", as_="h2"),
            text_field(
                S.t["customer.current_password"],
                "current_password",
                S.errors["current_password"],
                type="password",
                autocomplete="current-password",
            ),
            _new_password_fields("new_password", "new_password_again"),
            form_error(S.errors["form"]),
            rx.button(S.t["customer.change_password"], type="submit", size="3", width="100%", min_height=TAP),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_change_password,
        reset_on_submit=True,
        width="100%",
    )


def _delete_account() -> rx.Component:
    # The password is asked again (uncontrolled, never a state var): a session opened by an
    # SMS code alone must not be enough to delete the account.
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                S.t["customer.delete_account"],
                color_scheme="red",
                variant="soft",
                size="3",
                width="100%",
                min_height=TAP,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.t["customer.delete_account"]),
            rx.alert_dialog.description(S.t["customer.delete_account_help"]),
            rx.form(
                rx.vstack(
                    rx.el.label(
                        S.t["customer.delete_account_password"],
                        html_for="delete_password",
                        class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
                    ),
                    rx.input(
                        id="delete_password",
                        name="password",
                        type="password",
                        auto_complete="current-password",
                        size="3",
                        width="100%",
                        aria_describedby="delete_password-error",
                    ),
                    field_error(S.errors["password"], "delete_password-error"),
                    form_error(S.errors["form"]),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(S.t["customer.cancel"], variant="soft", size="3", type="button")
                        ),
                        rx.button(
                            S.t["customer.delete_account_confirm"],
                            color_scheme="red",
                            size="3",
                            type="submit",
                        ),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    margin_top="var(--space-4)",
                ),
                on_submit=S.confirm_delete_account,
                reset_on_submit=True,
            ),
        ),
    )


@template(route=routes.CUSTOMER_PROFILE, title="Min side – profil", on_load=S.load)
def customer_profile() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["customer.profile"], size="7", as_="h1"),
        rx.card(
            rx.data_list.root(
                rx.data_list.item(
                    rx.data_list.label(S.t["customer.mobile"]),
                    rx.data_list.value(S.masked_mobile),
                ),
            ),
            size="3",
            width="100%",
        ),
        rx.cond(S.has_account, _linked_card(), _relationships_card()),
        rx.card(
            rx.cond(S.has_account, _change_password_form(), _create_account_form()),
            size="3",
            width="100%",
        ),
        rx.cond(S.has_account, _delete_account()),
        spacing="4",
        width="100%",
        max_width="40rem",
        margin_x="auto",
    )
