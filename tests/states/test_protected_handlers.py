"""A handler called by a browser without the right role changes nothing and is refused."""

from __future__ import annotations

import pytest
import reflex as rx
from sqlmodel import select

from app.db import session_scope
from app.models import AuditEntry, Role
from app.services.errors import AccessDenied
from app.services.sessions import start_session
from app.states.staff import StaffState


def _staff_state(token: str) -> StaffState:
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(StaffState.get_full_name().split(".")[1:])
    state.session_token = token
    return state


def _token(role: Role) -> str:
    with session_scope() as db:
        return start_session(db, role)


def test_staff_overview_refuses_a_customer(app_database_url):
    state = _staff_state(_token(Role.CUSTOMER))
    with pytest.raises(AccessDenied):
        StaffState.load_overview.fn(state)
    assert state.figures == {}
    with session_scope() as db:
        refused = db.exec(select(AuditEntry).where(AuditEntry.outcome == "refused")).all()
    assert any(entry.actor_role == "customer" for entry in refused)


def test_staff_overview_refuses_a_browser_without_session(app_database_url):
    state = _staff_state("")
    with pytest.raises(AccessDenied):
        StaffState.load_overview.fn(state)
    assert state.figures == {}


def test_staff_overview_serves_grid_staff(app_database_url):
    state = _staff_state(_token(Role.GRID_STAFF))
    StaffState.load_overview.fn(state)
    assert set(state.figures) == {"customers", "relationships", "meters", "readings"}
