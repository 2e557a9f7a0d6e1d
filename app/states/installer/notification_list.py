"""The installer's list of their firm's pre-notifications: status filter, search, pages."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.i18n import translate
from app.models import NotificationStatus, Role
from app.services.installer.notifications import PAGE_SIZE, list_notifications
from app.states.session import SessionState


def status_options(language: str) -> list[dict[str, str]]:
    return [
        {"value": s.value, "label": translate(f"installer.status.{s.value}", language)}
        for s in NotificationStatus
    ]


def row_dicts(rows, language: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [
        {
            "id": str(row.id),
            "status": row.status,
            "status_label": translate(f"installer.status.{row.status}", language),
            "grid_company": row.grid_company,
            "address": row.address,
            "owner": row.owner,
            "meter_number": row.meter_number,
            "updated_at": row.updated_at.replace("T", " ")[:16],
        }
        for row in rows
    ]


class InstallerListState(SessionState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    status_filter: str = ""
    search: str = ""

    @rx.var(cache=True)
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var(cache=True)
    def statuses(self) -> list[dict[str, str]]:
        return status_options(self.language)

    def _reload(self) -> None:
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler="list", db=db)
            rows, self.total = list_notifications(
                db, caller, status=self.status_filter, search=self.search, page=self.page
            )
        self.rows = row_dicts(rows, self.language)

    @rx.event
    def load(self) -> None:
        self._require(Role.INSTALLER, handler="load")
        self.page = 0
        self._reload()

    @rx.event
    def apply_filters(self, form: dict) -> None:
        self._require(Role.INSTALLER, handler="apply_filters")
        status = str(form.get("status", ""))
        self.status_filter = status if status in set(NotificationStatus) else ""
        self.search = str(form.get("search", ""))[:100]
        self.page = 0
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self._require(Role.INSTALLER, handler="go_to_page")
        self.page = min(max(0, int(page)), self.page_count - 1)
        self._reload()
