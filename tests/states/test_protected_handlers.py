"""A handler called by a browser without the right role changes nothing and is refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.db import session_scope
from app.models import AuditEntry, Role
from app.services.errors import AccessDenied
from app.states.staff.start import StaffState
from tests.handler_callers import session_token, state_as


def _state(token: str) -> StaffState:
    return state_as(StaffState, token)


def _token(role: Role) -> str:
    return session_token(role)


def test_staff_overview_refuses_a_customer(app_database_url):
    state = _state(_token(Role.CUSTOMER))
    with pytest.raises(AccessDenied):
        StaffState.load_overview.fn(state)
    assert state.figures == {}
    with session_scope() as db:
        refused = db.exec(select(AuditEntry).where(AuditEntry.outcome == "refused")).all()
    assert any(entry.actor_role == "customer" for entry in refused)


def test_staff_overview_refuses_a_browser_without_session(app_database_url):
    state = _state("")
    with pytest.raises(AccessDenied):
        StaffState.load_overview.fn(state)
    assert state.figures == {}


def test_staff_overview_serves_grid_staff(app_database_url):
    # Staff of a grid company (issue 20.14: the figures are that grid company's).
    from app.models import Organisation, OrganisationKind, User
    from app.services.sessions import start_session

    with session_scope() as db:
        grid = Organisation(name="Protected Handlers Nett", kind=OrganisationKind.GRID_COMPANY)
        db.add(grid)
        db.flush()
        staff = User(email="protected-handlers-staff@example.no", role=Role.GRID_STAFF.value,
                     organisation_id=grid.id)
        db.add(staff)
        db.flush()
        token = start_session(db, Role.GRID_STAFF, user_id=staff.id)
    state = _state(token)
    StaffState.load_overview.fn(state)
    assert set(state.figures) == {"customers", "relationships", "meters", "readings"}
