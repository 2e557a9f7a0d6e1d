"""Grid-company staff: the start page of case handling."""

from __future__ import annotations

import reflex as rx

from app.i18n.numbers import format_number
from app.i18n.times import format_local_time
from app.models import Role
from app.services.staff.portal_figures import portal_figures
from app.states.db_thread import read_in_thread
from app.states.session import SessionState


class StaffState(SessionState):
    figures: dict[str, str] = {}
    newest_reading: str = ""

    @rx.event
    async def load_overview(self) -> None:
        caller = await self._checked(Role.GRID_STAFF, handler="load_overview")
        figures = await read_in_thread(lambda db: portal_figures(db, caller))
        counts = {
            "customers": figures.customers,
            "relationships": figures.relationships,
            "meters": figures.meters,
            "readings": figures.readings,
        }
        self.figures = {name: format_number(count, 0, self.language) for name, count in counts.items()}
        self.newest_reading = format_local_time(figures.newest_reading_at, self.language)
