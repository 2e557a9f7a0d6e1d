"""The administrators' page: accounts (paged, searched, filtered) and pending access requests.

Every handler starts with ``self._require(Role.ADMIN, handler=...)``; the services check the role again.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
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
from app.services.errors import DomainError
from app.states.form import field_messages
from app.states.paging import clamp_page, int_or_none, page_count_for
from app.states.session import SessionState


class AdminState(SessionState):
    accounts: list[dict[str, str]] = []
    total_accounts: int = 0
    page: int = 0
    search: str = ""
    organisation_filter: str = ""
    role_filter: str = ""
    requests: list[dict[str, str]] = []
    organisation_options: list[dict[str, str]] = []
    # Errors of one request's forms, keyed "<request id>.<field>".
    errors: dict[str, str] = {}

    @rx.var(cache=True)
    def page_count(self) -> int:
        return page_count_for(self.total_accounts, PAGE_SIZE)

    def _reload(self, principal: Caller) -> None:
        with session_scope() as db:
            rows, total = list_accounts(
                db, principal, search=self.search, organisation_id=int_or_none(self.organisation_filter),
                role=self.role_filter, page=self.page,
            )
            requests = pending_requests(db, principal)
            orgs = organisations(db, principal)
        self.total_accounts = total
        # The menu's count follows what the administrator just decided.
        self.waiting_requests = len(requests)
        self.accounts = [
            {
                "user_id": str(row.user_id), "email": row.email, "name": row.name,
                "role": translate(f"role.{row.role}", self.language), "organisation": row.organisation,
                "active": "1" if row.is_active else "",
            }
            for row in rows
        ]
        self.requests = [
            {
                "request_id": str(row.request_id), "email": row.email, "name": row.name,
                "requested_role": translate(f"role.{row.requested_role}", self.language),
                "organisation_name": row.organisation_name, "customer_number": row.customer_number,
            }
            for row in requests
        ]
        self.organisation_options = [
            {"id": str(org.id),
             "label": f"{org.name} ({translate(f'organisation.{org.kind}', self.language)})"}
            for org in orgs
        ]

    @rx.event
    def load(self) -> None:
        principal = self._require(Role.ADMIN, handler="load")
        self.errors = {}
        self._reload(principal)

    @rx.event
    def apply_filters(self, form: dict) -> None:
        principal = self._require(Role.ADMIN, handler="apply_filters")
        self.search = str(form.get("search", ""))[:200]
        self.organisation_filter = str(form.get("organisation", ""))
        self.role_filter = str(form.get("role", ""))
        self.page = 0
        self._reload(principal)

    @rx.event
    def go_to_page(self, page: int) -> None:
        principal = self._require(Role.ADMIN, handler="go_to_page")
        self.page = clamp_page(page, self.page_count, first=0)
        self._reload(principal)

    def _settle_request(self, principal: Caller, request_id: int, work: Callable[[Session], object],
                        done_key: str):  # type: ignore[no-untyped-def]  # fmt: skip
        """Approve or decline one request; its errors go beside that request's fields."""
        try:
            with session_scope() as db:
                work(db)
        except DomainError as error:
            self.errors = {f"{request_id}.{field}": message
                           for field, message in field_messages(error, self.language).items()}  # fmt: skip
            return None
        self.errors = {}
        self._reload(principal)
        return rx.toast.success(translate(done_key, self.language))

    @rx.event
    def approve(self, form: dict):
        principal = self._require(Role.ADMIN, handler="approve")
        request_id = int_or_none(form.get("request_id")) or 0
        return self._settle_request(
            principal, request_id,
            lambda db: approve_request(
                db, principal, request_id, organisation_id=int_or_none(form.get("organisation_id")),
                new_organisation_name=str(form.get("new_organisation", "")),
            ),
            "admin.approved",
        )  # fmt: skip

    @rx.event
    def decline(self, form: dict):
        principal = self._require(Role.ADMIN, handler="decline")
        request_id = int_or_none(form.get("request_id")) or 0
        return self._settle_request(
            principal, request_id,
            lambda db: decline_request(db, principal, request_id, str(form.get("reason", ""))),
            "admin.declined",
        )  # fmt: skip

    @rx.event
    def deactivate(self, user_id: str):
        principal = self._require(Role.ADMIN, handler="deactivate")
        try:
            with session_scope() as db:
                deactivate_account(db, principal, int_or_none(user_id) or 0)
        except DomainError as error:
            return rx.toast.error(error.message(self.language))
        self._reload(principal)
        return rx.toast.success(translate("admin.deactivated", self.language))
