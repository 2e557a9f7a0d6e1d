"""Administration: e-mail accounts (search, filter, deactivate) and pending access requests."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.administrator_switch import administrator_switch
from app.components.failing_messages import failing_messages_section
from app.components.fields import field_error, scripted_form
from app.components.filters import apply_button, filter_form, filter_select, search_input
from app.components.paged_table import Column, paged_table
from app.components.row_button import row_button
from app.components.template import template
from app.models import Role
from app.services.accounts.accounts import EMAIL_ROLES
from app.states.accounts.admin import AdminState as S
from app.states.failing_messages import FailingMessagesState


def _organisation_options() -> rx.Component:
    return rx.foreach(S.organisation_options, lambda org: rx.el.option(org["label"], value=org["id"]))


def _filters() -> rx.Component:
    t = S.t
    return filter_form(
        search_input(t["admin.search"], "search", "search", width="18rem"),
        filter_select(
            t["admin.organisation"],
            "organisation-filter",
            "organisation",
            t["admin.all"],
            _organisation_options(),
        ),
        filter_select(
            t["admin.role"],
            "role-filter",
            "role",
            t["admin.all"],
            *(
                rx.el.option(t[f"role.{role.value}"], value=role.value)
                for role in Role
                if role in EMAIL_ROLES
            ),
        ),
        apply_button(t["admin.apply"]),
        on_submit=S.apply_filters,
    )


def _active(row: rx.Var) -> rx.Component:
    return rx.cond(row["active"], S.t["admin.active"], S.t["admin.inactive"])


def _deactivate(row: rx.Var) -> rx.Component:
    t = S.t
    return rx.cond(
        row["active"],
        row_button(t["admin.deactivate"], row["email"], S.deactivate(row["user_id"]), danger=True),
    )


def _grid_administrator(row: rx.Var) -> rx.Component:
    """Staff of a grid company: make them its administrator; its administrators: staff again."""
    t = S.t
    grid_role = row["grid_role"]
    # Only staff and administrators of a grid company have the button ("grid_role" is "" otherwise).
    return rx.cond(
        (row["active"] != "") & (grid_role != ""),
        administrator_switch(
            is_admin=grid_role == Role.GRID_ADMIN.value,
            subject=row["email"],
            make_label=t["admin.make_grid_admin"],
            take_label=t["admin.take_grid_admin"],
            on_switch=lambda make: S.set_grid_administrator(row["user_id"], make),
        ),
    )


def _actions(row: rx.Var) -> rx.Component:
    return rx.hstack(_deactivate(row), _grid_administrator(row), spacing="2", wrap="wrap")


ACCOUNT_COLUMNS = (
    Column("admin.email", "email", row_header=True),
    Column("admin.name", "name"),
    Column("admin.role", "role"),
    Column("admin.organisation", "organisation"),
    Column("admin.status", cell=_active),
    Column("admin.actions", cell=_actions),
)


def _accounts() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["admin.accounts"], size="5", as_="h2"),
        _filters(),
        paged_table(S, ACCOUNT_COLUMNS, table_id="account-table", row_id=None, note=S.total_text),
        spacing="4",
        width="100%",
    )


def _request_card(row: rx.Var) -> rx.Component:
    t = S.t
    rid = row["request_id"]
    return rx.card(
        rx.vstack(
            rx.heading(row["email"], size="3", as_="h3"),
            rx.text(
                t["admin.requested_role"],
                ": ",
                rx.text.strong(row["requested_role"]),
                " · ",
                t["access.organisation_name"],
                ": ",
                row["organisation_name"],
                " · ",
                t["access.customer_number"],
                ": ",
                row["customer_number"],
                size="2",
            ),
            rx.hstack(
                scripted_form(
                    rx.el.input(type="hidden", name="request_id", value=rid),
                    rx.hstack(
                        filter_select(
                            t["admin.choose_organisation"],
                            "organisation-" + rid,
                            "organisation_id",
                            "—",
                            _organisation_options(),
                        ),
                        rx.vstack(
                            rx.el.label(
                                t["admin.new_organisation"],
                                html_for="new-organisation-" + rid,
                                class_name="rt-Text rt-r-size-2",
                            ),
                            # The name the person typed, ready to approve or to correct.
                            rx.input(
                                id="new-organisation-" + rid,
                                name="new_organisation",
                                size="2",
                                default_value=row["organisation_name"],
                            ),
                            spacing="1",
                        ),
                        rx.button(
                            t["admin.approve"],
                            type="submit",
                            size="2",
                            high_contrast=True,
                            aria_label=t["admin.approve"] + " " + row["email"],
                        ),
                        align="end",
                        spacing="3",
                    ),
                    field_error(S.errors[rid + ".organisation"], "organisation-error-" + rid),
                    on_submit=S.approve,
                ),
                scripted_form(
                    rx.el.input(type="hidden", name="request_id", value=rid),
                    rx.hstack(
                        rx.vstack(
                            rx.el.label(
                                t["admin.reason"], html_for="reason-" + rid, class_name="rt-Text rt-r-size-2"
                            ),
                            rx.input(id="reason-" + rid, name="reason", size="2", width="16rem"),
                            spacing="1",
                        ),
                        rx.button(
                            t["admin.decline"],
                            type="submit",
                            size="2",
                            variant="soft",
                            high_contrast=True,
                            color_scheme="red",
                            aria_label=t["admin.decline"] + " " + row["email"],
                        ),
                        align="end",
                        spacing="3",
                    ),
                    field_error(S.errors[rid + ".reason"], "reason-error-" + rid),
                    on_submit=S.decline,
                ),
                spacing="6",
                wrap="wrap",
                align="start",
            ),
            spacing="3",
        ),
        width="100%",
    )


def _requests() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.heading(t["admin.requests"], size="5", as_="h2"),
        rx.cond(
            S.requests.length() > 0,
            rx.vstack(rx.foreach(S.requests, _request_card), spacing="3", width="100%"),
            rx.text(t["admin.no_requests"], size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


@template(
    routes.ADMIN_HOME,
    title_key="title.admin_home",
    roles={Role.ADMIN},
    on_load=[S.load, FailingMessagesState.load],
)
def admin_home() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["admin.title"], size="7", as_="h1"),
        _requests(),
        failing_messages_section(),
        _accounts(),
        spacing="6",
        width="100%",
    )
