"""A registered account without an organisation asks for access."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.models import Role
from app.services.accounts.administration import latest_request, request_access
from app.states.db_thread import read_in_thread
from app.states.form import form_text, run_form
from app.states.session import SessionState


class AccessRequestState(SessionState):
    errors: dict[str, str] = {}
    # "", "pending", "approved" or "declined": the newest request of this account.
    request_status: str = ""
    decline_reason: str = ""

    async def _show(self, principal_user_id: int | None) -> None:
        request = await read_in_thread(lambda db: latest_request(db, principal_user_id or 0))
        self.request_status = request.status if request else ""
        self.decline_reason = request.decline_reason if request else ""

    @rx.event
    async def load(self) -> None:
        principal = await self._checked(Role.REGISTERED, handler="load")
        self.errors = {}
        await self._show(principal.user_id)

    @rx.event
    async def submit_request(self, form: dict):
        principal = await self._checked(Role.REGISTERED, handler="submit_request")
        role, name = form_text(form, "requested_role"), form_text(form, "organisation_name")
        customer_number = form_text(form, "customer_number")

        def work() -> None:
            with session_scope() as db:
                request_access(db, principal, role, name, customer_number)

        if not (await run_form(self, work)).ok:
            return None
        # The page's status line says the request waits (role="status"): no toast on top of it.
        await self._show(principal.user_id)
        return None
