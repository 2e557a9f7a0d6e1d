"""Sign in (one page per portal, one service), register, activate, forgot and reset password."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import form_error, scripted_form, text_field
from app.components.form_card import form_card, stacked
from app.components.template import template
from app.services.accounts.password_policy import RULES
from app.states.accounts.forms import AccountFormsState as S

CARD_WIDTH = "32rem"

# Each rule line shows either its "met" or its "unmet" text; assets/password_rules.js flips
# data-met while the person types (the server checks the same rules on submit).
RULES_CSS = """
[data-rule] .rule-met { display: none; }
[data-rule][data-met="true"] .rule-met { display: inline; }
[data-rule][data-met="true"] .rule-unmet { display: none; }
[data-rule] { list-style: none; display: flex; gap: var(--space-2); align-items: baseline; }
[data-rule] .rule-unmet { color: var(--red-11); }
[data-rule] .rule-met { color: var(--grass-11); }
"""


def _card(*children: rx.Component) -> rx.Component:
    return form_card(*children, max_width=CARD_WIDTH)


def _account_form(handler, button_label: rx.Var, *fields: rx.Component, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """The fields, the form's error and the submit button (full width) in one uncontrolled form."""
    return scripted_form(
        stacked(
            *fields,
            form_error(S.errors["form"]),
            # Solid teal with white text is 3.1:1; high contrast passes WCAG AA.
            rx.button(button_label, type="submit", size="3", width="100%", high_contrast=True),
        ),
        on_submit=handler,
        width="100%",
        **props,
    )


# ---------------------------------------------------------------- sign in


def _login_page(title: rx.Var) -> rx.Component:
    t = S.t
    return _card(
        rx.heading(title, size="6", as_="h1"),
        _account_form(
            S.submit_login,
            t["accounts.login"],
            text_field(
                t["accounts.email"], "email", S.errors["email"], type="email", autocomplete="username"
            ),
            text_field(
                t["accounts.password"],
                "password",
                S.errors["password"],
                type="password",
                autocomplete="current-password",
            ),
        ),
        rx.hstack(
            rx.link(t["accounts.forgot_link"], href=routes.ACCOUNT_FORGOT),
            rx.link(t["accounts.register_link"], href=routes.ACCOUNT_REGISTER),
            justify="between",
            width="100%",
        ),
    )


@template(routes.ACCOUNT_LOGIN, title_key="title.account_login", on_load=S.reset_form)
def account_login() -> rx.Component:
    return _login_page(S.t["accounts.login_title"])


@template(routes.KEYS_LOGIN, title_key="title.keys_login", on_load=S.reset_form)
def keys_login() -> rx.Component:
    return _login_page(S.t["portal.keys.title"] + " – " + S.t["login.title"])


@template(routes.INSTALLER_LOGIN, title_key="title.installer_login", on_load=S.reset_form)
def installer_login() -> rx.Component:
    return _login_page(S.t["portal.installer.title"] + " – " + S.t["login.title"])


@template(routes.STAFF_LOGIN, title_key="title.staff_login", on_load=S.reset_form)
def staff_login() -> rx.Component:
    return _login_page(S.t["nav.staff"] + " – " + S.t["login.title"])


# ---------------------------------------------------------------- "send me a link" forms


def _link_request_page(
    title_key: str, intro_key: str, sent_key: str, button_key: str, handler
) -> rx.Component:
    t = S.t
    return _card(
        rx.heading(t[title_key], size="6", as_="h1"),
        rx.text(t[intro_key], size="3"),
        rx.cond(
            S.link_sent,
            rx.callout(
                t[sent_key],
                icon="mail-check",
                color_scheme="green",
                role="status",
                width="100%",
                high_contrast=True,
            ),
        ),
        _account_form(
            handler,
            t[button_key],
            text_field(t["accounts.email"], "email", S.errors["email"], type="email", autocomplete="email"),
        ),
        rx.link(t["accounts.back_to_login"], href=routes.ACCOUNT_LOGIN),
    )


@template(routes.ACCOUNT_REGISTER, title_key="title.account_register", on_load=S.reset_form)
def register() -> rx.Component:
    return _link_request_page(
        "accounts.register_title",
        "accounts.register_intro",
        "accounts.activation_sent",
        "accounts.send",
        S.submit_register,
    )


@template(routes.ACCOUNT_FORGOT, title_key="title.account_forgot", on_load=S.reset_form)
def forgot_password() -> rx.Component:
    return _link_request_page(
        "accounts.forgot_title",
        "accounts.forgot_intro",
        "accounts.reset_sent",
        "accounts.send",
        S.submit_forgot,
    )


# ---------------------------------------------------------------- following a link


def password_rules() -> rx.Component:
    t = S.t
    return rx.box(
        rx.el.style(RULES_CSS),
        rx.script(src="/password_rules.js"),
        rx.text(t["password_rules.title"], id="password-rules-title", size="2", weight="medium"),
        rx.el.ul(
            *(
                rx.el.li(
                    rx.el.span(t["password_rules.met"], class_name="rule-met"),
                    rx.el.span(t["password_rules.unmet"], class_name="rule-unmet"),
                    rx.el.span(t[f"password_rule.{rule}"]),
                    custom_attrs={"data-rule": rule, "data-met": "false"},
                )
                for rule in RULES
            ),
            aria_labelledby="password-rules-title",
            style={"padding": "0", "margin": "0", "display": "grid", "gap": "var(--space-1)"},
        ),
        width="100%",
    )


def _link_problem() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.callout(
            S.link_error,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            width="100%",
            high_contrast=True,
        ),
        rx.text(t["accounts.link_help"], size="3"),
        rx.hstack(
            rx.link(t["accounts.register_link"], href=routes.ACCOUNT_REGISTER),
            rx.link(t["accounts.forgot_link"], href=routes.ACCOUNT_FORGOT),
            spacing="5",
        ),
        spacing="3",
        width="100%",
    )


def _new_password_form(handler, button_key: str, *, with_name: bool) -> rx.Component:
    t = S.t
    return _account_form(
        handler,
        t[button_key],
        rx.text(t["accounts.account_for"], " ", rx.text.strong(S.link_email), size="3"),
        text_field(t["accounts.name_optional"], "name", S.errors["name"], autocomplete="name")
        if with_name
        else rx.fragment(),
        text_field(
            t["accounts.password"],
            "password",
            S.errors["password"],
            type="password",
            autocomplete="new-password",
            hint=t["password_rules.hint"],
        ),
        password_rules(),
        text_field(
            t["accounts.password_again"],
            "password_again",
            S.errors["password_again"],
            type="password",
            autocomplete="new-password",
        ),
        custom_attrs={"data-password-rules": "", "data-email": S.link_email},
    )


def _link_page(title_key: str, form: rx.Component) -> rx.Component:
    """A page opened from a mailed link: the form, or what is wrong with the link."""
    return _card(
        rx.heading(S.t[title_key], size="6", as_="h1"),
        rx.cond(S.link_error, _link_problem(), form),
    )


@template(routes.ACCOUNT_ACTIVATE, title_key="title.account_activate", on_load=S.load_activation)
def activate() -> rx.Component:
    return _link_page(
        "accounts.activate_title",
        _new_password_form(S.submit_activation, "accounts.complete", with_name=True),
    )


@template(routes.ACCOUNT_RESET, title_key="title.account_reset", on_load=S.load_reset)
def reset_password() -> rx.Component:
    return _link_page(
        "accounts.reset_title", _new_password_form(S.submit_reset, "accounts.save_password", with_name=False)
    )
