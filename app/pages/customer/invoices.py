"""Min side: earlier invoices ("Vis tidligere fakturaer"), newest first, each beside the portal's
own consumption and cost for its period; an overdue invoice stands out."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.data_table import empty_state
from app.components.paged_table import list_paging_bar
from app.components.status_badge import status_badge
from app.components.template import template
from app.models import Role
from app.pages.customer.relationship_cards import TAP
from app.states.customer.invoices import InvoicesState as S


def _fact(label_key: str, value: rx.Var | rx.Component) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(S.t[label_key], min_width="9rem"), rx.data_list.value(value))


def _invoice_card(row: rx.Var) -> rx.Component:
    overdue = row["overdue"] == "yes"
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(row["title"], size="4", as_="h2"),
                    status_badge(
                        row["status_label"],
                        row["status"],
                        color_scheme=rx.match(row["status"], ("paid", "green"), ("overdue", "red"), "amber"),
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    wrap="wrap",
                ),
                rx.data_list.root(
                    _fact("invoices.date", row["date"]),
                    _fact("invoices.period", row["period"]),
                    _fact("invoices.amount", rx.text(row["amount"], weight="bold")),
                    _fact("invoices.vat", row["vat"]),
                    _fact(
                        "invoices.due",
                        rx.text(
                            row["due"],
                            weight=rx.cond(overdue, "bold", "regular"),
                            color=rx.cond(overdue, "var(--red-11)", "inherit"),
                        ),
                    ),
                    _fact("invoices.consumption", row["consumption"]),
                    _fact(
                        "invoices.portal_cost",
                        rx.vstack(
                            rx.text(row["cost"]),
                            rx.cond(
                                row["cost_note"], rx.text(row["cost_note"], size="1", color_scheme="gray")
                            ),
                            spacing="0",
                        ),
                    ),
                    orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                    size="2",
                ),
                rx.cond(
                    row["has_pdf"],
                    rx.button(
                        rx.icon("download", size=16, aria_hidden="true"),
                        S.t["invoices.download"],
                        aria_label=row["download_label"],
                        on_click=S.download(row["id"]),
                        size="3",
                        min_height=TAP,
                        data_invoice=row["number"],
                    ),
                    rx.text(S.t["invoices.no_pdf"], size="2", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            size="2",
            width="100%",
            # An overdue invoice stands out: a red edge, beside the red badge and due date.
            style=rx.cond(overdue, {"border_left": "4px solid var(--red-9)"}, {}),
            data_overdue=row["overdue"],
        ),
        list_style_type="none",
        width="100%",
    )


@template(
    routes.CUSTOMER_INVOICES, title_key="title.customer_invoices", roles={Role.CUSTOMER}, on_load=S.load
)
def customer_invoices() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["invoices.heading"], size="7", as_="h1"),
        rx.text(S.t["invoices.intro"], size="2", color_scheme="gray"),
        empty_state(S.loaded & (S.total == 0), S.t["invoices.empty"]),
        rx.el.ul(
            rx.foreach(S.rows, _invoice_card),
            id="invoices",
            padding="0",
            margin="0",
            width="100%",
            display="flex",
            flex_direction="column",
            gap="var(--space-3)",
        ),
        rx.cond(
            S.page_count > 1,
            list_paging_bar(S),
        ),
        spacing="4",
        width="100%",
        max_width="40rem",
    )
