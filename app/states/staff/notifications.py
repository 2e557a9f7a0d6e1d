"""Grid-company staff: the queue of pre-notifications and one notification's processing.

Staff see only their own grid company's notifications, with the parties' personal and
organisation numbers (each view audited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.models import NotificationStatus, Role
from app.services.caller import Caller
from app.services.cases import staff_grid_company
from app.services.installer.processing import decide, id_number_for_staff, staff_notification
from app.services.installer.statuses import NOTIFICATION_STATUSES
from app.services.installer.transitions import add_note
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_text, run_form
from app.states.installer.notification_list import NotificationList
from app.states.installer.notification_view import (
    NotificationView,
    ShownNotification,
    read_notification,
    status_options,
)
from app.states.revealed_text import reveal_text_script
from app.states.session import SessionState


class StaffQueueState(NotificationList, SessionState):
    LISTER: ClassVar[Role] = Role.GRID_STAFF
    status_filter: str = NotificationStatus.FOR_APPROVAL.value

    @rx.var(cache=True)
    def statuses(self) -> list[dict[str, str]]:
        return [s for s in status_options(self.language) if s["value"] != NotificationStatus.NOT_SENT]

    def _scope(self, caller: Caller) -> dict[str, Any]:
        return {"grid_company_id": staff_grid_company(caller), "sent_only": True}


def id_number_element(party: str) -> str:
    """The element a party's personal or organisation number is written into when asked for."""
    return f"{party}-id-number"


class StaffNotificationState(DialogState, NotificationView, SessionState):
    """Its dialogs: "approve", "reject", "return", "note"."""

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.GRID_STAFF,)
    installer_firm: str = ""

    @rx.var(cache=True)
    def can_decide(self) -> bool:
        return NOTIFICATION_STATUSES.allowed(self.status, NotificationStatus.APPROVED)

    @rx.var(cache=True)
    def can_complete(self) -> bool:
        return NOTIFICATION_STATUSES.allowed(self.status, NotificationStatus.COMPLETED)

    async def _show(self, handler: str, notification_id: int) -> None:
        language = self.language

        def read(db: Session) -> ShownNotification:
            caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
            return read_notification(db, staff_notification(db, caller, notification_id), language)

        shown = await read_in_thread(read)
        self._put_notification(shown)
        self.installer_firm = shown.summary.installer_firm

    @rx.event
    async def load(self) -> None:
        self.errors = {}
        self.open_dialog = ""
        self.notification_id = 0
        self.values = {}
        await self._show("load", self._id_from_url())

    @rx.event
    async def show_id_number(self, party: str):
        """A party's number, on request and audited, written into the page: the parties'
        numbers are never state vars (issue 20.12), like keys (see ``keys/calls.py``)."""
        notification_id = self.notification_id

        def read(db: Session) -> str | None:
            caller = self._require(Role.GRID_STAFF, handler="show_id_number", db=db)
            row = staff_notification(db, caller, notification_id)
            return id_number_for_staff(db, caller, row, party)

        number = await read_in_thread(read)
        return rx.call_script(reveal_text_script(id_number_element(party), number or "–"))

    async def _decide(self, handler: str, target: str, reason: str = ""):  # type: ignore[no-untyped-def]
        notification_id = self.notification_id

        def work() -> None:
            with session_scope() as db:
                caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
                decide(db, caller, notification_id, target, reason)

        # Off the event loop: a decision writes the log and mails the installer.
        return await self._decided(handler, work, "staff.decided")

    async def _decided(self, handler: str, work: Callable[[], None], done_key: str):  # type: ignore[no-untyped-def]
        """A field's error stays by its field in the open dialog; any other is a toast."""
        done = await run_form(self, work, toast_form_error=True)
        if not done.ok:
            return done.toast
        self._close_dialog()
        await self._show(handler, self.notification_id)
        return rx.toast.success(translate(done_key, self.language))

    @rx.event
    async def approve(self, _form: dict | None = None):
        return await self._decide("approve", NotificationStatus.APPROVED)

    @rx.event
    async def reject(self, form: dict):
        return await self._decide("reject", NotificationStatus.REJECTED, form_text(form, "reason"))

    @rx.event
    async def return_for_changes(self, form: dict):
        reason = form_text(form, "reason")
        return await self._decide("return_for_changes", NotificationStatus.NEEDS_CHANGES, reason)

    @rx.event
    async def complete(self):
        return await self._decide("complete", NotificationStatus.COMPLETED)

    @rx.event
    async def add_note(self, form: dict):
        notification_id, note = self.notification_id, form_text(form, "note")

        def work() -> None:
            with session_scope() as db:
                caller = self._require(Role.GRID_STAFF, handler="add_note", db=db)
                add_note(db, caller, staff_notification(db, caller, notification_id), note)

        return await self._decided("add_note", work, "installer.note_added")
