"""Min side sign-in at phone size: invoice data or mobile + password, then the SMS code."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import field_error, form_error, scripted_form, text_field
from app.components.template import template
from app.services.customer.privacy_terms import PRIVACY_TERMS_PARAGRAPHS, PRIVACY_TERMS_VERSION
from app.states.customer.login import CustomerLoginState as S

TAP = "44px"


def _privacy_terms() -> rx.Component:
    """The terms the consent box refers to, folded away until the customer opens them."""
    t = S.t
    return rx.el.details(
        rx.el.summary(
            # A chevron says it opens: without it the closed box looked like an empty input.
            rx.icon("chevron-down", size=18, aria_hidden="true", margin_right="var(--space-2)"),
            rx.text(t["privacy.title"], as_="span", weight="medium"),
            cursor="pointer",
            min_height=TAP,
            display="flex",
            align_items="center",
        ),
        rx.vstack(
            *[rx.text(t[key], size="2") for key in PRIVACY_TERMS_PARAGRAPHS],
            rx.text(t["privacy.version"], " ", PRIVACY_TERMS_VERSION, size="1", color_scheme="gray"),
            spacing="2",
            padding_top="var(--space-2)",
        ),
        id="privacy-terms",
        border="1px solid var(--gray-a6)",
        border_radius="var(--radius-3)",
        padding_x="var(--space-3)",
        padding_bottom="var(--space-2)",
        width="100%",
    )


def _first_login_form() -> rx.Component:
    t = S.t
    return scripted_form(
        rx.vstack(
            text_field(
                t["customer.installation_number"],
                "installation_number",
                S.errors["installation_number"],
                input_mode="numeric",
                hint=t["customer.on_invoice"],
            ),
            text_field(
                t["customer.metering_point_id"],
                "metering_point_id",
                S.errors["metering_point_id"],
                input_mode="numeric",
            ),
            text_field(
                t["customer.mobile"],
                "mobile",
                S.errors["mobile"],
                default_value=S.mobile,
                type="tel",
                autocomplete="tel",
            ),
            rx.vstack(
                _privacy_terms(),
                rx.hstack(
                    rx.checkbox(id="consent", name="consent", size="3", aria_describedby="consent-error"),
                    rx.el.label(t["customer.consent"], html_for="consent", class_name="rt-Text rt-r-size-2"),
                    align="start",
                    spacing="3",
                ),
                rx.el.input(type="hidden", name="terms_version", value=PRIVACY_TERMS_VERSION),
                field_error(S.errors["consent"], "consent-error"),
                spacing="2",
            ),
            form_error(S.errors["form"]),
            rx.button(t["customer.send_code"], type="submit", size="3", width="100%", min_height=TAP),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_first_login,
        width="100%",
    )


def _password_form() -> rx.Component:
    t = S.t
    return scripted_form(
        rx.vstack(
            text_field(
                t["customer.mobile"],
                "login_mobile",
                S.errors["mobile"],
                default_value=S.mobile,
                type="tel",
                autocomplete="tel",
            ),
            text_field(
                t["customer.password"],
                "login_password",
                S.errors["password"],
                type="password",
                autocomplete="current-password",
            ),
            form_error(S.errors["form"]),
            rx.button(t["customer.login"], type="submit", size="3", width="100%", min_height=TAP),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_password_login,
        reset_on_submit=True,
        width="100%",
    )


def _shared_form() -> rx.Component:
    t = S.t
    return scripted_form(
        rx.vstack(
            rx.text(t["customer.shared_login_intro"], size="2"),
            text_field(
                t["customer.shared_mobile"],
                "shared_mobile",
                S.errors["shared_mobile"],
                default_value=S.mobile,
                type="tel",
                autocomplete="tel",
            ),
            form_error(S.errors["form"]),
            rx.button(t["customer.shared_send_code"], type="submit", size="3", width="100%", min_height=TAP),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_shared_login,
        width="100%",
    )


def _code_form() -> rx.Component:
    t = S.t
    return scripted_form(
        rx.vstack(
            rx.text(
                t["customer.code_sent_to"],
                " ",
                rx.text.strong(S.masked_mobile),
                ". ",
                t["customer.code_may_take"],
                size="3",
            ),
            text_field(
                t["customer.code"],
                "code",
                S.errors["code"],
                autocomplete="one-time-code",
                input_mode="numeric",
                auto_focus=True,
            ),
            rx.button(t["customer.confirm_code"], type="submit", size="3", width="100%", min_height=TAP),
            rx.button(
                rx.cond(
                    S.resend_in > 0,
                    t["customer.resend_wait"] + " " + S.resend_in.to_string() + " s",
                    t["customer.resend"],
                ),
                type="button",
                variant="soft",
                size="3",
                width="100%",
                min_height=TAP,
                disabled=S.resend_in > 0,
                on_click=S.request_new_code,
            ),
            rx.button(
                t["customer.start_over"],
                type="button",
                variant="ghost",
                size="3",
                min_height=TAP,
                on_click=S.start_over,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_code,
        width="100%",
    )


@template(routes.CUSTOMER_LOGIN, title_key="title.customer_login", states=[S], on_load=S.open_from_link)
def customer_login() -> rx.Component:
    t = S.t
    return rx.card(
        rx.vstack(
            rx.heading(t["customer.login_title"], size="6", as_="h1"),
            rx.cond(
                S.step == "code",
                _code_form(),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger(t["customer.first_time"], value="first", min_height=TAP),
                        rx.tabs.trigger(t["customer.with_password"], value="password", min_height=TAP),
                        rx.tabs.trigger(t["customer.shared_login"], value="shared", min_height=TAP),
                        width="100%",
                    ),
                    rx.tabs.content(rx.box(_first_login_form(), padding_top="var(--space-4)"), value="first"),
                    rx.tabs.content(rx.box(_password_form(), padding_top="var(--space-4)"), value="password"),
                    rx.tabs.content(rx.box(_shared_form(), padding_top="var(--space-4)"), value="shared"),
                    value=S.method,
                    on_change=S.set_method,
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        max_width="30rem",
        margin_x="auto",
    )
