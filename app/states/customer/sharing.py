"""Min side, "Share access": the owner shares the current relationship with another mobile,
sees who has access (since, until, last seen) and revokes."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

import reflex as rx

from app.clock import utcnow
from app.config import settings
from app.db import session_scope
from app.i18n import translate, translate_count
from app.models import Role
from app.services.customer.sharing import (
    GrantStatus,
    GrantView,
    default_until,
    grant_access,
    latest_until,
    list_grants,
    local_today,
    revoke_grant,
)
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_checked, form_text, run_form
from app.states.session import SessionState

_REVOKE = "revoke-"


class SharingState(DialogState, SessionState):
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.CUSTOMER,)
    grants: list[dict[str, str]] = []
    active_count: int = 0
    errors: dict[str, str] = {}
    loaded: bool = False
    # The date field's default (one year), earliest and latest day (ISO dates).
    default_until: str = ""
    earliest_until: str = ""
    latest_until: str = ""
    # The grant the revoke question is about: its dialog's name and its mobile.
    revoke_dialog: str = _REVOKE
    revoke_mobile: str = ""

    @rx.var(cache=True)
    def active_count_text(self) -> str:
        return translate_count("sharing.active_count", self.language, count=self.active_count)

    def _row(self, view: GrantView) -> dict[str, str]:
        zone = ZoneInfo(settings.timezone)

        def day(moment) -> str:
            return moment.astimezone(zone).strftime("%d.%m.%Y") if moment else ""

        what = [
            translate(f"sharing.scope_{scope}", self.language)
            for scope, on in (("consumption", view.may_see_consumption), ("invoices", view.may_see_invoices))
            if on
        ]
        active = view.status == GrantStatus.ACTIVE
        return {
            "id": str(view.id),
            "dialog": f"{_REVOKE}{view.id}",
            "mobile": view.mobile_display,
            "status": translate(f"sharing.status.{view.status}", self.language, date=day(view.stopped_at)),
            "active": "yes" if active else "",
            "period": translate(
                "sharing.since", self.language, date=day(view.since), until=view.until.strftime("%d.%m.%Y")
            ),
            "sees": translate("sharing.sees", self.language, what=", ".join(what).lower()),
            "seen": (
                translate(
                    "sharing.seen",
                    self.language,
                    mobile=view.mobile_display,
                    date=view.last_seen_at.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
                )
                if view.last_seen_at
                else translate("sharing.never_seen", self.language)
            ),
            "revoke_label": translate("sharing.revoke_label", self.language, mobile=view.mobile_display),
        }

    async def _refresh(self) -> None:
        principal = await self._checked(Role.CUSTOMER, handler="sharing")
        views = await read_in_thread(lambda db: list_grants(db, principal))
        self.grants = [self._row(view) for view in views]
        self.active_count = sum(1 for view in views if view.status == GrantStatus.ACTIVE)
        now = utcnow()
        self.default_until = default_until(now).isoformat()
        self.earliest_until = local_today(now).isoformat()
        self.latest_until = latest_until(now).isoformat()
        self.loaded = True

    @rx.event
    async def load(self) -> None:
        await self._checked(Role.CUSTOMER, handler="load")
        self.open_dialog = ""
        self.errors = {}
        await self._refresh()

    @rx.event
    async def submit_grant(self, form: dict | None = None):
        principal = await self._checked(Role.CUSTOMER, handler="submit_grant")
        mobile, until = form_text(form, "mobile"), form_text(form, "until")
        consumption, invoices = form_checked(form, "consumption"), form_checked(form, "invoices")
        language = self.language

        def grant() -> int:
            with session_scope() as db:
                return grant_access(
                    db,
                    principal,
                    mobile=mobile,
                    consumption=consumption,
                    invoices=invoices,
                    until=until,
                    language=language,
                )

        submitted = await run_form(self, grant)
        if not submitted.ok:
            return None
        await self._refresh()
        shown = next((row["mobile"] for row in self.grants if row["id"] == str(submitted.value)), mobile)
        return rx.toast.success(translate("sharing.granted", self.language, mobile=shown))

    def _dialog_opened(self, name: str) -> None:
        grant_id = name.removeprefix(_REVOKE)
        row = next((row for row in self.grants if row["id"] == grant_id), None)
        self.revoke_dialog = name if row else _REVOKE
        self.revoke_mobile = row["mobile"] if row else ""

    @rx.event
    async def confirm_revoke(self, form: dict | None = None):
        principal = await self._checked(Role.CUSTOMER, handler="confirm_revoke")
        grant_id = self.revoke_dialog.removeprefix(_REVOKE)
        if not grant_id.isdigit():
            self._close_dialog()
            return None
        await read_in_thread(lambda db: revoke_grant(db, principal, int(grant_id)))
        self._close_dialog()
        await self._refresh()
        return rx.toast.success(translate("sharing.revoked", self.language))
