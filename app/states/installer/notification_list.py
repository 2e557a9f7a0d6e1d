"""Lists of pre-notifications: the installer's firm's, and (other scope) a grid company's queue.

``NotificationList`` holds what both lists do: a status filter, a search, one page at a time.
A list names its role (``LISTER``) and the scope it passes to ``list_notifications``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.models import NotificationStatus, Role
from app.services.caller import Caller
from app.services.installer.notifications import PAGE_SIZE, list_notifications
from app.states.installer.notification_view import row_dicts, status_options
from app.states.paging import ListFilter, Page, PagedList, PageReader, PagingTexts
from app.states.session import SessionState

SEARCH_LIMIT = 100


class NotificationList(PagedList, mixin=True):
    """A status filter, a search and one page of pre-notifications."""

    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    TEXTS: ClassVar[PagingTexts] = PagingTexts(
        page_of="installer.page_of", previous="installer.previous", next="installer.next_page"
    )
    FILTERS: ClassVar[tuple[ListFilter, ...]] = (
        ListFilter("status_filter", field="status", choices=tuple(NotificationStatus)),
        ListFilter("search", limit=SEARCH_LIMIT),
    )
    status_filter: str = ""
    search: str = ""

    def _scope(self, caller: Caller) -> dict[str, Any]:
        """Extra arguments to ``list_notifications``: whose notifications this list shows."""
        return {}

    def _page_reader(self, caller: Caller) -> PageReader:
        status, search, page, language = self.status_filter, self.search, self.page, self.language

        def read(db: Session) -> Page:
            rows, total = list_notifications(
                db, caller, status=status, search=search, page=page, **self._scope(caller)
            )
            return Page(row_dicts(rows, language), total)

        return read


class InstallerListState(NotificationList, SessionState):
    LISTER: ClassVar[Role] = Role.INSTALLER

    @rx.var(cache=True)
    def statuses(self) -> list[dict[str, str]]:
        return status_options(self.language)
