"""Account handlers called as a browser would: no non-administrator reaches an admin handler."""

from __future__ import annotations

import asyncio
import inspect
import uuid

import pytest
from sqlmodel import col, select

from app.db import session_scope
from app.models import AccessRequest, AuditEntry, Role, User
from app.services.errors import AccessDenied
from app.states.accounts.access import AccessRequestState
from app.states.accounts.admin import AdminState
from app.states.accounts.forms import AccountFormsState
from app.states.session import SessionState
from tests.handler_callers import session_token, state_as

NOT_ADMIN = [role for role in Role if role is not Role.ADMIN]


def _admin_handlers() -> list[str]:
    # Every handler the admin page adds on top of what any page's state has.
    own = sorted(set(AdminState.event_handlers) - set(SessionState.event_handlers))
    assert {"load", "apply_filters", "go_to_page", "approve", "decline", "deactivate"} <= set(own)
    return own


def _arguments(handler_name: str) -> list[object]:
    parameters = list(inspect.signature(AdminState.event_handlers[handler_name].fn).parameters.values())[1:]
    values: list[object] = []
    for parameter in parameters:
        annotation = str(parameter.annotation)
        values.append({"request_id": "1", "reason": "x", "new_organisation": "X"} if "dict" in annotation
                      else 0 if "int" in annotation else "1")
    return values


def _snapshot() -> tuple:
    with session_scope() as db:
        users = tuple((u.id, u.role, u.is_active, u.organisation_id) for u in db.exec(select(User)))
        requests = tuple((r.id, r.status) for r in db.exec(select(AccessRequest)))
    return users, requests


@pytest.mark.parametrize("role", [*NOT_ADMIN, None], ids=[*(r.value for r in NOT_ADMIN), "no-session"])
def test_no_administrator_handler_serves_anyone_but_an_administrator(app_database_url, role):
    token = session_token(role) if role else ""
    before = _snapshot()
    for name in _admin_handlers():
        state = state_as(AdminState, token)
        with session_scope() as db:
            refusals_before = _refusals(db, name)
        with pytest.raises(AccessDenied):
            AdminState.event_handlers[name].fn(state, *_arguments(name))
        assert state.accounts == [] and state.requests == [], name
        # The handler's own check refused it (it audits under the handler's name), not only the service.
        with session_scope() as db:
            assert _refusals(db, name) == refusals_before + 1, name
    assert _snapshot() == before


def _refusals(db, handler_name: str) -> int:
    return len(db.exec(
        select(AuditEntry).where(AuditEntry.action == "access.refused",
                                 col(AuditEntry.detail).startswith(f"AdminState.{handler_name}:"))
    ).all())


def test_an_administrator_is_served(app_database_url):
    state = state_as(AdminState, session_token(Role.ADMIN))
    AdminState.load.fn(state)
    assert state.page_count >= 1


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INSTALLER, None])
def test_asking_for_access_needs_a_registered_account(app_database_url, role):
    state = state_as(AccessRequestState, session_token(role) if role else "")
    with pytest.raises(AccessDenied):
        AccessRequestState.submit_request.fn(state, {"requested_role": "distributor",
                                                     "organisation_name": "X"})


def test_sign_in_handler_keeps_no_password_and_lands_on_the_roles_portal(app_database_url):
    from app.services.passwords import hash_password

    address = f"gro-{uuid.uuid4().hex[:8]}@example.org"
    password = "Trafo#Stasjon26"
    with session_scope() as db:
        db.add(User(email=address, role=Role.GRID_STAFF.value, name="Gro",
                    password_hash=hash_password(password)))
    state = state_as(AccountFormsState, "")
    events = asyncio.run(AccountFormsState.submit_sign_in.fn(state, {"email": address, "password": password}))
    assert state.role == "grid_staff" and state.session_token and state.errors == {}
    assert "/saksbehandling" in str(events)
    assert password not in str(state.dict())


def test_sign_in_handler_shows_a_clear_message_for_wrong_credentials(app_database_url):
    state = state_as(AccountFormsState, "")
    asyncio.run(AccountFormsState.submit_sign_in.fn(state, {"email": "nobody@example.org", "password": "x"}))
    assert state.errors == {"form": "Feil e-postadresse eller passord."}
    assert state.session_token == ""
