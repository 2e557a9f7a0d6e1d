"""Min side, "Share access" (from the profile): the form, and who has access with revoke."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.dialogs import dialog_button, form_dialog
from app.components.fields import LABEL_CLASS, field_error, form_error, scripted_form, text_field
from app.components.template import template
from app.models import Role
from app.states.customer.sharing import SharingState as S

TAP = "44px"


def _scope_choice(name: str, label: rx.Var, *, checked: bool) -> rx.Component:
    return rx.hstack(
        rx.el.input(
            type="checkbox",
            id=f"scope-{name}",
            name=name,
            default_checked=checked,
            aria_describedby="scope-error",
            style={"width": "1.25rem", "height": "1.25rem", "margin": "0", "flex_shrink": "0"},
        ),
        rx.el.label(label, html_for=f"scope-{name}", class_name="rt-Text rt-r-size-3"),
        spacing="2",
        align="center",
        min_height=TAP,
    )


def _until_field() -> rx.Component:
    return rx.vstack(
        rx.el.label(S.t["sharing.until"], html_for="until", class_name=LABEL_CLASS),
        rx.input(
            id="until",
            name="until",
            type="date",
            default_value=S.default_until,
            min=S.earliest_until,
            max=S.latest_until,
            size="3",
            width="100%",
            aria_invalid=rx.cond(S.errors["until"], "true", "false"),
            aria_describedby="until-hint until-error",
        ),
        rx.text(S.t["sharing.until_hint"], id="until-hint", size="2", color_scheme="gray"),
        field_error(S.errors["until"], "until-error"),
        spacing="1",
        width="100%",
    )


def _grant_form() -> rx.Component:
    return scripted_form(
        rx.vstack(
            text_field(
                S.t["sharing.mobile"],
                "mobile",
                S.errors["mobile"],
                type="tel",
                autocomplete="off",
                hint=S.t["sharing.mobile_hint"],
            ),
            rx.el.fieldset(
                rx.el.legend(
                    S.t["sharing.scope"],
                    class_name=LABEL_CLASS,
                    style={"padding": "0", "margin_bottom": "var(--space-1)"},
                ),
                _scope_choice("consumption", S.t["sharing.scope_consumption"], checked=True),
                _scope_choice("invoices", S.t["sharing.scope_invoices"], checked=False),
                field_error(S.errors["scope"], "scope-error"),
                style={"border": "none", "padding": "0", "margin": "0", "min_width": "0", "width": "100%"},
            ),
            rx.cond(S.loaded, _until_field()),
            form_error(S.errors["form"]),
            rx.button(S.t["sharing.submit"], type="submit", size="3", width="100%", min_height=TAP),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_grant,
        width="100%",
        id="share-form",
    )


def _grant_row(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(item["mobile"], weight="medium"),
            rx.spacer(),
            rx.badge(item["status"], color_scheme=rx.cond(item["active"], "green", "gray"), size="2"),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.text(item["period"], size="2"),
        rx.text(item["sees"], size="2"),
        rx.text(item["seen"], size="2", color_scheme="gray"),
        rx.cond(
            item["active"],
            dialog_button(
                S,
                item["dialog"],
                S.t["sharing.revoke"],
                color_scheme="red",
                variant="soft",
                size="3",
                min_height=TAP,
                aria_label=item["revoke_label"],
            ),
        ),
        spacing="1",
        width="100%",
        padding_y="var(--space-3)",
        border_bottom="1px solid var(--gray-a4)",
        class_name="grant-row",
    )


def _grants_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.t["sharing.list_title"], size="4", as_="h2"),
            rx.cond(
                S.grants.length() > 0,
                rx.vstack(
                    rx.text(S.active_count_text, size="2", role="status"),
                    rx.foreach(S.grants, _grant_row),
                    spacing="1",
                    width="100%",
                ),
                rx.text(S.t["sharing.none"], size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        id="grants",
    )


def _revoke_dialog() -> rx.Component:
    return form_dialog(
        S,
        S.revoke_dialog,
        S.t["sharing.revoke_title"],
        S.revoke_mobile + ": " + S.t["sharing.revoke_text"],
        on_submit=S.confirm_revoke,
        submit_label=S.t["sharing.revoke"],
        cancel_label=S.t["sharing.cancel"],
        dialog_id="revoke-dialog",
        danger=True,
        alert=True,
    )


@template(routes.CUSTOMER_SHARING, title_key="title.customer_sharing", roles={Role.CUSTOMER}, on_load=S.load)
def customer_sharing() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["sharing.title"], size="7", as_="h1"),
        rx.card(
            rx.vstack(
                rx.text(S.t["sharing.intro"], size="2"),
                _grant_form(),
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        rx.cond(S.loaded, _grants_card(), rx.skeleton(height="8rem", width="100%")),
        _revoke_dialog(),
        spacing="4",
        width="100%",
        max_width="40rem",
        margin_x="auto",
    )
