"""Min side profile: the mobile number, linked relationships, the password account."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.dialogs import dialog_button, form_dialog
from app.components.fields import form_error, scripted_form, text_field
from app.components.template import template
from app.models import Role
from app.pages.customer.relationship_cards import TAP, linked_card, relationships_card
from app.states.customer.overview import CustomerState as S


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
    return scripted_form(
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
    return scripted_form(
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
    return rx.fragment(
        dialog_button(
            S,
            "delete_account",
            S.t["customer.delete_account"],
            color_scheme="red",
            variant="soft",
            size="3",
            width="100%",
            min_height=TAP,
            id="delete-account",
        ),
        form_dialog(
            S,
            "delete_account",
            S.t["customer.delete_account"],
            S.t["customer.delete_account_help"],
            submit_label=S.t["customer.delete_account_confirm"],
            cancel_label=S.t["customer.cancel"],
            on_submit=S.confirm_delete_account,
            fields=(
                text_field(
                    S.t["customer.delete_account_password"],
                    "delete_password",
                    S.errors["password"],
                    name="password",
                    type="password",
                    autocomplete="current-password",
                ),
            ),
            error=S.errors["form"],
            danger=True,
            dialog_id="delete-account-dialog",
            alert=True,
        ),
    )


@template(
    routes.CUSTOMER_PROFILE, title_key="title.customer_profile", roles={Role.CUSTOMER}, on_load=S.load_profile
)
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
        rx.cond(S.has_account, linked_card(), relationships_card()),
        rx.button(
            rx.link(S.t["sharing.profile_link"], href=routes.CUSTOMER_SHARING, underline="none"),
            as_child=True,
            size="3",
            variant="soft",
            width="100%",
            min_height=TAP,
        ),
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
