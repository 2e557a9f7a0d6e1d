""" "New pre-notification": grid company -> installation type -> job type -> grid area -> Create."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import Role
from app.services.installer import catalogue
from app.services.installer.notifications import create_notification
from app.states.db_thread import read_in_thread
from app.states.form import form_id, int_or_none, run_form
from app.states.session import SessionState


def _int(value: object) -> int:
    """A browser-sent id; 0 (no such row) for anything that is not a number."""
    return int_or_none(value) or 0


def _options(choices) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [{"value": str(choice.id), "label": choice.label} for choice in choices]


class NewNotificationState(SessionState):
    grid_companies: list[dict[str, str]] = []
    installation_types: list[dict[str, str]] = []
    job_types: list[dict[str, str]] = []
    grid_areas: list[dict[str, str]] = []
    # The choices so far (ids, not secret): each narrows the next list.
    grid_company: str = ""
    installation_type: str = ""
    errors: dict[str, str] = {}

    @rx.event
    async def load(self) -> None:
        def read(db: Session):  # type: ignore[no-untyped-def]
            caller = self._require(Role.INSTALLER, handler="load", db=db)
            return catalogue.grid_companies(db, caller), catalogue.installation_types(db)

        companies, types = await read_in_thread(read)
        self.grid_companies = _options(companies)
        self.installation_types = [
            {"value": str(type_id), "label": translate(f"installer.type.{code}", self.language)}
            for type_id, code in types
        ]
        self.grid_company = self.grid_companies[0]["value"] if len(self.grid_companies) == 1 else ""
        self.installation_type = ""
        self.errors = {}
        await self._reload_dependent()

    async def _reload_dependent(self) -> None:
        if not self.grid_company:
            # Checked here too, so a refused browser learns nothing (not even "no choices").
            await self._checked(Role.INSTALLER, handler="choose")
            self.job_types, self.grid_areas = [], []
            return
        company, installation_type, language = _int(self.grid_company), self.installation_type, self.language

        def read(db: Session):  # type: ignore[no-untyped-def]
            caller = self._require(Role.INSTALLER, handler="choose", db=db)
            areas = catalogue.grid_areas(db, caller, company)
            jobs = (
                catalogue.job_types(db, caller, company, _int(installation_type), language)
                if installation_type
                else []
            )
            return areas, jobs

        areas, jobs = await read_in_thread(read)
        self.grid_areas, self.job_types = _options(areas), _options(jobs)

    @rx.event
    async def choose_grid_company(self, value: str) -> None:
        self.grid_company = value
        await self._reload_dependent()

    @rx.event
    async def choose_installation_type(self, value: str) -> None:
        self.installation_type = value
        await self._reload_dependent()

    @rx.event
    async def create(self, form: dict):
        caller = await self._checked(Role.INSTALLER, handler="create")

        def work() -> int:
            with session_scope() as db:
                return create_notification(
                    db,
                    caller,
                    grid_company_id=form_id(form, "grid_company") or 0,
                    installation_type_id=form_id(form, "installation_type") or 0,
                    job_type_id=form_id(form, "job_type") or 0,
                    grid_area_id=form_id(form, "grid_area") or 0,
                )

        submitted = await run_form(self, work)
        if submitted.ok:
            return rx.redirect(f"{routes.INSTALLER_NOTIFICATION}?id={submitted.value}")
        return None
