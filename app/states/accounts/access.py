"""A registered account without an organisation asks for access."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.models import Role
from app.services.accounts.administration import latest_request, request_access
from app.states.form import form_text, run_form
from app.states.session import SessionState


class AccessRequestState(SessionState):
    errors: dict[str, str] = {}
    # "", "pending", "approved" or "declined": the newest request of this account.
    request_status: str = ""
    decline_reason: str = ""

    def _show(self, principal_user_id: int | None) -> None:
        with session_scope() as db:
            request = latest_request(db, principal_user_id or 0)
        self.request_status = request.status if request else ""
        self.decline_reason = request.decline_reason if request else ""

    @rx.event
    def load(self) -> None:
        principal = self._require(Role.REGISTERED, handler="load")
        self.errors = {}
        self._show(principal.user_id)

    @rx.event
    async def submit_request(self, form: dict):
        principal = self._require(Role.REGISTERED, handler="submit_request")
        role, name = form_text(form, "requested_role"), form_text(form, "organisation_name")
        customer_number = form_text(form, "customer_number")

        def work() -> None:
            with session_scope() as db:
                request_access(db, principal, role, name, customer_number)

        if not (await run_form(self, work)).ok:
            return None
        # The page's status line says the request waits (role="status"): no toast on top of it.
        self._show(principal.user_id)
        return None
