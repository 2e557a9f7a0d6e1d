"""Grid-company staff: the start page of case handling."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.i18n.numbers import format_number
from app.i18n.times import format_local_time
from app.models import Role
from app.services.staff.portal_figures import portal_figures
from app.states.session import SessionState


class StaffState(SessionState):
    figures: dict[str, str] = {}
    newest_reading: str = ""

    @rx.event
    def load_overview(self) -> None:
        caller = self._require(Role.GRID_STAFF, handler="load_overview")
        with session_scope() as db:
            figures = portal_figures(db, caller)
        counts = {
            "customers": figures.customers,
            "relationships": figures.relationships,
            "meters": figures.meters,
            "readings": figures.readings,
        }
        self.figures = {name: format_number(count, 0, self.language) for name, count in counts.items()}
        self.newest_reading = format_local_time(figures.newest_reading_at, self.language)
