"""Grid-company staff: the queue of pre-notifications and one notification's processing.

Staff see only their own grid company's notifications, with the parties' personal and
organisation numbers (each view audited).
"""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.i18n import translate
from app.models import NotificationStatus, Role
from app.services.errors import AccessDenied, DomainError
from app.services.installer.catalogue import case_summary
from app.services.installer.form_fields import form_values
from app.services.installer.notifications import PAGE_SIZE, list_notifications
from app.services.installer.processing import (
    decide,
    id_numbers_for_staff,
    staff_grid_company,
    staff_notification,
)
from app.services.installer.statuses import NOTIFICATION_STATUSES
from app.services.installer.transitions import add_note, history
from app.states.form import field_messages, form_text
from app.states.installer.notification_list import row_dicts, status_options
from app.states.session import SessionState


class StaffQueueState(SessionState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    status_filter: str = NotificationStatus.FOR_APPROVAL.value
    search: str = ""

    @rx.var(cache=True)
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var(cache=True)
    def statuses(self) -> list[dict[str, str]]:
        return [s for s in status_options(self.language) if s["value"] != NotificationStatus.NOT_SENT]

    def _reload(self) -> None:
        with session_scope() as db:
            caller = self._require(Role.GRID_STAFF, handler="queue", db=db)
            rows, self.total = list_notifications(
                db,
                caller,
                status=self.status_filter,
                search=self.search,
                page=self.page,
                grid_company_id=staff_grid_company(caller),
                sent_only=True,
            )
        self.rows = row_dicts(rows, self.language)

    @rx.event
    def load(self) -> None:
        self._require(Role.GRID_STAFF, handler="load")
        self.page = 0
        self._reload()

    @rx.event
    def apply_filters(self, form: dict) -> None:
        self._require(Role.GRID_STAFF, handler="apply_filters")
        status = str(form.get("status", ""))
        self.status_filter = status if status in set(NotificationStatus) else ""
        self.search = str(form.get("search", ""))[:100]
        self.page = 0
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self._require(Role.GRID_STAFF, handler="go_to_page")
        self.page = min(max(0, int(page)), self.page_count - 1)
        self._reload()


class StaffNotificationState(SessionState):
    notification_id: int = 0
    status: str = ""
    heading: str = ""
    case_line: str = ""
    installer_firm: str = ""
    values: dict[str, str] = {}
    # The parties' numbers, for the grid company's staff only (never on an installer's page).
    id_numbers: dict[str, str] = {}
    reject_reason: str = ""
    history: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    @rx.var(cache=True)
    def status_label(self) -> str:
        return translate(f"installer.status.{self.status}", self.language) if self.status else ""

    @rx.var(cache=True)
    def can_decide(self) -> bool:
        return NOTIFICATION_STATUSES.allowed(self.status, NotificationStatus.APPROVED)

    @rx.var(cache=True)
    def can_complete(self) -> bool:
        return NOTIFICATION_STATUSES.allowed(self.status, NotificationStatus.COMPLETED)

    def _show(self, handler: str, notification_id: int) -> None:
        with session_scope() as db:
            caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
            row = staff_notification(db, caller, notification_id)
            summary = case_summary(db, row)
            self.id_numbers = id_numbers_for_staff(db, caller, row)
            lines = history(db, row)
        self.notification_id = row.id or 0
        self.status = row.status
        self.values = form_values(row)
        self.reject_reason = row.reject_reason
        self.installer_firm = summary.installer_firm
        self.heading = translate("installer.notification", self.language, number=row.id)
        type_name = translate(f"installer.type.{summary.installation_type_code}", self.language)
        self.case_line = " · ".join([summary.grid_company, type_name, summary.job_type, summary.grid_area])
        self.history = [
            {
                "at": line.at.replace("T", " ")[:16],
                "who": line.who,
                "text": line.text,
                "what": translate("installer.note", self.language)
                if line.what == "note"
                else " → ".join(
                    translate(f"installer.status.{part}", self.language) for part in line.what.split(">")
                ),
            }
            for line in lines
        ]

    def _id_from_url(self) -> int:
        try:
            return int(self.router.url.query_parameters.get("id", "0"))
        except ValueError:
            return 0

    @rx.event
    def load(self) -> None:
        self.errors = {}
        self.notification_id = 0
        self.values, self.id_numbers = {}, {}
        notification_id = self._id_from_url()
        self._show("load", notification_id)

    def _decide(self, handler: str, target: str, reason: str = ""):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as db:
                caller = self._require(Role.GRID_STAFF, handler=handler, db=db)
                decide(db, caller, self.notification_id, target, reason)
        except AccessDenied:
            raise  # the app's handler answers it: a toast and the start page
        except DomainError as error:
            self.errors = field_messages(error, self.language)
            return rx.toast.error(error.message(self.language))
        self.errors = {}
        self._show(handler, self.notification_id)
        return rx.toast.success(translate("staff.decided", self.language))

    @rx.event
    def approve(self):
        return self._decide("approve", NotificationStatus.APPROVED)

    @rx.event
    def reject(self, form: dict):
        return self._decide("reject", NotificationStatus.REJECTED, form_text(form, "reason"))

    @rx.event
    def return_for_changes(self, form: dict):
        return self._decide("return_for_changes", NotificationStatus.NEEDS_CHANGES, form_text(form, "reason"))

    @rx.event
    def complete(self):
        return self._decide("complete", NotificationStatus.COMPLETED)

    @rx.event
    def add_note(self, form: dict):
        try:
            with session_scope() as db:
                caller = self._require(Role.GRID_STAFF, handler="add_note", db=db)
                add_note(
                    db, caller, staff_notification(db, caller, self.notification_id), form_text(form, "note")
                )
        except AccessDenied:
            raise  # the app's handler answers it: a toast and the start page
        except DomainError as error:
            self.errors = field_messages(error, self.language)
            return None
        self.errors = {}
        self._show("add_note", self.notification_id)
        return rx.toast.success(translate("installer.note_added", self.language))
