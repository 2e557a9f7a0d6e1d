"""Grid-company staff: the start page of case handling."""

from __future__ import annotations

import reflex as rx

from app.db import session_scope
from app.models import Role
from app.services.staff.portal_figures import portal_figures
from app.states.session import SessionState


class StaffState(SessionState):
    figures: dict[str, int] = {}
    newest_reading: str = ""

    @rx.event
    def load_overview(self) -> None:
        self._require(Role.GRID_STAFF, handler="load_overview")
        with session_scope() as db:
            figures = portal_figures(db)
        self.figures = {
            "customers": figures.customers,
            "relationships": figures.relationships,
            "meters": figures.meters,
            "readings": figures.readings,
        }
        self.newest_reading = (
            figures.newest_reading_at.isoformat(timespec="minutes") if figures.newest_reading_at else ""
        )
