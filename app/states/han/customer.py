"""Min side: the HAN port of the customer's meter and their orders.

The meter is the session's relationship's, read on the server; the form is submitted whole and
checked by the service (field errors next to the fields). Database work runs off the event loop.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.i18n.numbers import format_number
from app.i18n.times import format_local_date, format_local_time
from app.models import HanOrderStatus, Role
from app.services.han.events import HistoryLine, history
from app.services.han.han_data import POWER, HanData, customer_han_data
from app.services.han.orders import (
    CustomerOrder,
    HanMeter,
    cancel_order,
    customer_meter,
    customer_orders,
    place_order,
)
from app.services.han.statuses import OPEN_STATUSES
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_checked, form_text, int_or_none, run_form
from app.states.han.history_text import CUSTOMER, history_rows
from app.states.session import SessionState

# Where the cursor goes when a field is refused: the field, or a group's first choice.
FOCUS_TARGETS = {
    "meter_number": "meter_number",
    "action": "action-open",
    "delivery": "delivery-post",
    "comment": "comment",
    "confirm": "confirm",
}


def port_text(state: str, changed_on: object, language: str) -> str:
    """ "open since 05.01.2026", or "not known"."""
    if not state:
        return translate("han.port.unknown", language)
    words = translate(f"han.port.{state}", language)
    if changed_on is None:
        return words
    return translate("han.port_since", language, state=words, date=format_local_date(changed_on, language))  # type: ignore[arg-type]


def order_dict(order: CustomerOrder, language: str) -> dict[str, str]:
    return {
        "id": str(order.id),
        "heading": translate("han.order_number", language, number=order.id),
        "status": order.status,
        "status_label": translate(f"han.status.{order.status}", language),
        "action": translate(f"han.action.{order.action}", language),
        "delivery": translate(f"han.delivery.{order.delivery}", language),
        "comment": order.comment,
        "reject_reason": order.reject_reason if order.status == HanOrderStatus.REJECTED else "",
        "result": port_text(order.port_state, order.completed_on, language)
        if order.status == HanOrderStatus.COMPLETED
        else "",
        "ordered_at": format_local_time(order.created_at, language),
        "cancellable": "yes" if order.status == HanOrderStatus.RECEIVED else "",
        # The promised date, while the order is open.
        "due": format_local_date(order.due_on, language) if order.status in OPEN_STATUSES else "",
    }


# The 24-hour curve's drawing box (SVG units): wide and low, scaled to the phone's width.
CURVE_WIDTH, CURVE_HEIGHT = 300, 100


def han_data_view(data: HanData, language: str) -> tuple[list[dict[str, str]], list[dict[str, str]], str]:
    """The latest values (label, value, time), the curve's rows (time, kW) and its SVG points."""
    latest = []
    for value in data.latest:
        power = value.register_code == POWER
        latest.append(
            {
                "label": translate("han.data.power" if power else "han.data.energy", language),
                "value": f"{format_number(value.value, 3 if power else 1, language)} {value.unit}",
                "at": format_local_time(value.at, language),
            }
        )
    rows = [
        {"at": format_local_time(at, language), "kw": format_number(kw, 3, language)} for at, kw in data.curve
    ]
    points = ""
    if data.curve:
        top = max(max(kw for _, kw in data.curve), 0.001)
        first = data.curve[0][0].timestamp()
        span = max(data.curve[-1][0].timestamp() - first, 1)
        points = " ".join(
            f"{(at.timestamp() - first) / span * CURVE_WIDTH:.1f},"
            f"{CURVE_HEIGHT - kw / top * (CURVE_HEIGHT - 4):.1f}"
            for at, kw in data.curve
        )
    return latest, rows, points


class HanCustomerState(DialogState, SessionState):
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.CUSTOMER,)
    meter: dict[str, str] = {}
    # Why no order can be placed (a text), empty when one can.
    refusal: str = ""
    is_heat: bool = False
    orders: list[dict[str, str]] = []
    # Each order's history (keyed by its id), as the customer reads it.
    histories: dict[str, list[dict[str, str]]] = {}
    has_open_order: bool = False
    errors: dict[str, str] = {}
    loaded: bool = False
    # The customer's own HAN reader's data (not billing-grade): latest values, the 24-hour curve.
    han_latest: list[dict[str, str]] = []
    han_curve: list[dict[str, str]] = []
    han_curve_points: str = ""

    def _show(
        self,
        meter: HanMeter,
        orders: list[CustomerOrder],
        lines: dict[int, list[HistoryLine]] | None = None,
        data: HanData | None = None,
    ) -> None:
        language = self.language
        self.meter = {
            "serial": meter.meter_serial,
            "address": meter.address,
            "port": port_text(meter.port_state, meter.port_changed_on, language),
            "post_fee": format_number(float(meter.post_fee), 2, language) + " kr",
            "pickup_address": meter.pickup_address,
            "pickup_hours": meter.pickup_hours,
            "promised": format_local_date(meter.promised_on, language),
        }
        shown = han_data_view(data or HanData([], []), language)
        self.han_latest, self.han_curve, self.han_curve_points = shown
        self.refusal = translate(meter.refusal, language) if meter.refusal else ""
        self.is_heat = meter.refusal == "han.not_electricity"
        self.orders = [order_dict(order, language) for order in orders]
        self.histories = {
            str(order_id): history_rows(order_lines, CUSTOMER, language)
            for order_id, order_lines in (lines or {}).items()
        }
        self.has_open_order = any(order.status in OPEN_STATUSES for order in orders)
        self.loaded = True

    async def _reload(self, handler: str) -> None:
        Read = tuple[HanMeter, list[CustomerOrder], dict[int, list[HistoryLine]], HanData]

        def read(db: Session) -> Read:
            caller = self._require(Role.CUSTOMER, handler=handler, db=db)
            orders = customer_orders(db, caller)  # the caller's relationship's only
            lines = {order.id: history(db, order.id) for order in orders}
            return customer_meter(db, caller), orders, lines, customer_han_data(db, caller)

        self._show(*await read_in_thread(read))

    @rx.event
    async def load(self) -> None:
        self.errors = {}
        self.open_dialog = ""
        await self._reload("load")

    @rx.event
    async def submit_order(self, form: dict):
        language = self.language

        def work() -> int:
            with session_scope() as db:
                caller = self._require(Role.CUSTOMER, handler="submit_order", db=db)
                return place_order(
                    db,
                    caller,
                    meter_number=form_text(form, "meter_number"),
                    action=form_text(form, "action"),
                    delivery=form_text(form, "delivery"),
                    comment=form_text(form, "comment"),
                    confirmed=form_checked(form, "confirm"),
                    language=language,
                )

        done = await run_form(self, work)
        if not done.ok:
            first = next((FOCUS_TARGETS[name] for name in FOCUS_TARGETS if name in self.errors), "")
            if first:
                return rx.call_script(f"document.getElementById('{first}')?.focus()")
            await self._reload("submit_order")  # refused as a whole: show what is on file now
            return None
        await self._reload("submit_order")
        return rx.toast.success(translate("han.sent", self.language))

    @rx.event
    async def cancel(self, form: dict):
        """The cancel dialog's form names the order (a hidden field); the service checks it is theirs."""
        number = int_or_none(form_text(form, "order_id")) or 0

        def work() -> None:
            with session_scope() as db:
                caller = self._require(Role.CUSTOMER, handler="cancel", db=db)
                cancel_order(db, caller, number)

        done = await run_form(self, work)
        # Refused or not, the question is answered: the toast says how, the list shows the order now.
        self._close_dialog()
        await self._reload("cancel")
        if done.error is not None:
            return rx.toast.error(done.error.message(self.language))
        return rx.toast.success(translate("han.cancelled", self.language))
