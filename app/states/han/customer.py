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
from app.i18n.times import format_local_time
from app.models import HanOrderStatus, Role
from app.services.han.events import HistoryLine, history
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
    return translate("han.port_since", language, state=words, date=changed_on.strftime("%d.%m.%Y"))  # type: ignore[attr-defined]


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
        "ordered_at": format_local_time(order.created_at),
        "cancellable": "yes" if order.status == HanOrderStatus.RECEIVED else "",
    }


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

    def _show(
        self, meter: HanMeter, orders: list[CustomerOrder], lines: dict[int, list[HistoryLine]] | None = None
    ) -> None:
        language = self.language
        self.meter = {
            "serial": meter.meter_serial,
            "address": meter.address,
            "port": port_text(meter.port_state, meter.port_changed_on, language),
        }
        self.refusal = translate(meter.refusal, language) if meter.refusal else ""
        self.is_heat = meter.refusal == "han.not_electricity"
        self.orders = [order_dict(order, language) for order in orders]
        self.histories = {str(order_id): history_rows(order_lines, CUSTOMER, language)
                          for order_id, order_lines in (lines or {}).items()}  # fmt: skip
        self.has_open_order = any(order.status in OPEN_STATUSES for order in orders)
        self.loaded = True

    async def _reload(self, handler: str) -> None:
        def read(db: Session) -> tuple[HanMeter, list[CustomerOrder], dict[int, list[HistoryLine]]]:
            caller = self._require(Role.CUSTOMER, handler=handler, db=db)
            orders = customer_orders(db, caller)  # the caller's relationship's only
            return customer_meter(db, caller), orders, {order.id: history(db, order.id) for order in orders}

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
