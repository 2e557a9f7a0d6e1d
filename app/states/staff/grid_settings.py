"""The grid-company administrator's settings page (issue 24): the HAN port service, job types,
grid areas, installer firms and their API tokens, administrators, and the log of changes.

Each list is a ``PagedList`` of its own (one page in state); the forms and dialogs are one
state. Every handler checks the caller; the services act only on the caller's grid company.
A token issued is written into the page by script, never kept in a state var.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.i18n.numbers import format_number
from app.i18n.times import format_local_time
from app.models import Role
from app.services.caller import Caller
from app.services.staff import grid_settings as service
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_checked, form_text, run_form
from app.states.paging import ListFilter, Page, PagedList, PageReader, int_or_none, page_count_for
from app.states.revealed_text import reveal_text_script
from app.states.session import SessionState

ISSUED_TOKEN_ELEMENT = "issued-token"  # noqa: S105 (an element id)


class _SettingsList(PagedList):
    """A settings list: ``_rows(db, caller, page)`` gives one page and the total."""

    LISTER: ClassVar[Role] = Role.GRID_ADMIN
    PAGE_SIZE: ClassVar[int] = service.PAGE_SIZE

    def _rows(self, db: Session, caller: Caller, page: int) -> tuple[list[dict[str, str]], int]:
        raise NotImplementedError

    def _page_reader(self, caller: Caller) -> PageReader:
        page = self.page

        def read(db: Session) -> Page:
            rows, total = self._rows(db, caller, page)
            pages = page_count_for(total, self.PAGE_SIZE)
            if page > pages:  # the last page emptied (a filter, a removal): show the new last one
                rows, total = self._rows(db, caller, pages)
                return Page(rows, total, pages, pages)
            return Page(rows, total, page, pages)

        return read


class JobTypeListState(_SettingsList, SessionState):
    def _rows(self, db: Session, caller: Caller, page: int) -> tuple[list[dict[str, str]], int]:
        rows, total = service.list_job_types(db, caller, page=page)
        language = self.language
        return [
            {
                "id": str(r.id),
                "type": translate(f"installer.type.{r.installation_type_code}", language),
                "name": r.name,
                "name_sv": r.name_sv,
                "name_en": r.name_en,
                "active": "1" if r.active else "",
                "active_label": translate("settings.yes" if r.active else "settings.no", language),
            }
            for r in rows
        ], total


class GridAreaListState(_SettingsList, SessionState):
    def _rows(self, db: Session, caller: Caller, page: int) -> tuple[list[dict[str, str]], int]:
        rows, total = service.list_grid_areas(db, caller, page=page)
        return [{"id": str(r.id), "code": r.code, "name": r.name} for r in rows], total


class FirmListState(_SettingsList, SessionState):
    FILTERS: ClassVar[tuple[ListFilter, ...]] = (ListFilter("search", limit=60, strip=True),)
    search: str = ""

    def _rows(self, db: Session, caller: Caller, page: int) -> tuple[list[dict[str, str]], int]:
        rows, total = service.list_firms(db, caller, search=self.search, page=page)
        language = self.language
        return [
            {
                "id": str(r.id),
                "name": r.name,
                "authorised": "1" if r.authorised else "",
                "authorised_label": translate("settings.yes" if r.authorised else "settings.no", language),
                "tokens": str(r.live_tokens),
            }
            for r in rows
        ], total


class StaffListState(_SettingsList, SessionState):
    def _rows(self, db: Session, caller: Caller, page: int) -> tuple[list[dict[str, str]], int]:
        rows, total = service.list_staff(db, caller, page=page)
        language = self.language
        return [
            {
                "id": str(r.user_id),
                "name": r.name or r.email,
                "email": r.email,
                "admin": "1" if r.is_admin else "",
                "role": translate("role.grid_admin" if r.is_admin else "role.grid_staff", language),
                "self": "1" if r.user_id == caller.user_id else "",
            }
            for r in rows
        ], total


class ChangeLogState(_SettingsList, SessionState):
    def _rows(self, db: Session, caller: Caller, page: int) -> tuple[list[dict[str, str]], int]:
        rows, total = service.change_log(db, caller, page=page)
        language = self.language
        return [
            {
                "at": format_local_time(r.at, language),
                "who": r.who,
                "area": translate(f"settings.area.{r.area}", language),
                "subject": r.subject,
                "field": r.field,
                "old": r.old_value or "–",
                "new": r.new_value or "–",
            }
            for r in rows
        ], total


LISTS: tuple[type[_SettingsList], ...] = (
    JobTypeListState,
    GridAreaListState,
    FirmListState,
    StaffListState,
    ChangeLogState,
)


class GridSettingsState(DialogState, SessionState):
    """The forms. Dialogs: "job-type" (``editing`` holds the row, empty: a new one), "grid-area",
    "tokens" (one firm's tokens and a new one)."""

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.GRID_ADMIN,)
    errors: dict[str, str] = {}
    han: dict[str, str] = {}
    # Raised after each save, so the uncontrolled HAN form shows the saved values again.
    han_version: int = 0
    installation_types: list[dict[str, str]] = []
    editing: dict[str, str] = {}
    tokens: list[dict[str, str]] = []
    token_firm: dict[str, str] = {}

    def _dialog_closed(self) -> None:
        self.editing = {}

    def _han_values(self, found: service.HanService) -> dict[str, str]:
        return {
            "post_fee": format_number(float(found.post_fee), 2, self.language).replace("\u00a0", " "),
            "pickup_address": found.pickup_address,
            "pickup_hours": found.pickup_hours,
            "completion_days": str(found.completion_days),
        }

    @rx.event
    async def load(self):
        self.errors, self.editing, self.open_dialog, self.tokens, self.token_firm = {}, {}, "", [], {}
        language = self.language

        def read(db: Session) -> tuple[service.HanService, list[tuple[int, str]]]:
            caller = self._require(Role.GRID_ADMIN, handler="load", db=db)
            return service.my_han_service(db, caller), service.installation_types(db)

        found, kinds = await read_in_thread(read)
        self.han = self._han_values(found)
        self.installation_types = [
            {"value": str(i), "label": translate(f"installer.type.{code}", language)} for i, code in kinds
        ]

    async def _save(self, handler: str, work: Callable[[Session, Caller], Any], reload: tuple[type, ...]):
        """Run one change in its own transaction; on success close the dialog and reload the lists
        it touched and the change log."""

        def run() -> tuple[Caller, Any]:
            with session_scope() as db:
                caller = self._require(Role.GRID_ADMIN, handler=handler, db=db)
                return caller, work(db, caller)

        done = await run_form(self, run)
        if not done.ok or done.value is None:
            if "form" in self.errors:
                return rx.toast.error(self.errors.pop("form"))
            return None
        caller, value = done.value
        for list_state in (*reload, ChangeLogState):
            await (await self.get_state(list_state))._reload(caller)
        return value

    @rx.event
    async def save_han_service(self, form: dict):
        values = {
            name: form_text(form, name)
            for name in ("post_fee", "pickup_address", "pickup_hours", "completion_days")
        }
        result = await self._save(
            "save_han_service", lambda db, caller: service.update_han_service(db, caller, **values), ()
        )
        if isinstance(result, service.HanService):
            self.han = self._han_values(result)
            self.han_version += 1
            return rx.toast.success(translate("settings.saved", self.language))
        return result

    # ------------------------------------------------------------ job types

    @rx.event
    async def edit_job_type(self, row: dict):
        await self._checked(Role.GRID_ADMIN, handler="edit_job_type")
        row = row if isinstance(row, dict) else {}
        self.errors = {}
        self.editing = {
            key: str(row.get(key, ""))[:120] for key in ("id", "name", "name_sv", "name_en", "active", "type")
        }
        self.open_dialog = "job-type"

    @rx.event
    async def new_job_type(self):
        await self._checked(Role.GRID_ADMIN, handler="new_job_type")
        self.errors = {}
        self.editing = {"id": "", "name": "", "name_sv": "", "name_en": "", "active": "1", "type": ""}
        self.open_dialog = "job-type"

    @rx.event
    async def save_job_type(self, form: dict):
        job_type_id = int_or_none(self.editing.get("id", ""))
        values = {
            "name": form_text(form, "name"),
            "name_sv": form_text(form, "name_sv"),
            "name_en": form_text(form, "name_en"),
            "active": form_checked(form, "active"),
            "installation_type_id": int_or_none(form_text(form, "installation_type")),
        }
        result = await self._save(
            "save_job_type",
            lambda db, caller: service.save_job_type(db, caller, job_type_id=job_type_id, **values),
            (JobTypeListState,),
        )
        if isinstance(result, int):
            self._close_dialog()
            return rx.toast.success(translate("settings.saved", self.language))
        return result

    # ------------------------------------------------------------ grid areas

    @rx.event
    async def edit_grid_area(self, row: dict):
        await self._checked(Role.GRID_ADMIN, handler="edit_grid_area")
        row = row if isinstance(row, dict) else {}
        self.errors = {}
        self.editing = {key: str(row.get(key, ""))[:120] for key in ("id", "code", "name")}
        self.open_dialog = "grid-area"

    @rx.event
    async def new_grid_area(self):
        await self._checked(Role.GRID_ADMIN, handler="new_grid_area")
        self.errors = {}
        self.editing = {"id": "", "code": "", "name": ""}
        self.open_dialog = "grid-area"

    @rx.event
    async def save_grid_area(self, form: dict):
        area_id = int_or_none(self.editing.get("id", ""))
        code, name = form_text(form, "code"), form_text(form, "name")
        result = await self._save(
            "save_grid_area",
            lambda db, caller: service.save_grid_area(db, caller, area_id=area_id, code=code, name=name),
            (GridAreaListState,),
        )
        if isinstance(result, int):
            self._close_dialog()
            return rx.toast.success(translate("settings.saved", self.language))
        return result

    # ------------------------------------------------------------ firms and tokens

    @rx.event
    async def set_authorised(self, firm_id: int, authorised: bool):
        firm = int_or_none(firm_id) or 0
        result = await self._save(
            "set_authorised",
            lambda db, caller: service.set_firm_authorised(db, caller, firm, authorised is True) or True,
            (FirmListState,),
        )
        if result is True:
            return rx.toast.success(translate("settings.saved", self.language))
        return result

    async def _show_tokens(self, handler: str, firm_id: int) -> None:
        language = self.language

        def read(db: Session) -> list[dict[str, str]]:
            caller = self._require(Role.GRID_ADMIN, handler=handler, db=db)
            return [
                {
                    "id": str(r.id),
                    "label": r.label,
                    "created": format_local_time(r.created_at, language),
                    "revoked": format_local_time(r.revoked_at, language) if r.revoked_at else "",
                    "state": translate(
                        "settings.token_revoked" if r.revoked_at else "settings.token_live", language
                    ),
                }
                for r in service.list_tokens(db, caller, firm_id)
            ]

        self.tokens = await read_in_thread(read)

    @rx.event
    async def open_tokens(self, firm_id: int, name: str):
        firm = int_or_none(firm_id) or 0
        await self._show_tokens("open_tokens", firm)
        self.errors = {}
        self.token_firm = {"id": str(firm), "name": str(name)[:200]}
        self.open_dialog = "tokens"

    @rx.event
    async def issue_token(self, form: dict):
        firm = int_or_none(self.token_firm.get("id", "")) or 0
        label = form_text(form, "label")
        result = await self._save(
            "issue_token", lambda db, caller: service.issue_token(db, caller, firm, label), (FirmListState,)
        )
        if isinstance(result, str):
            await self._show_tokens("issue_token", firm)
            # Shown once: the page holds it until the dialog closes; the server keeps its hash only.
            return [
                rx.call_script(reveal_text_script(ISSUED_TOKEN_ELEMENT, result)),
                rx.toast.success(translate("settings.token_issued", self.language)),
            ]
        return result

    @rx.event
    async def revoke_token(self, token_id: int):
        token = int_or_none(token_id) or 0
        firm = int_or_none(self.token_firm.get("id", "")) or 0
        result = await self._save(
            "revoke_token",
            lambda db, caller: service.revoke_token(db, caller, token) or True,
            (FirmListState,),
        )
        if result is True:
            await self._show_tokens("revoke_token", firm)
            return rx.toast.success(translate("settings.token_revoked_done", self.language))
        return result

    # ------------------------------------------------------------ administrators

    @rx.event
    async def set_administrator(self, user_id: int, make_admin: bool):
        user = int_or_none(user_id) or 0
        result = await self._save(
            "set_administrator",
            lambda db, caller: service.set_administrator(db, caller, user, make_admin is True) or True,
            (StaffListState,),
        )
        if result is True:
            return rx.toast.success(translate("settings.saved", self.language))
        return result
