"""Issue 24 handlers called as a browser would: one grid company's administrator cannot read or
change another's settings, and its staff cannot find, open or end another's customers."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from app.db import session_scope
from app.models import CustomerRelationship, HanServiceSettings, JobType, Role, User
from app.services.errors import AccessDenied
from app.services.sessions import start_session
from app.states.accounts.admin import AdminState
from app.states.staff.customers import StaffCustomerSearchState, StaffCustomerState
from app.states.staff.grid_settings import GridSettingsState, JobTypeListState
from tests.handler_callers import state_as
from tests.services.han.han_factories import HanWorld, build_han_world


def run(result):  # type: ignore[no-untyped-def]
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


@pytest.fixture
def world(app_database_url) -> HanWorld:
    with session_scope() as db:
        return build_han_world(db)


def _admin_token(grid: int, tag: str) -> str:
    with session_scope() as db:
        user = User(email=f"admin-{tag}-{grid}@example.no", role=Role.GRID_ADMIN.value, organisation_id=grid)
        db.add(user)
        db.flush()
        return start_session(db, Role.GRID_ADMIN, user_id=user.id)


def _job_type(grid: int) -> int:
    with session_scope() as db:
        job = JobType(grid_company_id=grid, installation_type_id=1, name="Én måler", name_sv="", name_en="")
        db.add(job)
        db.flush()
        return job.id or 0


def test_an_administrator_saves_the_han_service_of_their_own_company_only(world):
    mine, theirs = _admin_token(world.grid, "a"), _admin_token(world.other_grid, "b")
    state = state_as(GridSettingsState, mine)
    run(GridSettingsState.load.fn(state))
    assert state.han["completion_days"] == "5"
    form = {
        "post_fee": "99,00",
        "pickup_address": "Nettveien 1",
        "pickup_hours": "08–15",
        "completion_days": "3",
    }
    run(GridSettingsState.save_han_service.fn(state, form))
    assert state.errors == {} and state.han["completion_days"] == "3"
    other = state_as(GridSettingsState, theirs)
    run(GridSettingsState.load.fn(other))
    assert other.han["completion_days"] == "5"
    with session_scope() as db:
        rows = db.exec(
            select(HanServiceSettings).where(HanServiceSettings.grid_company_id == world.other_grid)
        )
        assert rows.all() == []


def test_another_companys_administrator_neither_lists_nor_renames_a_job_type(world):
    job_id = _job_type(world.grid)
    theirs = _admin_token(world.other_grid, "b")
    listing = state_as(JobTypeListState, theirs)
    run(JobTypeListState.load.fn(listing))
    assert str(job_id) not in {row["id"] for row in listing.rows}
    state = state_as(GridSettingsState, theirs)
    state.editing = {"id": str(job_id)}
    with pytest.raises(AccessDenied):
        run(GridSettingsState.save_job_type.fn(state, {"name": "X", "name_sv": "X", "name_en": "X"}))
    with session_scope() as db:
        assert db.get(JobType, job_id).name == "Én måler"


def test_staff_of_the_grid_company_cannot_use_its_settings(world):
    state = state_as(GridSettingsState, world.staff_token)
    with pytest.raises(AccessDenied):
        run(GridSettingsState.load.fn(state))


def _point(world: HanWorld) -> str:
    with session_scope() as db:
        return db.get(CustomerRelationship, world.customer.relationship_id).metering_point_id


def test_staff_find_and_open_their_own_customer_and_not_anothers(world, monkeypatch):
    point = _point(world)
    mine = state_as(StaffCustomerSearchState, world.staff_token)
    run(StaffCustomerSearchState.search.fn(mine, {"query": point[4:14]}))
    [hit] = [row for row in mine.rows if row["metering_point_id"] == point]
    theirs = state_as(StaffCustomerSearchState, world.other_staff_token)
    run(StaffCustomerSearchState.search.fn(theirs, {"query": point}))
    assert theirs.rows == [] and theirs.total == 0
    customer_id = int(hit["customer_id"])
    monkeypatch.setattr(StaffCustomerState, "_id_from_url", lambda self: customer_id)
    page = state_as(StaffCustomerState, world.staff_token)
    run(StaffCustomerState.load.fn(page))
    assert page.relationships[0]["metering_point_id"] == point
    other = state_as(StaffCustomerState, world.other_staff_token)
    with pytest.raises(AccessDenied):
        run(StaffCustomerState.load.fn(other))
    assert other.relationships == []
    with pytest.raises(AccessDenied):
        run(
            StaffCustomerState.end_relationship.fn(
                other, {"relationship_id": str(world.customer.relationship_id)}
            )
        )
    with session_scope() as db:
        assert db.get(CustomerRelationship, world.customer.relationship_id).active


def test_the_platform_administrator_gives_and_takes_a_grid_companys_administrator_role(world):
    with session_scope() as db:
        token = start_session(db, Role.ADMIN)
    admin = state_as(AdminState, token)
    run(AdminState.load.fn(admin))
    with session_scope() as db:
        email = db.get(User, world.staff.user_id).email
    # The app's database holds every test's accounts: the staff member is found by searching.
    run(AdminState.apply_filters.fn(admin, {"search": email}))
    staff_row = next(row for row in admin.rows if row["user_id"] == str(world.staff.user_id))
    assert staff_row["grid_role"] == Role.GRID_STAFF.value
    run(AdminState.set_grid_administrator.fn(admin, str(world.staff.user_id), True))
    with session_scope() as db:
        assert db.get(User, world.staff.user_id).role == Role.GRID_ADMIN
    assert next(row for row in admin.rows if row["user_id"] == str(world.staff.user_id))["grid_role"] == (
        Role.GRID_ADMIN.value
    )
    run(AdminState.set_grid_administrator.fn(admin, str(world.staff.user_id), False))
    with session_scope() as db:
        assert db.get(User, world.staff.user_id).role == Role.GRID_STAFF


def test_a_grid_companys_administrator_cannot_use_the_platform_administrators_button(world):
    theirs = _admin_token(world.other_grid, "c")
    state = state_as(AdminState, theirs)
    with pytest.raises(AccessDenied):
        run(AdminState.set_grid_administrator.fn(state, str(world.staff.user_id), True))
    with session_scope() as db:
        assert db.get(User, world.staff.user_id).role == Role.GRID_STAFF
