"""The administrators' page: accounts (paged, searched, filtered) and pending access requests.

Every handler checks the caller first (``Role.ADMIN``); the services check the role again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate, translate_count
from app.models import Role
from app.services.accounts.administration import (
    PAGE_SIZE,
    approve_request,
    deactivate_account,
    decline_request,
    list_accounts,
    organisations,
    pending_requests,
)
from app.services.caller import Caller
from app.services.staff.grid_settings import set_administrator
from app.states.db_thread import read_in_thread
from app.states.form import form_id, form_text, int_or_none, run_form
from app.states.paging import ListFilter, Page, PagedList, PageReader, PagingTexts
from app.states.session import SessionState

_GRID_ROLES = (Role.GRID_STAFF.value, Role.GRID_ADMIN.value)


class AdminState(PagedList, SessionState):
    """The accounts are the list (``rows``); the requests and organisations are read beside it."""

    LISTER: ClassVar[Role] = Role.ADMIN
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    TEXTS: ClassVar[PagingTexts] = PagingTexts(
        page_of="admin.page_of", previous="admin.previous", next="admin.next"
    )
    FILTERS: ClassVar[tuple[ListFilter, ...]] = (
        ListFilter("search", limit=200),
        ListFilter("organisation_filter", field="organisation", limit=20),
        ListFilter("role_filter", field="role", limit=40),
    )
    search: str = ""
    organisation_filter: str = ""
    role_filter: str = ""
    requests: list[dict[str, str]] = []
    organisation_options: list[dict[str, str]] = []
    # Errors of one request's forms, keyed "<request id>.<field>".
    errors: dict[str, str] = {}

    @rx.var(cache=True)
    def total_text(self) -> str:
        return translate_count("admin.accounts_total", self.language, count=self.total)

    def _page_reader(self, caller: Caller) -> PageReader:
        search, organisation_id, role = self.search, int_or_none(self.organisation_filter), self.role_filter
        page, language = self.page, self.language

        def read(db: Session) -> Page:
            rows, total = list_accounts(
                db, caller, search=search, organisation_id=organisation_id, role=role, page=page
            )
            return Page(
                [
                    {
                        "user_id": str(row.user_id),
                        "email": row.email,
                        "name": row.name,
                        "role": translate(f"role.{row.role}", language),
                        "organisation": row.organisation,
                        "active": "1" if row.is_active else "",
                        # A grid company's staff can be made its administrator here, and back (issue 24).
                        "grid_role": row.role if row.role in _GRID_ROLES else "",
                    }
                    for row in rows
                ],
                total,
            )

        return read

    async def _read_requests(self, caller: Caller) -> None:
        """The waiting requests and the organisations to approve them into."""
        requests, orgs = await read_in_thread(
            lambda db: (pending_requests(db, caller), organisations(db, caller))
        )
        language = self.language
        # The menu's count follows what the administrator just decided.
        self.waiting_requests = len(requests)
        self.requests = [
            {
                "request_id": str(row.request_id),
                "email": row.email,
                "name": row.name,
                "requested_role": translate(f"role.{row.requested_role}", language),
                "organisation_name": row.organisation_name,
                "customer_number": row.customer_number,
            }
            for row in requests
        ]
        self.organisation_options = [
            {"id": str(org.id), "label": f"{org.name} ({translate(f'organisation.{org.kind}', language)})"}
            for org in orgs
        ]

    async def _on_load(self, caller: Caller) -> None:
        self.errors = {}
        await self._read_requests(caller)

    async def _settled(self, caller: Caller, work: Callable[[], object], *, field_prefix: str, done_key: str):  # type: ignore[no-untyped-def]
        """A field's error beside that request's field; any other (the list has no place for it) a toast."""
        done = await run_form(self, work, field_prefix=field_prefix, toast_form_error=True)
        if not done.ok:
            return done.toast
        await self._read_requests(caller)
        await self._reload(caller)
        return rx.toast.success(translate(done_key, self.language))

    @rx.event
    async def approve(self, form: dict):
        caller = await self._lister("approve")
        request_id = form_id(form, "request_id") or 0
        organisation_id, new_name = form_id(form, "organisation_id"), form_text(form, "new_organisation")

        def work() -> None:
            with session_scope() as db:
                approve_request(
                    db, caller, request_id, organisation_id=organisation_id, new_organisation_name=new_name
                )

        return await self._settled(caller, work, field_prefix=f"{request_id}.", done_key="admin.approved")

    @rx.event
    async def decline(self, form: dict):
        caller = await self._lister("decline")
        request_id, reason = form_id(form, "request_id") or 0, form_text(form, "reason")

        def work() -> None:
            with session_scope() as db:
                decline_request(db, caller, request_id, reason)

        return await self._settled(caller, work, field_prefix=f"{request_id}.", done_key="admin.declined")

    @rx.event
    async def deactivate(self, user_id: str):
        caller = await self._lister("deactivate")
        wanted = int_or_none(user_id) or 0

        def work() -> None:
            with session_scope() as db:
                deactivate_account(db, caller, wanted)

        return await self._settled(caller, work, field_prefix="", done_key="admin.deactivated")

    @rx.event
    async def set_grid_administrator(self, user_id: str, make_admin: bool):
        """Make a grid company's staff member its administrator, or staff again (issue 24: the
        platform administrator gives the first one; they give the rest on their settings page)."""
        caller = await self._lister("set_grid_administrator")
        wanted, make = int_or_none(user_id) or 0, make_admin is True

        def work() -> None:
            with session_scope() as db:
                set_administrator(db, caller, wanted, make)

        done_key = "admin.grid_admin_given" if make else "admin.grid_admin_taken"
        return await self._settled(caller, work, field_prefix="", done_key=done_key)
