"""Ask for access: a registered account without an organisation says who they are."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import field_error, form_error, scripted_form, text_field
from app.components.form_card import form_card, stacked
from app.components.template import template
from app.models import Role
from app.services.accounts.administration import REQUESTABLE_ROLES
from app.states.accounts.access import AccessRequestState as S


def _role_choice() -> rx.Component:
    t = S.t
    return rx.el.fieldset(
        rx.el.legend(t["access.role_label"], class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        rx.vstack(
            *(
                rx.hstack(
                    rx.el.input(
                        type="radio",
                        id=f"role-{role.value}",
                        name="requested_role",
                        value=role.value,
                        aria_describedby="requested_role-error",
                    ),
                    rx.el.label(
                        t[f"role.{role.value}"],
                        html_for=f"role-{role.value}",
                        class_name="rt-Text rt-r-size-3",
                    ),
                    align="center",
                    spacing="2",
                )
                for role in REQUESTABLE_ROLES
            ),
            spacing="2",
            padding_top="var(--space-2)",
        ),
        field_error(S.errors["requested_role"], "requested_role-error"),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _status() -> rx.Component:
    t = S.t
    return rx.match(
        S.request_status,
        (
            "pending",
            rx.callout(
                t["access.pending"], icon="hourglass", role="status", width="100%", high_contrast=True
            ),
        ),
        (
            "declined",
            rx.callout(
                t["access.declined"] + " " + S.decline_reason,
                icon="circle-x",
                color_scheme="red",
                width="100%",
                high_contrast=True,
            ),
        ),
        (
            "approved",
            rx.callout(
                t["access.approved"],
                icon="circle-check",
                color_scheme="green",
                width="100%",
                high_contrast=True,
            ),
        ),
        rx.fragment(),
    )


@template(routes.ACCOUNT_ACCESS, title_key="title.account_access", roles={Role.REGISTERED}, on_load=S.load)
def access_request() -> rx.Component:
    t = S.t
    return form_card(
        rx.heading(t["access.title"], size="6", as_="h1"),
        rx.text(t["access.intro"], size="3"),
        _status(),
        rx.cond(
            S.request_status != "pending",
            scripted_form(
                stacked(
                    _role_choice(),
                    text_field(
                        t["access.organisation_name"],
                        "organisation_name",
                        S.errors["organisation_name"],
                        autocomplete="organization",
                        hint=t["access.organisation_hint"],
                    ),
                    text_field(t["access.customer_number"], "customer_number", S.errors["customer_number"]),
                    form_error(S.errors["form"]),
                    rx.button(t["access.send"], type="submit", size="3", width="100%", high_contrast=True),
                ),
                on_submit=S.submit_request,
                width="100%",
            ),
        ),
    )
