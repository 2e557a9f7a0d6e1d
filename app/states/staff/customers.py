"""The back office's customers (issue 24): the search (one page in state) and one customer's page.

Every handler checks the caller; the services scope everything to the caller's grid company and
audit each opening of a customer's page.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.clock import utcnow
from app.db import session_scope
from app.i18n import translate, translate_count
from app.i18n.numbers import format_number
from app.i18n.times import format_local_date, format_local_time
from app.models import Role
from app.services.caller import Caller
from app.services.staff.customers import (
    PAGE_SIZE,
    CustomerPage,
    end_relationship,
    open_customer,
    search_customers,
)
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_text, run_form
from app.states.paging import Page, PagedList, PageReader, int_or_none
from app.states.session import SessionState


def freshness(at: datetime | None, language: str) -> str:
    """How old a reading is: "3 hours ago", "2 days ago"."""
    if at is None:
        return ""
    minutes = max(0, int((utcnow() - at).total_seconds() // 60))
    if minutes < 120:
        return translate_count("customers.minutes_ago", language, count=minutes)
    if minutes < 48 * 60:
        return translate_count("customers.hours_ago", language, count=minutes // 60)
    return translate_count("customers.days_ago", language, count=minutes // (24 * 60))


class StaffCustomerSearchState(PagedList, SessionState):
    LISTER: ClassVar[Role] = Role.GRID_STAFF
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    query: str = ""
    searched: bool = False

    @rx.var(cache=True)
    def found_text(self) -> str:
        return translate_count("customers.found", self.language, count=self.total) if self.searched else ""

    def _page_reader(self, caller: Caller) -> PageReader:
        query, page, language = self.query, self.page, self.language

        def read(db: Session) -> Page:
            hits, total = search_customers(db, caller, query, page=page)
            rows = [
                {
                    "customer_id": str(h.customer_id),
                    "name": h.name,
                    "mobile": h.mobile,
                    "installation_number": h.installation_number,
                    "metering_point_id": h.metering_point_id,
                    "meter": h.meter_serial or "–",
                    "address": h.address,
                    "state": translate("customers.active" if h.active else "customers.ended", language),
                    "active": "1" if h.active else "",
                }
                for h in hits
            ]
            return Page(rows, total)

        return read

    @rx.event
    async def load(self):
        caller = await self._lister("load")
        self.page = 1
        if self.query:
            await self._reload(caller)

    @rx.event
    async def search(self, form: dict):
        caller = await self._lister("search")
        self.query = " ".join(form_text(form, "query").split())[:60]
        self.page = 1
        self.searched = True
        await self._reload(caller)


class StaffCustomerState(DialogState, SessionState):
    """One customer (``?id=``). Dialog: "end-<relationship id>" (the customer moved out)."""

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.GRID_STAFF,)
    customer_id: int = 0
    facts: dict[str, str] = {}
    relationships: list[dict[str, str]] = []
    meters: list[dict[str, str]] = []
    orders: list[dict[str, str]] = []
    notifications: list[dict[str, str]] = []
    consents: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def _show(self, page: CustomerPage) -> None:
        language = self.language
        self.customer_id = page.customer_id
        self.facts = {"name": page.name, "mobile": page.mobile or "–", "email": page.email or "–"}
        self.relationships = [
            {
                "id": str(r.id),
                "installation_number": r.installation_number,
                "metering_point_id": r.metering_point_id,
                "address": r.address,
                "state": translate("customers.active" if r.active else "customers.ended", language),
                "active": "1" if r.active else "",
                "owner": translate("customers.owner" if r.is_owner else "customers.tenant", language),
                "period": format_local_time(r.started, language)[:10]
                + " – "
                + (format_local_time(r.ended, language)[:10] if r.ended else ""),
            }
            for r in page.relationships
        ]
        self.meters = [
            {
                "serial": m.serial,
                "model": m.model,
                "medium": translate(f"customers.medium.{m.medium}", language),
                "han": translate(f"han.port.{m.han_port_state or 'unknown'}", language)
                + (" " + format_local_date(m.han_port_changed_on, language) if m.han_port_changed_on else ""),
                "last": (
                    f"{format_number(m.last_value, 2, language)} {m.last_unit} ({m.last_register})"
                    if m.last_value is not None
                    else translate("customers.no_readings", language)
                ),
                "last_at": format_local_time(m.last_at, language) if m.last_at else "",
                "source": translate(f"customers.source.{m.last_source}", language) if m.last_source else "",
                "freshness": freshness(m.last_at, language),
            }
            for m in page.meters
        ]
        self.orders = [
            {
                "id": str(o.id),
                "action": translate(f"han.action.{o.action}", language),
                "status": o.status,
                "status_label": translate(f"han.status.{o.status}", language),
                "ordered": format_local_time(o.created_at, language),
                "due": format_local_date(o.due_on, language) or "–",
                "overdue": translate("han.overdue", language) if o.overdue else "",
            }
            for o in page.orders
        ]
        self.notifications = [
            {
                "id": str(n.id),
                "status": translate(f"installer.status.{n.status}", language),
                "meter": n.meter_number,
                "address": n.address,
                "created": format_local_time(n.created_at, language),
            }
            for n in page.notifications
        ]
        self.consents = [
            {
                "kind": translate(f"customers.consent.{c.kind}", language),
                "what": c.what,
                "at": format_local_time(c.at, language),
                "revoked": format_local_time(c.revoked_at, language) if c.revoked_at else "",
            }
            for c in page.consents
        ]

    async def _reload(self, handler: str, customer_id: int) -> None:
        def read(db: Session) -> CustomerPage:
            caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
            return open_customer(db, caller, customer_id)

        self._show(await read_in_thread(read))

    @rx.event
    async def load(self):
        self.errors, self.open_dialog = {}, ""
        self.customer_id, self.facts, self.relationships, self.meters = 0, {}, [], []
        self.orders, self.notifications, self.consents = [], [], []
        await self._reload("load", self._id_from_url())

    def _id_from_url(self) -> int:
        return int_or_none(self.router.url.query_parameters.get("id", "")) or 0

    @rx.event
    async def end_relationship(self, form: dict):
        relationship_id = int_or_none(form_text(form, "relationship_id")) or 0
        customer_id = self.customer_id

        def work() -> int | None:
            with session_scope() as db:
                caller = self._require(Role.GRID_STAFF, handler="end_relationship", db=db)
                return end_relationship(db, caller, relationship_id)

        done = await run_form(self, work)
        self._close_dialog()
        await self._reload("end_relationship", customer_id)
        if not done.ok:
            return rx.toast.error(done.error.message(self.language) if done.error else "")
        key = "customers.ended_with_order" if done.value else "customers.ended_done"
        return rx.toast.success(translate(key, self.language, number=done.value or ""))
