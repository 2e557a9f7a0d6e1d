"""Issue 20.14: the staff start page counts only the caller's grid company, and the whole
system's ingestion status is the operator's (administrator's), not any grid company's staff's."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from app.db import session_scope
from app.models import (
    Customer,
    CustomerRelationship,
    Meter,
    Organisation,
    OrganisationKind,
    Reading,
    Role,
    User,
)
from app.services.errors import AccessDenied
from app.services.sessions import start_session
from app.states.staff.ingest_status import IngestState
from app.states.staff.start import StaffState
from tests.handler_callers import session_token, state_as


def _grid_company(db, tag: str, relationships: int, readings: int) -> str:
    """A grid company with its customers, meters and readings, and a signed-in staff member."""
    grid = Organisation(name=f"Nett {tag}", kind=OrganisationKind.GRID_COMPANY)
    db.add(grid)
    db.flush()
    for n in range(relationships):
        customer = Customer(name=f"Kunde {tag} {n}", mobile=None)
        meter = Meter(
            serial=f"SCOPE-{tag}-{n}",
            manufacturer="Kamstrup",
            model="382",
            medium="electricity",
            owner_id=grid.id,
        )
        db.add_all([customer, meter])
        db.flush()
        db.add(
            CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid.id,
                installation_number=f"{tag[:6]}{n}",
                metering_point_id=f"{uuid.uuid4().int % 10**18:018d}",
                address="Gate 1",
                postcode="7010",
                city="Trondheim",
                meter_id=meter.id,
            )
        )
        for r in range(readings if n == 0 else 0):
            db.add(
                Reading(
                    meter_id=meter.id,
                    register_code="1-0:1.8.0",
                    ts=3600 * (r + 1),
                    value=1.0,
                    unit="kWh",
                    source="billing",
                )
            )
    staff = User(email=f"staff-{tag}@example.no", role=Role.GRID_STAFF.value, organisation_id=grid.id)
    db.add(staff)
    db.flush()
    return start_session(db, Role.GRID_STAFF, user_id=staff.id)


@pytest.fixture
def two_grid_companies(app_database_url):
    tag = uuid.uuid4().hex[:8]
    with session_scope() as db:
        mine = _grid_company(db, f"A{tag}", relationships=2, readings=3)
        theirs = _grid_company(db, f"B{tag}", relationships=5, readings=7)
    return mine, theirs


def test_the_staff_start_page_counts_only_the_callers_grid_company(two_grid_companies):
    mine, theirs = two_grid_companies
    state = state_as(StaffState, mine)
    asyncio.run(StaffState.load_overview.fn(state))
    assert state.figures == {"customers": "2", "relationships": "2", "meters": "2", "readings": "3"}
    other = state_as(StaffState, theirs)
    asyncio.run(StaffState.load_overview.fn(other))
    assert other.figures == {"customers": "5", "relationships": "5", "meters": "5", "readings": "7"}


def test_staff_without_a_grid_company_see_no_figures(app_database_url):
    state = state_as(StaffState, session_token(Role.GRID_STAFF))
    with pytest.raises(AccessDenied):
        asyncio.run(StaffState.load_overview.fn(state))
    assert state.figures == {}


def test_the_ingestion_status_is_refused_to_grid_staff_and_served_to_the_operator(two_grid_companies):
    mine, _theirs = two_grid_companies
    staff = state_as(IngestState, mine)
    with pytest.raises(AccessDenied):
        asyncio.run(IngestState.load_sources.fn(staff))
    assert staff.sources == []
    operator = state_as(IngestState, session_token(Role.ADMIN))
    asyncio.run(IngestState.load_sources.fn(operator))  # whatever sources exist, without refusal
