"""Min side: the HAN port of the customer's meter, the order form and their orders (phone first)."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.dialogs import dialog_button, form_dialog
from app.components.fields import (
    checkbox_field,
    choice_field,
    form_error,
    scripted_form,
    text_area_field,
    text_field,
)
from app.components.status_badge import status_badge
from app.components.template import template
from app.models import Role
from app.states.han.customer import HanCustomerState as S

TAP = "44px"


def _fact(label_key: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(S.t[label_key], min_width="9rem"),
        rx.data_list.value(value),
    )


def _meter_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.t["han.meter_section"], size="4", as_="h2"),
            rx.data_list.root(
                _fact("han.meter_number", S.meter["serial"]),
                _fact("han.address", S.meter["address"]),
                rx.cond(~S.is_heat, _fact("han.port_state", rx.text(S.meter["port"], id="han-port-state"))),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                size="2",
            ),
            spacing="3",
        ),
        size="3",
        width="100%",
    )


def _service_facts() -> rx.Component:
    """What the grid company promises and charges: the date if ordered today, post and pickup."""
    t = S.t
    return rx.vstack(
        rx.callout(
            t["han.promised_if_today"] + " " + S.meter["promised"] + ".",
            icon="calendar",
            high_contrast=True,
            width="100%",
            id="han-promised-if-today",
        ),
        rx.data_list.root(
            _fact("han.post_fee", S.meter["post_fee"]),
            rx.cond(S.meter["pickup_address"], _fact("han.pickup_address", S.meter["pickup_address"])),
            rx.cond(S.meter["pickup_hours"], _fact("han.pickup_hours", S.meter["pickup_hours"])),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            size="2",
            id="han-service-facts",
        ),
        spacing="3",
        width="100%",
    )


def _order_form() -> rx.Component:
    t = S.t
    return rx.card(
        scripted_form(
            rx.vstack(
                rx.heading(t["han.order_title"], size="4", as_="h2"),
                _service_facts(),
                text_field(
                    t["han.meter_number"],
                    "meter_number",
                    S.errors["meter_number"],
                    default_value=S.meter["serial"],
                    read_only=True,
                ),
                choice_field(
                    t["han.action"],
                    "action",
                    [("open", t["han.action.open"]), ("close", t["han.action.close"])],
                    S.errors["action"],
                ),
                choice_field(
                    t["han.delivery"],
                    "delivery",
                    [("post", t["han.delivery.post"]), ("pickup", t["han.delivery.pickup"])],
                    S.errors["delivery"],
                ),
                text_area_field(
                    t["han.comment"], "comment", S.errors["comment"], hint=t["han.comment_hint"], rows="3"
                ),
                checkbox_field(t["han.confirm"], "confirm", S.errors["confirm"]),
                form_error(S.errors["form"]),
                rx.button(t["han.send"], type="submit", size="3", width="100%", min_height=TAP),
                spacing="4",
                width="100%",
            ),
            on_submit=S.submit_order,
            id="han-order-form",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _line(label_key: str, value: rx.Var) -> rx.Component:
    return rx.cond(value, rx.text(rx.text.strong(S.t[label_key], ": "), value, size="2"))


def _history(order_id: rx.Var) -> rx.Component:
    """What happened to the order, and when the customer was texted: "when · who · what"."""
    return rx.el.details(
        rx.el.summary(
            S.t["han.history"],
            class_name="rt-Text rt-r-size-2",
            style={"min_height": TAP, "cursor": "pointer"},
        ),
        rx.el.ul(
            rx.foreach(
                S.histories[order_id],
                lambda line: rx.el.li(rx.text(line["at"], " · ", line["who"], " · ", line["what"], size="2")),
            ),
            style={"padding_left": "1.25rem", "margin": "0"},
        ),
    )


def _order_card(order: rx.Var) -> rx.Component:
    t = S.t
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(order["heading"], size="3", as_="h3"),
                    status_badge(order["status_label"], order["status"]),
                    align="center",
                    justify="between",
                    width="100%",
                ),
                rx.text(order["action"], " · ", order["delivery"], size="2"),
                _line("han.ordered_at", order["ordered_at"]),
                _line("han.promised_on", order["due"]),
                _line("han.comment", order["comment"]),
                _line("han.reason", order["reject_reason"]),
                _line("han.port_state", order["result"]),
                _history(order["id"]),
                rx.cond(
                    order["cancellable"],
                    rx.fragment(
                        dialog_button(
                            S,
                            "cancel-" + order["id"],
                            t["han.cancel_order"],
                            variant="soft",
                            color_scheme="gray",
                            high_contrast=True,
                            size="3",
                            min_height=TAP,
                            id="han-cancel-" + order["id"],
                        ),
                        form_dialog(
                            S,
                            "cancel-" + order["id"],
                            t["han.cancel_title"],
                            t["han.cancel_question"],
                            submit_label=t["han.cancel_order"],
                            cancel_label=t["han.keep"],
                            on_submit=S.cancel,
                            fields=(rx.el.input(type="hidden", name="order_id", value=order["id"]),),
                            danger=True,
                            dialog_id="han-cancel-dialog-" + order["id"],
                            alert=True,
                        ),
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        data_id=order["id"],
        data_status=order["status"],
        style={"list_style": "none"},
    )


def _orders() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["han.my_orders"], size="5", as_="h2"),
        rx.cond(
            S.orders.length() == 0,
            rx.text(S.t["han.no_orders"], size="2", color_scheme="gray"),
            rx.el.ul(
                rx.foreach(S.orders, _order_card),
                id="han-orders",
                style={"padding": "0", "margin": "0", "display": "grid", "gap": "var(--space-3)"},
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _han_data() -> rx.Component:
    """The customer's own HAN reader's data: latest values and a 24-hour power curve, labelled as
    HAN data that is not billing-grade (a text, and the curve's numbers in a table under it)."""
    t = S.t
    return rx.card(
        rx.vstack(
            rx.heading(t["han.data.title"], size="4", as_="h2", id="han-data-heading"),
            rx.badge(
                t["han.data.label"],
                color_scheme="amber",
                high_contrast=True,
                size="2",
                id="han-data-label",
                white_space="normal",
            ),
            rx.data_list.root(
                rx.foreach(
                    S.han_latest,
                    lambda v: rx.data_list.item(
                        rx.data_list.label(v["label"], min_width="9rem"),
                        rx.data_list.value(v["value"], " · ", v["at"]),
                    ),
                ),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                size="2",
            ),
            rx.cond(
                S.han_curve_points,
                rx.vstack(
                    rx.text(t["han.data.curve"], size="2", weight="medium"),
                    rx.el.svg(
                        rx.el.svg.polyline(
                            points=S.han_curve_points,
                            fill="none",
                            stroke="var(--accent-11)",
                            stroke_width="1.5",
                            vector_effect="non-scaling-stroke",
                        ),
                        view_box="0 0 300 100",
                        preserve_aspect_ratio="none",
                        role="img",
                        aria_label=t["han.data.curve"],
                        style={"width": "100%", "height": "8rem", "border": "1px solid var(--gray-6)"},
                        id="han-data-curve",
                    ),
                    rx.el.details(
                        rx.el.summary(
                            t["han.data.table"],
                            class_name="rt-Text rt-r-size-2",
                            style={"min_height": TAP, "cursor": "pointer"},
                        ),
                        rx.el.table(
                            rx.el.thead(
                                rx.el.tr(
                                    rx.el.th(t["han.data.at"], scope="col"),
                                    rx.el.th(t["han.data.kw"], scope="col"),
                                )
                            ),
                            rx.el.tbody(
                                rx.foreach(
                                    S.han_curve,
                                    lambda row: rx.el.tr(rx.el.td(row["at"]), rx.el.td(row["kw"])),
                                )
                            ),
                            class_name="rt-Text rt-r-size-2",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        id="han-data",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _meter_card(),
        rx.cond(
            S.refusal,
            rx.callout(
                rx.cond(S.is_heat, S.t["han.heat_explained"], S.refusal),
                icon="info",
                high_contrast=True,
                width="100%",
                id="han-refusal",
            ),
            rx.cond(
                S.has_open_order,
                rx.callout(S.t["han.open_order_note"], icon="info", high_contrast=True, width="100%"),
                _order_form(),
            ),
        ),
        rx.cond(S.han_latest.length() > 0, _han_data()),
        rx.cond(~S.is_heat, _orders()),
        spacing="4",
        width="100%",
    )


@template(routes.CUSTOMER_HAN, title_key="title.customer_han", roles={Role.CUSTOMER}, on_load=S.load)
def customer_han() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["han.title"], size="7", as_="h1"),
        rx.text(S.t["han.intro"], size="3"),
        rx.cond(S.loaded, _body(), rx.skeleton(height="12rem", width="100%")),
        spacing="4",
        width="100%",
        max_width="40rem",
        margin_x="auto",
    )
