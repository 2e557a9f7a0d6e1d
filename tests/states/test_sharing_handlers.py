"""Sharing handlers called as a browser would (issue 27): through the one selector a grantee sees
the shared relationship's overview and consumption, never its profile, HAN orders or sharing, and
nothing once the grant is revoked or expired; the owner grants, lists and revokes."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import random
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from app.clock import running_from, utcnow
from app.db import session_scope
from app.models import (
    AccessGrant,
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
    UserSession,
)
from app.services.customer.sharing import end_of_day, local_today
from app.services.errors import AccessDenied
from app.services.sessions import hash_token, start_session
from app.states.customer.consumption import ConsumptionState
from app.states.customer.invoices import InvoicesState
from app.states.customer.overview import CustomerState
from app.states.customer.sharing import SharingState
from app.states.han.customer import HanCustomerState
from tests.handler_callers import state_as

_addresses = itertools.count(10)


def run(handler, state, *args):  # type: ignore[no-untyped-def]
    result = handler.fn(state, *args)
    if inspect.iscoroutine(result):
        return asyncio.run(result)
    if inspect.isasyncgen(result):

        async def drain() -> list:
            return [item async for item in result]

        return asyncio.run(drain())
    return result


def _mobile() -> str:
    return f"+4741{random.randrange(10**6):06d}"


@pytest.fixture
def world(app_database_url):
    """Kari (an electricity meter, signed in on her own relationship) and a grantee's mobile."""
    tag = uuid.uuid4().hex[:10]
    address = f"127.0.7.{next(_addresses) % 250 + 2}"
    with session_scope() as db:
        grid = Organisation(name=f"Nett {tag}", kind=OrganisationKind.GRID_COMPANY)
        db.add(grid)
        db.flush()
        customer = Customer(name="Kari Nordmann", mobile=_mobile())
        meter = Meter(
            serial=f"SH{tag}",
            manufacturer="Aidon",
            model="6534",
            medium=Medium.ELECTRICITY,
            han_capable=True,
            owner_id=grid.id,
        )
        db.add_all([customer, meter])
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id or 0,
            utility_id=grid.id or 0,
            installation_number=tag[-8:],
            metering_point_id=f"7070575{abs(hash(tag)) % 10**11:011d}",
            address="Delingsveien 1",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
        )
        db.add(relationship)
        db.flush()
        owner = start_session(db, Role.CUSTOMER, relationship_id=relationship.id, client_address=address)
        relationship_id = relationship.id or 0
    return {"owner": owner, "relationship_id": relationship_id, "grantee_mobile": _mobile()}


def _share(world, **form) -> SharingState:
    state = state_as(SharingState, world["owner"])
    run(SharingState.load, state)
    fields = {"mobile": world["grantee_mobile"], "consumption": "on", "until": "", **form}
    run(SharingState.submit_grant, state, fields)
    assert state.errors == {}
    return state


def _grant(db, world) -> AccessGrant:
    return db.exec(select(AccessGrant).where(AccessGrant.relationship_id == world["relationship_id"])).one()


def _grantee_token(world) -> str:
    """The session a shared sign-in leaves (mobile + SMS code, tested in tests/services)."""
    with session_scope() as db:
        return start_session(
            db,
            Role.CUSTOMER,
            relationship_id=world["relationship_id"],
            own_relationship_id=None,
            mobile=world["grantee_mobile"],
        )


def test_the_owner_shares_and_the_grantee_sees_it_marked_shared(world):
    state = _share(world)
    assert state.active_count == 1 and state.active_count_text.startswith("1 ")
    assert state.grants[0]["active"] and state.grants[0]["status"]
    grantee = state_as(CustomerState, _grantee_token(world))
    run(CustomerState.load, grantee)
    assert grantee.shared_by == "Kari" and grantee.shared_note
    assert [item["shared"].startswith("Delt av Kari") for item in grantee.relationships] == [True]
    assert grantee.display_name != "Kari Nordmann"  # the header names the grantee, not Kari
    consumption = state_as(ConsumptionState, grantee.session_token)
    run(ConsumptionState.load, consumption)
    run(SharingState.load, state)  # the owner's list: seen by … on …
    assert state.grants[0]["seen"].startswith("Sett av")


@pytest.mark.parametrize(
    ("state_class", "handler", "args"),
    [
        pytest.param(CustomerState, CustomerState.load_profile, (), id="profile"),
        pytest.param(HanCustomerState, HanCustomerState.load, (), id="han-orders"),
        pytest.param(SharingState, SharingState.load, (), id="sharing-list"),
        pytest.param(
            SharingState,
            SharingState.submit_grant,
            ({"mobile": "+4741999999", "consumption": "on"},),
            id="sharing-further",
        ),
    ],
)
def test_a_grantee_cannot_reach_the_owners_parts(world, state_class, handler, args):
    _share(world)
    state = state_as(state_class, _grantee_token(world))
    with pytest.raises(AccessDenied) as refused:
        run(handler, state, *args)
    assert refused.value.key == "sharing.not_shared"


def _assert_nothing_left(token: str) -> None:
    consumption = state_as(ConsumptionState, token)
    with pytest.raises(AccessDenied) as refused:
        run(ConsumptionState.load, consumption)
    assert refused.value.key == "sharing.access_ended"
    page = state_as(CustomerState, token)
    events = run(CustomerState.load, page)  # the next page: told, and signed out
    assert any("sign_out" in str(event) for event in events)
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
        assert row.revoked_at is not None


def test_after_revocation_the_grantee_reaches_nothing(world):
    state = _share(world)
    token = _grantee_token(world)
    run(CustomerState.load, state_as(CustomerState, token))
    run(SharingState.show_dialog, state, state.grants[0]["dialog"])
    assert state.revoke_mobile == state.grants[0]["mobile"]
    run(SharingState.confirm_revoke, state, {})
    assert state.active_count == 0 and not state.grants[0]["active"]
    _assert_nothing_left(token)


def test_after_expiry_the_grantee_reaches_nothing(world):
    today = local_today(utcnow())
    _share(world, until=today.isoformat())
    token = _grantee_token(world)
    after = end_of_day(today) + timedelta(seconds=1)
    with session_scope() as db:  # the sessions themselves outlive the grant
        rows = db.exec(select(UserSession).where(UserSession.relationship_id == world["relationship_id"]))
        for row in rows:
            row.expires_at = after + timedelta(hours=1)
            row.last_seen_at = after
            db.add(row)
    with running_from(after):
        _assert_nothing_left(token)
        owner = state_as(SharingState, world["owner"])
        run(SharingState.load, owner)
        assert owner.active_count == 0 and owner.grants[0]["status"].startswith("Utløpt")
    with session_scope() as db:
        assert _grant(db, world).expired_at is not None


def test_the_grantee_gives_it_back(world):
    _share(world)
    token = _grantee_token(world)
    page = state_as(CustomerState, token)
    run(CustomerState.load, page)
    events = run(CustomerState.give_back_access, page)
    assert any("sign_out" in str(event) for event in events)
    with session_scope() as db:
        assert _grant(db, world).given_back_at is not None


def test_a_foreign_mobile_is_refused_with_a_message(world):
    state = state_as(SharingState, world["owner"])
    run(SharingState.load, state)
    run(SharingState.submit_grant, state, {"mobile": "+45 20 12 34 56", "consumption": "on"})
    assert "norsk eller svensk" in state.errors["mobile"]
    assert state.grants == []


def test_a_revoke_of_another_relationships_grant_is_refused(world, app_database_url):
    _share(world)
    with session_scope() as db:
        grant_id = _grant(db, world).id
    other = _grantee_token(world)  # a session not owning the relationship
    state = state_as(SharingState, other)
    state.revoke_dialog = f"revoke-{grant_id}"
    with pytest.raises(AccessDenied):
        run(SharingState.confirm_revoke, state, {})


def test_a_grantee_reading_the_invoices_is_seen_by_the_owner(world):
    state = _share(world, invoices="on")
    invoices = state_as(InvoicesState, _grantee_token(world))
    run(InvoicesState.load, invoices)
    with session_scope() as db:
        grant = _grant(db, world)
        assert grant.last_seen_on == local_today(utcnow())
    run(SharingState.load, state)
    assert state.grants[0]["seen"].startswith("Sett av")
