"""Account handlers called as a browser would (every other role refused: test_protected_handlers.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlmodel import select

from app.db import session_scope
from app.models import Role, User
from app.services.errors import AccessDenied
from app.states.accounts.access import AccessRequestState
from app.states.accounts.admin import AdminState
from app.states.accounts.forms import AccountFormsState
from tests.handler_callers import session_token, state_as


def test_an_administrator_is_served(app_database_url):
    state = state_as(AdminState, session_token(Role.ADMIN))
    asyncio.run(AdminState.load.fn(state))
    assert state.page_count >= 1


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INSTALLER, None])
def test_asking_for_access_needs_a_registered_account(app_database_url, role):
    state = state_as(AccessRequestState, session_token(role) if role else "")
    with pytest.raises(AccessDenied):
        asyncio.run(
            AccessRequestState.submit_request.fn(
                state, {"requested_role": "distributor", "organisation_name": "X"}
            )
        )


def test_sign_in_handler_keeps_no_password_and_lands_on_the_roles_portal(app_database_url):
    from app.services.passwords import hash_password

    address = f"gro-{uuid.uuid4().hex[:8]}@example.org"
    password = "Trafo#Stasjon26"
    with session_scope() as db:
        db.add(
            User(email=address, role=Role.GRID_STAFF.value, name="Gro", password_hash=hash_password(password))
        )
    state = state_as(AccountFormsState, "")
    events = asyncio.run(AccountFormsState.submit_login.fn(state, {"email": address, "password": password}))
    assert state.role == "grid_staff" and state.session_token and state.errors == {}
    assert "/saksbehandling" in str(events)
    assert password not in str(state.dict())


def test_sign_in_handler_shows_a_clear_message_for_wrong_credentials(app_database_url):
    state = state_as(AccountFormsState, "")
    asyncio.run(AccountFormsState.submit_login.fn(state, {"email": "nobody@example.org", "password": "x"}))
    assert state.errors == {"form": "Feil e-postadresse eller passord."}
    assert state.session_token == ""


def test_the_language_a_person_signs_in_with_and_switches_to_is_their_mail_language(app_database_url):
    """Issue 21 point 10: an installer reading the portal in Swedish got bokmål mails."""
    from app.services.passwords import hash_password
    from app.states.session import SessionState

    address = f"ines-{uuid.uuid4().hex[:8]}@example.org"
    password = "Sikring#Kabel26"
    with session_scope() as db:
        db.add(
            User(
                email=address,
                role=Role.INSTALLER.value,
                name="Ines",
                language="nb",
                password_hash=hash_password(password),
            )
        )
    state = state_as(AccountFormsState, "")
    state.language = "sv"
    asyncio.run(AccountFormsState.submit_login.fn(state, {"email": address, "password": password}))
    with session_scope() as db:
        assert db.exec(select(User.language).where(User.email == address)).one() == "sv"
    asyncio.run(SessionState.set_language.fn(state, "en"))
    with session_scope() as db:
        assert db.exec(select(User.language).where(User.email == address)).one() == "en"
    signed_out = state_as(AccountFormsState, "")
    asyncio.run(SessionState.set_language.fn(signed_out, "nb"))  # no session: nobody's language changes
    with session_scope() as db:
        assert db.exec(select(User.language).where(User.email == address)).one() == "en"
