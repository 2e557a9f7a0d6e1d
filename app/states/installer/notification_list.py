"""Lists of pre-notifications: the installer's firm's, and (other scope) a grid company's queue.

``NotificationList`` holds what both lists do: a status filter, a search, one page at a time.
A list names its role and the scope it passes to ``list_notifications``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.models import NotificationStatus, Role
from app.services.caller import Caller
from app.services.installer.notifications import PAGE_SIZE, list_notifications
from app.states.installer.notification_view import row_dicts, status_options
from app.states.paging import clamp_page, page_count_for
from app.states.session import SessionState

SEARCH_LIMIT = 100


class NotificationList(rx.State, mixin=True):
    """A status filter, a search and one page (``page`` counts from 0) of pre-notifications."""

    LISTER: ClassVar[Role]
    # The handler name a refused reload is audited under.
    RELOAD_HANDLER: ClassVar[str] = "list"
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    status_filter: str = ""
    search: str = ""

    @rx.var(cache=True)
    def page_count(self) -> int:
        return page_count_for(self.total, PAGE_SIZE)

    @rx.var(cache=True)
    def page_text(self) -> str:
        """"Side 1 av 8", as the key pages say it (``page`` counts from 0 here)."""
        return translate("installer.page_of", self.language,  # type: ignore[attr-defined]
                         page=self.page + 1, pages=max(self.page_count, 1))  # fmt: skip

    def _scope(self, caller: Caller) -> dict[str, Any]:
        """Extra arguments to ``list_notifications``: whose notifications this list shows."""
        return {}

    def _reload(self) -> None:
        db: Session
        with session_scope() as db:
            caller = self._require(self.LISTER, handler=self.RELOAD_HANDLER, db=db)  # type: ignore[attr-defined]
            rows, self.total = list_notifications(
                db,
                caller,
                status=self.status_filter,
                search=self.search,
                page=self.page,
                **self._scope(caller),
            )
        self.rows = row_dicts(rows, self.language)  # type: ignore[attr-defined]

    @rx.event
    def load(self) -> None:
        self._require(self.LISTER, handler="load")  # type: ignore[attr-defined]
        self.page = 0
        self._reload()

    @rx.event
    def apply_filters(self, form: dict) -> None:
        self._require(self.LISTER, handler="apply_filters")  # type: ignore[attr-defined]
        status = str(form.get("status", ""))
        self.status_filter = status if status in set(NotificationStatus) else ""
        self.search = str(form.get("search", ""))[:SEARCH_LIMIT]
        self.page = 0
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self._require(self.LISTER, handler="go_to_page")  # type: ignore[attr-defined]
        self.page = clamp_page(page, self.page_count, first=0)
        self._reload()


class InstallerListState(NotificationList, SessionState):
    LISTER: ClassVar[Role] = Role.INSTALLER

    @rx.var(cache=True)
    def statuses(self) -> list[dict[str, str]]:
        return status_options(self.language)
