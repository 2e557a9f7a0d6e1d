"""The failing-messages list on the staff's and the administrator's pages, called as a browser would."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlmodel import Session

from app.db import get_engine, session_scope
from app.models import Organisation, OrganisationKind, OutboxMessage, OutboxStatus, Role, User
from app.services.errors import AccessDenied
from app.services.notify.outbox import queue_mail
from app.services.sessions import start_session
from app.states.failing_messages import FailingMessagesState
from tests.handler_callers import session_token, state_as


def _signed_in(role: Role, organisation_id: int | None) -> str:
    with Session(get_engine()) as db:
        user = User(
            email=f"{uuid.uuid4().hex[:10]}@example.org", role=role.value, organisation_id=organisation_id
        )
        db.add(user)
        db.flush()
        token = start_session(db, role, user_id=user.id)
        db.commit()
    return token


@pytest.fixture
def given_up(app_database_url) -> tuple[int, int, int]:
    """A grid company, another one, and a mail of the first that was given up."""
    with session_scope() as db:
        grids = [
            Organisation(name=f"Nett {uuid.uuid4().hex[:6]}", kind=OrganisationKind.GRID_COMPANY)
            for _ in range(2)
        ]
        db.add_all(grids)
        db.flush()
        message = queue_mail(
            db,
            "inst@example.org",
            "installer_decision",
            "sv",
            organisation_id=grids[0].id,
            number=9,
            status="Godkänd",
            reason="-",
        )
        message.status, message.attempts, message.last_error = OutboxStatus.FAILED.value, 8, "refused"
        db.add(message)
        return grids[0].id or 0, grids[1].id or 0, message.id or 0


def _call(state: FailingMessagesState, name: str, *args: object) -> object:
    return asyncio.run(FailingMessagesState.event_handlers[name].fn(state, *args))


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INSTALLER, Role.DISTRIBUTOR])
def test_other_roles_are_refused(given_up, role):
    state = state_as(FailingMessagesState, session_token(role))
    for name, args in (("load", ()), ("send_again", (str(given_up[2]),)), ("go_to_page", (1,))):
        with pytest.raises(AccessDenied):
            _call(state, name, *args)
    assert state.rows == []


def test_staff_see_and_send_again_their_own_grid_companys_message_only(given_up):
    ours, theirs, message_id = given_up
    other = state_as(FailingMessagesState, _signed_in(Role.GRID_STAFF, theirs))
    _call(other, "load")
    assert str(message_id) not in [row["id"] for row in other.rows]
    _call(other, "send_again", str(message_id))
    with session_scope() as db:
        assert db.get(OutboxMessage, message_id).status == OutboxStatus.FAILED

    staff = state_as(FailingMessagesState, _signed_in(Role.GRID_STAFF, ours))
    _call(staff, "load")
    [row] = [row for row in staff.rows if row["id"] == str(message_id)]
    assert row["status"] == "Gitt opp" and row["can_send_again"] == "1" and row["channel"] == "E-post"
    assert row["what"] == "Anmälan 9: Godkänd"  # as written, in the installer's language
    _call(staff, "send_again", str(message_id))
    with session_scope() as db:
        assert db.get(OutboxMessage, message_id).status == OutboxStatus.PENDING


def test_the_administrator_sees_every_grid_companys_message(given_up):
    admin = state_as(FailingMessagesState, _signed_in(Role.ADMIN, None))
    _call(admin, "load")
    assert str(given_up[2]) in [row["id"] for row in admin.rows] and admin.total >= 1
