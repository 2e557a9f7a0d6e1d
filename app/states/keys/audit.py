"""The distributor's audit view: who viewed, exported, assigned, revoked, imported; filtered, paged, CSV.

Read only: the page offers no way to change an entry.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.i18n import LANGUAGES, translate, translate_count
from app.i18n.times import format_local_time
from app.models import Role
from app.services.caller import Caller
from app.services.keys.audit_details import detail_message
from app.services.keys.audit_view import KEY_AUDIT_ACTIONS, AuditQuery, audit_csv, audit_page
from app.states.db_thread import read_in_thread
from app.states.form import form_text
from app.states.paging import Page, PagedList, PageReader, page_count_for
from app.states.session import SessionState

PAGE_SIZE = 50


def action_text(action: str, language: str) -> str:
    key = f"keys.audit.action.{action}"
    return translate(key, language) if key in LANGUAGES[language] else action


def outcome_text(outcome: str, language: str) -> str:
    key = f"keys.audit.outcome.{outcome}"
    return translate(key, language) if key in LANGUAGES[language] else outcome


def format_name(fmt: str, language: str) -> str:
    """An export format by the name the export dialog gives it ("JSON for the ingestion worker"),
    not its code (``worker_json``); an unknown code as it is."""
    key = f"keys.dialog.export.format.{fmt}"
    return translate(key, language) if key in LANGUAGES[language] else fmt


def detail_text(detail: str, language: str) -> str:
    """A known detail in the reader's language; any other as it was stored."""
    key, params = detail_message(detail)
    if not key:
        return detail
    if "format" in params:
        params = {**params, "format": format_name(params["format"], language)}
    return translate(key, language, **params)


def units_text(units: str) -> str:
    """Serials joined with ", ", so a long list wraps between serials, never inside one."""
    return ", ".join(serial.strip() for serial in units.split(",") if serial.strip())


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class KeyAuditState(PagedList, SessionState):
    LISTER: ClassVar[Role] = Role.DISTRIBUTOR
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    action: str = ""
    actor_email: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = {}

    @rx.var(cache=True)
    def action_options(self) -> list[dict[str, str]]:
        return [
            {"value": action, "label": action_text(action, self.language)} for action in KEY_AUDIT_ACTIONS
        ]

    @rx.var(cache=True)
    def total_text(self) -> str:
        return translate_count("keys.audit.total", self.language, count=self.total)

    def _query(self, page: int | None = None) -> AuditQuery:
        return AuditQuery(
            action=self.action,
            actor_email=self.actor_email,
            date_from=_date_or_none(self.date_from),
            date_to=_date_or_none(self.date_to),
            page=page or self.page,
            page_size=PAGE_SIZE,
        )

    def _page_reader(self, caller: Caller) -> PageReader:
        query, language = self._query(), self.language

        def read(db: Session) -> Page:
            found = audit_page(db, caller, query)
            rows = [
                {
                    "at": format_local_time(row.at, language),
                    "actor": row.actor,
                    "action": action_text(row.action, language),
                    "units": units_text(row.units),
                    "outcome": outcome_text(row.outcome, language),
                    "detail": detail_text(row.detail, language),
                }
                for row in found.rows
            ]
            return Page(rows, found.total, found.page, page_count_for(found.total, found.page_size))

        return read

    @rx.event
    async def load(self):
        caller = await self._lister("load")
        self.errors = {}
        await self._reload(caller)

    @rx.event
    async def apply_filters(self, form: dict):
        caller = await self._lister("apply_filters")
        action = form_text(form, "action")
        self.action = action if action in KEY_AUDIT_ACTIONS else ""
        self.actor_email = form_text(form, "actor_email").strip()[:254]
        self.date_from, self.date_to = form_text(form, "date_from"), form_text(form, "date_to")
        self.errors = {
            name: translate("keys.audit.bad_date", self.language)
            for name in ("date_from", "date_to")
            if getattr(self, name) and _date_or_none(getattr(self, name)) is None
        }
        self.page = 1
        await self._reload(caller)

    @rx.event
    async def export_csv(self):
        caller = await self._lister("export_csv")
        query = self._query(page=1)

        content = await read_in_thread(lambda db: audit_csv(db, caller, query))
        return rx.download(data=content, filename="key-audit.csv", mime_type="text/csv")
