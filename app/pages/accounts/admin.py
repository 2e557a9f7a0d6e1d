"""Administration: e-mail accounts (search, filter, deactivate) and pending access requests."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import field_error
from app.components.template import template
from app.models import Role
from app.services.accounts.accounts import EMAIL_ROLES
from app.states.accounts.admin import AdminState as S

_NATIVE_SELECT = {"min_height": "2.5rem", "padding": "0 var(--space-2)", "border_radius": "var(--radius-2)",
                  "border": "1px solid var(--gray-a7)", "background": "var(--color-surface)",
                  "color": "var(--gray-12)", "font_size": "var(--font-size-2)"}


def _label(text: rx.Var, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, class_name="rt-Text rt-r-size-2 rt-r-weight-medium")


def _filters() -> rx.Component:
    t = S.t
    return rx.form(
        rx.hstack(
            rx.vstack(_label(t["admin.search"], "search"),
                      rx.input(id="search", name="search", type="search", size="2", width="18rem"),
                      spacing="1"),
            rx.vstack(
                _label(t["admin.organisation"], "organisation-filter"),
                rx.el.select(
                    rx.el.option(t["admin.all"], value=""),
                    rx.foreach(S.organisation_options,
                               lambda org: rx.el.option(org["label"], value=org["id"])),
                    id="organisation-filter", name="organisation", style=_NATIVE_SELECT,
                ),
                spacing="1",
            ),
            rx.vstack(
                _label(t["admin.role"], "role-filter"),
                rx.el.select(
                    rx.el.option(t["admin.all"], value=""),
                    *(rx.el.option(t[f"role.{role.value}"], value=role.value)
                      for role in Role if role in EMAIL_ROLES),
                    id="role-filter", name="role", style=_NATIVE_SELECT,
                ),
                spacing="1",
            ),
            rx.button(t["admin.apply"], type="submit", size="2", high_contrast=True),
            align="end",
            spacing="4",
            wrap="wrap",
        ),
        on_submit=S.apply_filters,
        role="search",
    )


def _account_row(row: rx.Var) -> rx.Component:
    t = S.t
    return rx.table.row(
        rx.table.row_header_cell(row["email"]),
        rx.table.cell(row["name"]),
        rx.table.cell(row["role"]),
        rx.table.cell(row["organisation"]),
        rx.table.cell(rx.cond(row["active"], t["admin.active"], t["admin.inactive"])),
        rx.table.cell(
            rx.cond(
                row["active"],
                rx.button(t["admin.deactivate"], size="1", variant="soft", color_scheme="red",
                          high_contrast=True,
                          aria_label=t["admin.deactivate"] + " " + row["email"],
                          on_click=S.deactivate(row["user_id"])),
            )
        ),
    )


def _accounts() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.heading(t["admin.accounts"], size="5", as_="h2"),
        _filters(),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *(rx.table.column_header_cell(t[key]) for key in (
                        "admin.email", "admin.name", "admin.role", "admin.organisation",
                        "admin.status", "admin.actions"))
                )
            ),
            rx.table.body(rx.foreach(S.accounts, _account_row)),
            width="100%",
            variant="surface",
        ),
        rx.hstack(
            rx.button(t["admin.previous"], size="2", variant="soft", high_contrast=True, disabled=S.page <= 0,
                      on_click=S.go_to_page(S.page - 1)),
            rx.text(t["admin.page"], " ", (S.page + 1).to_string(), " / ", S.page_count.to_string(),
                    " · ", S.total_accounts.to_string(), " ", t["admin.accounts_count"], size="2"),
            rx.button(t["admin.next"], size="2", variant="soft", high_contrast=True,
                      disabled=S.page + 1 >= S.page_count,
                      on_click=S.go_to_page(S.page + 1)),
            align="center",
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )


def _request_card(row: rx.Var) -> rx.Component:
    t = S.t
    rid = row["request_id"]
    return rx.card(
        rx.vstack(
            rx.heading(row["email"], size="3", as_="h3"),
            rx.text(t["admin.requested_role"], ": ", rx.text.strong(row["requested_role"]), " · ",
                    t["access.organisation_name"], ": ", row["organisation_name"], " · ",
                    t["access.customer_number"], ": ", row["customer_number"], size="2"),
            rx.hstack(
                rx.form(
                    rx.el.input(type="hidden", name="request_id", value=rid),
                    rx.hstack(
                        rx.vstack(
                            rx.el.label(t["admin.choose_organisation"], html_for="organisation-" + rid,
                                        class_name="rt-Text rt-r-size-2"),
                            rx.el.select(
                                rx.el.option("—", value=""),
                                rx.foreach(S.organisation_options,
                                           lambda org: rx.el.option(org["label"], value=org["id"])),
                                id="organisation-" + rid, name="organisation_id", style=_NATIVE_SELECT,
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.el.label(t["admin.new_organisation"], html_for="new-organisation-" + rid,
                                        class_name="rt-Text rt-r-size-2"),
                            rx.input(id="new-organisation-" + rid, name="new_organisation", size="2"),
                            spacing="1",
                        ),
                        rx.button(t["admin.approve"], type="submit", size="2", high_contrast=True,
                                  aria_label=t["admin.approve"] + " " + row["email"]),
                        align="end",
                        spacing="3",
                    ),
                    field_error(S.errors[rid + ".organisation"], "organisation-error-" + rid),
                    on_submit=S.approve,
                ),
                rx.form(
                    rx.el.input(type="hidden", name="request_id", value=rid),
                    rx.hstack(
                        rx.vstack(
                            rx.el.label(t["admin.reason"], html_for="reason-" + rid,
                                        class_name="rt-Text rt-r-size-2"),
                            rx.input(id="reason-" + rid, name="reason", size="2", width="16rem"),
                            spacing="1",
                        ),
                        rx.button(t["admin.decline"], type="submit", size="2", variant="soft",
                                  high_contrast=True,
                                  color_scheme="red", aria_label=t["admin.decline"] + " " + row["email"]),
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


@template(route=routes.ADMIN_HOME, title="Administrasjon", on_load=S.load)
def admin_home() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["admin.title"], size="7", as_="h1"),
        _requests(),
        _accounts(),
        spacing="6",
        width="100%",
    )
