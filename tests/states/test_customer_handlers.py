"""Min side handlers called directly by a browser holding another customer's session."""

from __future__ import annotations

import asyncio
import inspect
import itertools

import pytest
from sqlmodel import select

from app.db import session_scope
from app.models import Customer, CustomerRelationship, Role
from app.services.customer.accounts import create_account
from app.services.customer.login import start_first_login
from app.services.errors import AccessDenied
from app.services.notify.sms import latest_sms_to
from app.services.sessions import resolve_principal, start_session
from app.states.customer.login import CustomerLoginState
from app.states.customer.overview import CustomerState
from app.states.session import SessionState
from tests.handler_callers import session_token, state_as


def _state(token: str) -> CustomerState:
    return state_as(CustomerState, token)


_serial = itertools.count(1)


@pytest.fixture
def two_customers(app_database_url):
    with session_scope() as db:
        customers = []
        for _ in (1, 2):
            number = next(_serial)
            customer = Customer(name=f"Handler Test {number}", mobile=f"+4799000{number:03d}")
            db.add(customer)
            db.flush()
            relationship = CustomerRelationship(
                customer_id=customer.id,
                utility_id=_utility_id(db),
                installation_number=f"99000{number}",
                metering_point_id=f"70705759900000{number:04d}",
                address=f"Testveien {number}",
                postcode="7010",
                city="Trondheim",
            )
            db.add(relationship)
            db.flush()
            customers.append((customer.id, relationship.id))
    return customers


def _utility_id(db) -> int:
    from app.models import Organisation, OrganisationKind

    org = db.exec(select(Organisation)).first()
    if org is None:
        org = Organisation(name="Handler Utility", kind=OrganisationKind.GRID_COMPANY)
        db.add(org)
        db.flush()
    return org.id


def _guest_token(relationship_id: int) -> str:
    return session_token(Role.CUSTOMER, relationship_id)


def test_load_shows_only_the_callers_relationship(two_customers):
    (_, mine), _ = two_customers
    state = _state(_guest_token(mine))
    asyncio.run(CustomerState.load.fn(state))
    assert state.overview["name"].startswith("Handler Test")
    assert state.overview["address"].startswith("Testveien")
    assert [item["id"] for item in state.relationships] == [str(mine)]


def test_switching_to_another_customers_relationship_is_refused(two_customers):
    (_, mine), (_, theirs) = two_customers
    token = _guest_token(mine)
    with session_scope() as db:
        create_account(db, resolve_principal(db, token), "Handler-Test-Pass-42", "Handler-Test-Pass-42")
    state = _state(token)
    with pytest.raises(AccessDenied):
        asyncio.run(CustomerState.switch_to.fn(state, str(theirs)))
    assert state.overview == {}
    asyncio.run(CustomerState.load.fn(state))
    with session_scope() as db:
        assert state.overview["installation_number"] == db.get(CustomerRelationship, mine).installation_number


def test_staff_session_cannot_read_a_customer_overview(two_customers):
    with session_scope() as db:
        token = start_session(db, Role.GRID_STAFF)
    state = _state(token)
    with pytest.raises(AccessDenied):
        asyncio.run(CustomerState.load.fn(state))


def test_sign_out_resets_every_state_of_the_tab(two_customers):
    """Issue 10 item 12: the next person in this tab saw the previous one's name and data."""
    _, relationship_id = two_customers[0]
    state = _state(_guest_token(relationship_id))
    asyncio.run(CustomerState.load.fn(state))
    assert state.overview["name"] and state.display_name
    login = state.parent_state.substates[CustomerLoginState.get_name()]
    login.mobile, login.masked_mobile, login.device_token = "+4799000001", "+47 *** ** 001", "dev"
    state.language = "en"

    outcome = SessionState.sign_out.fn(state)
    if inspect.iscoroutine(outcome):
        asyncio.run(outcome)

    assert (state.session_token, state.role, state.display_name) == ("", "", "")
    assert state.overview == {} and state.relationships == [] and not state.loaded
    assert (login.mobile, login.masked_mobile) == ("", "")
    # The browser's own settings stay: its language and its remembered device.
    assert (state.language, login.device_token) == ("en", "dev")


def test_signing_in_starts_from_a_clean_tab(two_customers, monkeypatch):
    """The previous person left without signing out: the next sign-in drops what they saw."""
    (_, first), (second_customer, second) = two_customers
    state = _state(_guest_token(first))
    asyncio.run(CustomerState.load.fn(state))
    assert state.overview["name"]
    login = state.parent_state.substates[CustomerLoginState.get_name()]
    monkeypatch.setattr(CustomerLoginState, "_client_address", lambda self: "192.0.2.90")
    with session_scope() as db:
        customer = db.get(Customer, second_customer)
        relationship = db.get(CustomerRelationship, second)
        info = start_first_login(
            db,
            relationship.installation_number,
            relationship.metering_point_id,
            customer.mobile,
            True,
            "192.0.2.90",
        )
        code = latest_sms_to(db, customer.mobile).body.split()[0]
    login._challenge_id = info.challenge_id

    asyncio.run(CustomerLoginState.submit_code.fn(login, {"code": code}))

    assert login.errors == {}
    assert state.overview == {} and not state.loaded
    with session_scope() as db:
        principal = resolve_principal(db, state.session_token)
    assert principal is not None and principal.relationship_id == second


def test_a_new_tab_shows_the_customers_name_from_the_session_alone(two_customers):
    """Opening /min-side/forbruk in a new tab showed "Konto": only the overview page set the name."""
    (customer_id, relationship_id), _ = two_customers
    state = state_as(SessionState, _guest_token(relationship_id))
    asyncio.run(SessionState.refresh_session.fn(state))
    with session_scope() as db:
        assert state.display_name == db.get(Customer, customer_id).name
    assert state.role == Role.CUSTOMER.value
    signed_out = state_as(SessionState, "")
    asyncio.run(SessionState.refresh_session.fn(signed_out))
    assert (signed_out.display_name, signed_out.role) == ("", "")


def test_creating_the_account_remembers_this_browser(two_customers):
    """Issue 21.11: the browser that proved the mobile by SMS keeps a remembered-device token."""
    (_, mine), _ = two_customers
    state = _state(_guest_token(mine))
    asyncio.run(
        CustomerState.submit_create_account.fn(
            state, {"new_password": "Handler-Test-Pass-42", "new_password_again": "Handler-Test-Pass-42"}
        )
    )
    assert state.has_account
    login = asyncio.run(state.get_state(CustomerLoginState))
    assert login.device_token.count(".") == 2
