"""Where a refused or signing-out browser lands: its own portal, told why, in its language."""

from __future__ import annotations

import asyncio

import pytest

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


def test_a_visitor_without_a_session_is_sent_to_the_portals_sign_in(app_database_url, monkeypatch):
    state = state_as(SessionState, "")
    monkeypatch.setattr(type(state.router), "page", _Page(), raising=False)
    answer = str(SessionState.show_refusal.fn(state, "auth.denied"))
    assert routes.KEYS_LOGIN in answer and translate("auth.denied") in answer


@pytest.mark.parametrize(("role", "landing"), [(Role.CUSTOMER, routes.CUSTOMER_LOGIN),
                                                (Role.GRID_STAFF, routes.HOME)])
def test_sign_out_lands_a_customer_on_min_sides_sign_in(app_database_url, role, landing):
    state = state_as(SessionState, session_token(role))
    state.role = role.value
    answer = str(asyncio.run(SessionState.sign_out.fn(state)))
    assert f'"{landing}"' in answer or f"'{landing}'" in answer or f"path={landing}" in answer, answer
