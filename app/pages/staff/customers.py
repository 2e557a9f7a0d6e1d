"""The back office's customers (issue 24): search (desktop first, paged on the server) and one
customer's page with everything the grid company knows of them."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.data_table import empty_state
from app.components.dialogs import dialog_button, form_dialog
from app.components.filters import apply_button, filter_form, search_input
from app.components.page_heading import page_heading
from app.components.paged_table import Column, paged_table
from app.components.status_badge import status_badge
from app.components.template import template
from app.models import Role
from app.pages.keys import table
from app.states.staff.customers import StaffCustomerSearchState as Q
from app.states.staff.customers import StaffCustomerState as C

SEARCH_COLUMNS = (
    Column(
        "customers.col.name",
        cell=lambda item: rx.link(item["name"], href=routes.STAFF_CUSTOMER + "?id=" + item["customer_id"]),
        row_header=True,
    ),
    *(
        Column(f"customers.col.{field}", field)
        for field in ("installation_number", "metering_point_id", "meter", "mobile", "address", "state")
    ),
)


@template(
    routes.STAFF_CUSTOMERS,
    title_key="title.staff_customers",
    roles={Role.GRID_STAFF},
    on_load=Q.load,
    wide=True,
)
def staff_customers() -> rx.Component:
    t = Q.t
    return rx.vstack(
        page_heading(t["customers.title"]),
        rx.text(t["customers.intro"], size="2"),
        filter_form(
            search_input(
                t["customers.search_label"], "customer-query", "query", default_value=Q.query, width="28rem"
            ),
            apply_button(t["customers.search"]),
            on_submit=Q.search,
        ),
        rx.text(Q.found_text, size="2", role="status", id="customers-found"),
        paged_table(
            Q,
            SEARCH_COLUMNS,
            table_id="customer-hits",
            empty_key="customers.none",
            # "None found" after a search, not before the first.
            empty_when=Q.searched & (Q.rows.length() == 0),
            scroll_label=t["customers.title"],
            bar_label=t["keys.list.paging"],
            row_id=None,
            row_props=lambda item: {"data_customer": item["customer_id"]},
        ),
        spacing="4",
        width="100%",
    )


def _section(title_key: str, section_id: str, headers: tuple[str, ...], rows: rx.Var, row, empty_key: str):  # type: ignore[no-untyped-def]
    t = C.t
    return rx.vstack(
        rx.heading(t[title_key], size="5", as_="h2", id=f"{section_id}-heading"),
        table.scrollable_table(
            table.header(*(t[key] for key in headers)),
            table.body(rx.foreach(rows, row)),
            label=t[title_key],
            table_id=section_id,
        ),
        empty_state(rows.length() == 0, t[empty_key]),
        spacing="2",
        width="100%",
    )


def _relationship_row(item: rx.Var) -> rx.Component:
    t = C.t
    name = "end-" + item["id"]
    return rx.el.tr(
        table.row_header(item["installation_number"]),
        table.cell(item["metering_point_id"]),
        table.cell(item["address"]),
        table.cell(item["owner"]),
        table.cell(item["period"]),
        table.cell(item["state"]),
        table.cell(
            rx.cond(
                item["active"] != "",
                rx.fragment(
                    dialog_button(
                        C,
                        name,
                        t["customers.end"],
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        high_contrast=True,
                        aria_label=t["customers.end"] + " " + item["installation_number"],
                        id="end-" + item["id"],
                    ),
                    form_dialog(
                        C,
                        name,
                        t["customers.end_title"],
                        t["customers.end_question"],
                        on_submit=C.end_relationship,
                        submit_label=t["customers.end"],
                        cancel_label=t["customers.cancel"],
                        fields=(rx.el.input(type="hidden", name="relationship_id", value=item["id"]),),
                        danger=True,
                        alert=True,
                        dialog_id="end-dialog-" + item["id"],
                    ),
                ),
            )
        ),
        class_name="rt-TableRow",
        data_id=item["id"],
    )


def _meter_row(item: rx.Var) -> rx.Component:
    return rx.el.tr(
        table.row_header(item["serial"]),
        table.cell(item["model"]),
        table.cell(item["medium"]),
        table.cell(item["han"]),
        table.cell(item["last"]),
        table.cell(item["last_at"]),
        table.cell(item["source"]),
        table.cell(item["freshness"]),
        class_name="rt-TableRow",
    )


def _order_row(item: rx.Var) -> rx.Component:
    return rx.el.tr(
        table.row_header(rx.link(item["id"], href=routes.STAFF_HAN_ORDER + "?id=" + item["id"])),
        table.cell(item["action"]),
        table.cell(status_badge(item["status_label"], item["status"])),
        table.cell(item["ordered"]),
        table.cell(
            rx.cond(
                item["overdue"] != "",
                rx.text(
                    item["due"], " · ", item["overdue"], color_scheme="red", weight="bold", high_contrast=True
                ),
                item["due"],
            )
        ),
        class_name="rt-TableRow",
    )


def _notification_row(item: rx.Var) -> rx.Component:
    return rx.el.tr(
        table.row_header(rx.link(item["id"], href=routes.STAFF_NOTIFICATION + "?id=" + item["id"])),
        table.cell(item["status"]),
        table.cell(item["meter"]),
        table.cell(item["address"]),
        table.cell(item["created"]),
        class_name="rt-TableRow",
    )


def _consent_row(item: rx.Var) -> rx.Component:
    return rx.el.tr(
        table.row_header(item["kind"]),
        table.cell(item["what"]),
        table.cell(item["at"]),
        table.cell(item["revoked"]),
        class_name="rt-TableRow",
    )


@template(
    routes.STAFF_CUSTOMER,
    title_key="title.staff_customer",
    roles={Role.GRID_STAFF},
    on_load=C.load,
    wide=True,
)
def staff_customer() -> rx.Component:
    t = C.t
    return rx.vstack(
        rx.heading(C.facts["name"], size="7", as_="h1", id="customer-name"),
        rx.hstack(
            rx.text(rx.text.strong(t["customers.col.mobile"], ": "), C.facts["mobile"], size="2"),
            rx.text(rx.text.strong(t["customers.email"], ": "), C.facts["email"], size="2"),
            rx.link(t["customers.back"], href=routes.STAFF_CUSTOMERS, size="2"),
            spacing="5",
            wrap="wrap",
        ),
        _section(
            "customers.relationships",
            "relationships",
            (
                "customers.col.installation_number",
                "customers.col.metering_point_id",
                "customers.col.address",
                "customers.owner_or_tenant",
                "customers.period",
                "customers.col.state",
                "customers.actions",
            ),
            C.relationships,
            _relationship_row,
            "customers.none",
        ),
        _section(
            "customers.meters",
            "meters",
            (
                "customers.col.meter",
                "customers.model",
                "customers.medium",
                "customers.han_port",
                "customers.last_reading",
                "customers.read_at",
                "customers.source",
                "customers.freshness",
            ),
            C.meters,
            _meter_row,
            "customers.none",
        ),
        _section(
            "customers.han_orders",
            "han-orders",
            ("han.col.number", "han.col.action", "han.col.status", "han.col.received", "han.col.due"),
            C.orders,
            _order_row,
            "customers.none",
        ),
        _section(
            "customers.notifications",
            "notifications",
            (
                "customers.number",
                "customers.col.state",
                "customers.col.meter",
                "customers.col.address",
                "customers.created",
            ),
            C.notifications,
            _notification_row,
            "customers.none",
        ),
        _section(
            "customers.consents",
            "consents",
            ("customers.consent", "customers.what", "customers.given", "customers.withdrawn"),
            C.consents,
            _consent_row,
            "customers.none",
        ),
        spacing="5",
        width="100%",
    )
