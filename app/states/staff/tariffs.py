"""The grid-company administrator's tariffs (issue 24): the company's tariff periods (one page in
state) and a new period from a date, on the tariff service of app/services/consumption/tariffs.py."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.i18n.numbers import format_number
from app.models import Role
from app.services.caller import Caller
from app.services.consumption.tariffs import GridTariff
from app.services.staff import grid_settings as service
from app.states.form import form_checked, form_text, run_form
from app.states.paging import Page, PagedList, PageReader, int_or_none, page_count_for
from app.states.session import SessionState
from app.states.staff.grid_settings import ChangeLogState

ENERGY_FIELDS = ("energy_winter_day", "energy_winter_night", "energy_summer_day", "energy_summer_night")
DAY = "%d.%m.%Y"


def _kr(value: object, language: str, places: int = 2) -> str:
    return "–" if value is None else format_number(float(value), places, language)  # type: ignore[arg-type]


def tariff_row(tariff: GridTariff, language: str, today: str) -> dict[str, str]:
    rates = tariff.energy_rates
    return {
        "id": str(tariff.id),
        "from": tariff.valid_from.strftime(DAY),
        "to": tariff.valid_to.strftime(DAY) if tariff.valid_to else translate("tariffs.open_ended", language),
        "fixed": _kr(tariff.fixed_monthly_kr, language),
        "energy": " / ".join(
            _kr(rates.get(key), language, 4)
            for key in (("winter", "day"), ("winter", "night"), ("summer", "day"), ("summer", "night"))
        ),
        "steps": "; ".join(
            f"{format_number(float(s.lower_kw), 0, language)} kW: {_kr(s.monthly_kr, language)}"
            for s in tariff.steps
        ),
        "future": "1" if tariff.valid_from.isoformat() > today else "",
    }


class TariffState(PagedList, SessionState):
    """The periods, newest first, and the new period's form (its errors next to its fields)."""

    LISTER: ClassVar[Role] = Role.GRID_ADMIN
    PAGE_SIZE: ClassVar[int] = service.PAGE_SIZE
    errors: dict[str, str] = {}
    # Raised after a new period is saved, so the uncontrolled form starts empty again.
    form_version: int = 0

    def _page_reader(self, caller: Caller) -> PageReader:
        page, language = self.page, self.language
        today = service.local_today().isoformat()

        def read(db: Session) -> Page:
            rows, total = service.list_tariffs(db, caller, page=page)
            # The service keeps the page within the periods there are (a withdrawal may end one).
            shown = min(page, page_count_for(total, self.PAGE_SIZE))
            return Page([tariff_row(row, language, today) for row in rows], total, shown)

        return read

    async def _on_load(self, caller: Caller) -> None:
        self.errors = {}

    @rx.event
    async def add_period(self, form: dict):
        fields: dict[str, object] = {
            name: form_text(form, name)
            for name in ("valid_from", "fixed_monthly_kr", "capacity_steps", *ENERGY_FIELDS)
        }
        fields["day_from_hour"] = form_text(form, "day_from_hour") or None
        fields["day_to_hour"] = form_text(form, "day_to_hour") or None
        fields["winter_months"] = form_text(form, "winter_months") or None
        fields["weekend_is_night"] = form_checked(form, "weekend_is_night")

        def work() -> Caller:
            with session_scope() as db:
                caller = self._require(Role.GRID_ADMIN, handler="add_period", db=db)
                service.add_tariff(db, caller, **fields)
                return caller

        done = await run_form(self, work)
        if not done.ok or done.value is None:
            if "form" in self.errors:
                return rx.toast.error(self.errors.pop("form"))
            return None
        self.form_version += 1
        self.page = 1
        await self._reload(done.value)
        await (await self.get_state(ChangeLogState))._reload(done.value)
        return rx.toast.success(translate("tariffs.saved", self.language))

    @rx.event
    async def withdraw(self, period_id: int):
        period = int_or_none(period_id) or 0

        def work() -> Caller:
            with session_scope() as db:
                caller = self._require(Role.GRID_ADMIN, handler="withdraw", db=db)
                service.withdraw_tariff(db, caller, period)
                return caller

        done = await run_form(self, work)
        if not done.ok or done.value is None:
            message = next(iter(self.errors.values()), "")
            self.errors = {}
            return rx.toast.error(message) if message else None
        await self._reload(done.value)
        return rx.toast.success(translate("tariffs.withdrawn", self.language))
