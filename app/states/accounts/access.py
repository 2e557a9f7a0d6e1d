"""A registered account without an organisation asks for access."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.models import Role
from app.services.accounts.administration import latest_request, request_access
from app.services.errors import DomainError
from app.states.form import field_messages
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
    def submit_request(self, form: dict):
        principal = self._require(Role.REGISTERED, handler="submit_request")
        try:
            with session_scope() as db:
                request_access(
                    db, principal, str(form.get("requested_role", "")),
                    str(form.get("organisation_name", "")), str(form.get("customer_number", "")),
                )
        except DomainError as error:
            self.errors = field_messages(error, self.language)
            return None
        self.errors = {}
        # The page's status line says the request waits (role="status"): no toast on top of it.
        self._show(principal.user_id)
        return None
