"""Where a refused or signing-out browser lands: its own portal, told why, in its language."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from reflex.istate.data import ReflexURL

from app import routes
from app.i18n import translate
from app.models import Role
from app.states.session import SessionState
from tests.handler_callers import session_token, state_as


class _Page:
    raw_path = routes.KEYS_AUDIT


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_a_key_reader_refused_a_page_is_told_and_stays_in_the_key_portal(app_database_url, language):
    state = state_as(SessionState, session_token(Role.KEY_READER))
    state.role, state.language = Role.KEY_READER.value, language
    answer = str(SessionState.show_refusal.fn(state, "auth.denied"))
    assert routes.KEYS_READER in answer and translate("auth.no_access", language) in answer
    assert translate("auth.denied", language) not in answer


def test_a_person_refused_on_their_own_home_page_goes_to_the_start_page(app_database_url, monkeypatch):
    """Never round in circles: their home page refusing them would send them to itself again."""
    state = state_as(SessionState, session_token(Role.KEY_READER))
    state.role = Role.KEY_READER.value
    state.router = dataclasses.replace(state.router, url=ReflexURL(f"http://localhost{routes.KEYS_READER}"))
    answer = str(SessionState.show_refusal.fn(state, "auth.denied"))
    assert routes.KEYS_READER not in answer and translate("auth.no_access") in answer


def test_a_visitor_without_a_session_is_sent_to_the_portals_sign_in(app_database_url, monkeypatch):
    state = state_as(SessionState, "")
    monkeypatch.setattr(type(state.router), "page", _Page(), raising=False)
    answer = str(SessionState.show_refusal.fn(state, "auth.denied"))
    assert routes.KEYS_LOGIN in answer and translate("auth.denied") in answer


@pytest.mark.parametrize(
    ("role", "landing"), [(Role.CUSTOMER, routes.CUSTOMER_LOGIN), (Role.GRID_STAFF, routes.HOME)]
)
def test_sign_out_lands_a_customer_on_min_sides_sign_in(app_database_url, role, landing):
    state = state_as(SessionState, session_token(role))
    state.role = role.value
    answer = str(asyncio.run(SessionState.sign_out.fn(state)))
    assert f'"{landing}"' in answer or f"'{landing}'" in answer or f"path={landing}" in answer, answer


def _pending_request() -> None:
    """A registered account that asked for access, through the services."""
    import uuid

    from app.db import session_scope
    from app.models import User
    from app.services.accounts.administration import request_access
    from app.services.caller import Caller

    with session_scope() as db:
        user = User(email=f"venter-{uuid.uuid4().hex[:8]}@example.org", role=Role.REGISTERED.value)
        db.add(user)
        db.flush()
        request_access(db, Caller(role=Role.REGISTERED, user_id=user.id), "installer", "Elektro Vent AS", "")


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_the_administrators_menu_counts_waiting_access_requests(app_database_url, language):
    _pending_request()
    state = state_as(SessionState, session_token(Role.ADMIN))
    state.language = language
    asyncio.run(SessionState.refresh_session.fn(state))
    assert state.waiting_requests >= 1
    admin = next(item for item in state.nav_items if item["route"] == routes.ADMIN_HOME)
    assert admin["count"] == str(state.waiting_requests)
    assert admin["name"] == (
        f"{translate('nav.admin', language)}, "
        f"{translate('admin.requests_waiting', language, count=state.waiting_requests)}"
    )
    # Nobody else is told (nor asks the database).
    staff = state_as(SessionState, session_token(Role.GRID_STAFF))
    asyncio.run(SessionState.refresh_session.fn(staff))
    assert staff.waiting_requests == 0 and all(item["count"] == "" for item in staff.nav_items)


SIGN_OUT = [("nb", "Logg ut"), ("sv", "Logga ut"), ("en", "Sign out")]


@pytest.mark.parametrize(("language", "sign_out"), SIGN_OUT)
def test_an_approved_person_is_not_asked_to_sign_out_but_to_sign_in(language, sign_out):
    """Approval ends the person's sessions: there is nothing to sign out of."""
    approved = translate("access.approved", language)
    assert sign_out.lower() not in approved.lower()
    assert translate("nav.login", language).lower() in approved.lower()
