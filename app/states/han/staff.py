"""Grid-company staff: the queue of HAN port orders and one order's processing.

Every handler checks the caller on the server and the service checks the order belongs to the
caller's grid company. Database work runs off the event loop.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.i18n.times import format_local_date, format_local_time
from app.models import HanOrderStatus, Role
from app.services.caller import Caller
from app.services.han.events import HistoryLine, add_note, history
from app.services.han.processing import (
    PAGE_SIZE,
    PORT_STATES,
    OrderDetail,
    complete_order,
    default_port_state,
    is_overdue,
    list_orders,
    local_today,
    order_detail,
    reject_order,
    staff_order,
    take_order,
)
from app.services.han.statuses import ALL_STATUSES, HAN_ORDER_STATUSES
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_text, int_or_none, run_form
from app.states.han.history_text import STAFF, history_rows
from app.states.paging import ListFilter, Page, PagedList, PageReader, PagingTexts
from app.states.session import SessionState


def status_options(language: str) -> list[dict[str, str]]:
    return [{"value": s.value, "label": translate(f"han.status.{s.value}", language)} for s in ALL_STATUSES]


class HanQueueState(PagedList, SessionState):
    """One page of the grid company's orders, filtered by status (received by default)."""

    LISTER: ClassVar[Role] = Role.GRID_STAFF
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    TEXTS: ClassVar[PagingTexts] = PagingTexts(
        page_of="han.page_of", previous="han.previous", next="han.next_page"
    )
    FILTERS: ClassVar[tuple[ListFilter, ...]] = (
        ListFilter("status_filter", field="status", choices=tuple(HanOrderStatus)),
        ListFilter("overdue_only", field="overdue", checkbox=True),
    )
    status_filter: str = HanOrderStatus.RECEIVED.value
    # Only open orders past their promised date.
    overdue_only: bool = False

    @rx.var(cache=True)
    def statuses(self) -> list[dict[str, str]]:
        return status_options(self.language)

    def _page_reader(self, caller: Caller) -> PageReader:
        status, page, language, overdue = self.status_filter, self.page, self.language, self.overdue_only

        def read(db: Session) -> Page:
            rows, total = list_orders(
                db, caller, status=status, overdue=overdue, page=page, page_size=PAGE_SIZE
            )
            return Page(
                [
                    {
                        "id": str(row.id),
                        "status": row.status,
                        "status_label": translate(f"han.status.{row.status}", language),
                        "action": translate(f"han.action.{row.action}", language),
                        "delivery": translate(f"han.delivery.{row.delivery}", language),
                        "meter": row.meter_serial,
                        "customer": row.customer,
                        "address": row.address,
                        "received": format_local_time(row.created_at, language),
                        "due": format_local_date(row.due_on, language) or "–",
                        "overdue": "1" if row.overdue else "",
                    }
                    for row in rows
                ],
                total,
            )

        return read


class HanOrderState(DialogState, SessionState):
    """One order (``?id=``): its facts, its history, and what staff may do with it now."""

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.GRID_STAFF,)

    order_id: int = 0
    status: str = ""
    facts: dict[str, str] = {}
    history: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    today: str = ""

    @rx.var(cache=True)
    def heading(self) -> str:
        return translate("han.order_heading", self.language, number=self.order_id) if self.order_id else ""

    @rx.var(cache=True)
    def status_label(self) -> str:
        return translate(f"han.status.{self.status}", self.language) if self.status else ""

    @rx.var(cache=True)
    def can_take(self) -> bool:
        return HAN_ORDER_STATUSES.allowed(self.status, HanOrderStatus.IN_PROGRESS)

    @rx.var(cache=True)
    def can_complete(self) -> bool:
        return HAN_ORDER_STATUSES.allowed(self.status, HanOrderStatus.COMPLETED)

    @rx.var(cache=True)
    def can_reject(self) -> bool:
        return HAN_ORDER_STATUSES.allowed(self.status, HanOrderStatus.REJECTED)

    @rx.var(cache=True)
    def port_states(self) -> list[dict[str, str]]:
        return [{"value": s, "label": translate(f"han.port.{s}", self.language)} for s in PORT_STATES]

    def _id_from_url(self) -> int:
        return int_or_none(self.router.url.query_parameters.get("id", "")) or 0

    def _show(self, detail: OrderDetail, lines: list[HistoryLine]) -> None:
        language = self.language
        order = detail.order
        self.order_id = order.id or 0
        self.status = order.status
        self.facts = {
            "action": translate(f"han.action.{order.action}", language),
            "delivery": translate(f"han.delivery.{order.delivery}", language),
            "delivery_address": order.delivery_address or "-",
            "comment": order.comment or "-",
            "meter": detail.meter_serial,
            "meter_model": detail.meter_model,
            "port": translate(f"han.port.{detail.port_state or 'unknown'}", language),
            "customer": detail.customer,
            "mobile": detail.mobile,
            "address": detail.address,
            "installation_number": detail.installation_number,
            "metering_point_id": detail.metering_point_id,
            "received": format_local_time(order.created_at, language),
            "due": format_local_date(order.due_on, language) or "–",
            "overdue": translate("han.overdue", language) if is_overdue(order) else "",
            "reject_reason": order.reject_reason,
            "completed_on": format_local_date(order.completed_on, language),
            "port_state_default": default_port_state(order.action),
        }
        self.history = history_rows(lines, STAFF, language)

    async def _reload(self, handler: str, order_id: int) -> None:
        def read(db: Session) -> tuple[OrderDetail, list[HistoryLine]]:
            caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
            detail = order_detail(db, caller, order_id)
            return detail, history(db, detail.order)

        self._show(*await read_in_thread(read))

    @rx.event
    async def load(self) -> None:
        self.errors = {}
        self.order_id, self.status, self.facts, self.history = 0, "", {}, []
        self.open_dialog = ""
        await self._reload("load", self._id_from_url())
        # After the caller's check: a refused browser is told nothing, not even the date.
        self.today = local_today().isoformat()

    async def _act(self, handler: str, work: Any, done_key: str):  # type: ignore[no-untyped-def]
        order_id = self.order_id

        def run() -> None:
            with session_scope() as db:
                caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
                work(db, caller, order_id)

        # A field's error shows next to the field (the dialog stays open); any other as a toast.
        done = await run_form(self, run, toast_form_error=True)
        if not done.ok:
            if done.toast is not None:
                await self._reload(handler, order_id)
            return done.toast
        self._close_dialog()
        await self._reload(handler, order_id)
        return rx.toast.success(translate(done_key, self.language))

    @rx.event
    async def take(self):
        return await self._act("take", lambda db, caller, number: take_order(db, caller, number), "han.taken")

    @rx.event
    async def complete(self, form: dict):
        port_state, completed_on = form_text(form, "port_state"), form_text(form, "completed_on")
        return await self._act(
            "complete",
            lambda db, caller, number: complete_order(
                db, caller, number, port_state=port_state, completed_on=completed_on
            ),
            "han.decided",
        )

    @rx.event
    async def reject(self, form: dict):
        reason = form_text(form, "reason")
        return await self._act(
            "reject", lambda db, caller, number: reject_order(db, caller, number, reason), "han.decided"
        )

    @rx.event
    async def add_note(self, form: dict):
        note = form_text(form, "note")
        return await self._act(
            "add_note",
            lambda db, caller, number: add_note(db, caller, staff_order(db, caller, number), note),
            "han.note_added",
        )
