"""Several customer relationships per account, switching, and the overview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from customer_factories import T0, principal_of, sign_in_by_sms
from sqlmodel import select

from app.models import AccountRelationship, AuditEntry
from app.services.customer.accounts import create_account
from app.services.customer.relationships import (
    customer_overview,
    link_relationship,
    list_relationships,
    relationship_needs_linking,
    switch_relationship,
    unlink_relationship,
)
from app.services.errors import AccessDenied

GOOD = "Blåbærsyltetøy på vaffel"


@pytest.fixture
def two_relationships(db, make_customer):
    """One customer (one mobile) with two relationships; an account made on the first."""
    first = make_customer(
        readings=((T0 - timedelta(hours=2), 1200.5, "kWh"), (T0 - timedelta(hours=1), 1201.75, "kWh"))
    )
    second = make_customer(customer_id=first.customer_id)
    result = sign_in_by_sms(db, first)
    principal = create_account(db, principal_of(db, result.session_token), GOOD, GOOD, now=T0)
    db.commit()
    return first, second, principal


def test_overview_shows_the_relationship_and_its_last_reading(db, two_relationships):
    first, _, principal = two_relationships
    overview = customer_overview(db, principal)
    assert overview.name == "Kari Nordmann"
    assert overview.address == "Storgata 1"
    assert overview.installation_number == first.installation_number
    assert overview.metering_point_id == first.metering_point_id
    assert overview.meter_serial == first.meter_serial
    assert overview.last_reading is not None
    assert (overview.last_reading.value, overview.last_reading.unit) == (1201.75, "kWh")
    assert overview.last_reading.at == T0 - timedelta(hours=1)


def test_sign_in_on_an_unlinked_relationship_offers_linking(db, two_relationships):
    first, second, account = two_relationships
    result = sign_in_by_sms(db, second, now=T0 + timedelta(minutes=1))
    assert result.user_id == account.user_id and not result.relationship_linked
    principal = principal_of(db, result.session_token, now=T0 + timedelta(minutes=1))
    assert relationship_needs_linking(db, principal)
    listed = list_relationships(db, principal)
    assert [(r.relationship_id, r.is_linked, r.is_current) for r in listed] == [
        (first.relationship_id, True, False),
        (second.relationship_id, False, True),
    ]
    assert link_relationship(db, principal, now=T0)
    db.commit()
    assert not link_relationship(db, principal, now=T0)
    assert not relationship_needs_linking(db, principal)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "customer.relationship_linked")).one()

    # Switching is one call, only between linked relationships.
    moved = switch_relationship(db, principal, first.relationship_id)
    db.commit()
    assert moved.relationship_id == first.relationship_id
    assert customer_overview(db, moved).installation_number == first.installation_number
    back = switch_relationship(db, moved, second.relationship_id)
    assert customer_overview(db, back).installation_number == second.installation_number

    unlink_relationship(db, back, first.relationship_id)
    db.commit()
    assert [link.relationship_id for link in db.exec(select(AccountRelationship)).all()] == [
        second.relationship_id
    ]
    with pytest.raises(AccessDenied):
        switch_relationship(db, back, first.relationship_id)


def test_guest_sees_only_the_current_relationship(db, make_customer):
    customer = make_customer()
    principal = principal_of(db, sign_in_by_sms(db, customer).session_token)
    assert [r.relationship_id for r in list_relationships(db, principal)] == [customer.relationship_id]
    assert not relationship_needs_linking(db, principal)


def test_a_stale_principal_is_refused_after_a_switch(db, two_relationships):
    first, second, _account = two_relationships
    result = sign_in_by_sms(db, second, now=T0 + timedelta(minutes=1))
    principal = principal_of(db, result.session_token, now=T0 + timedelta(minutes=1))
    link_relationship(db, principal)
    switch_relationship(db, principal, first.relationship_id)
    db.commit()
    with pytest.raises(AccessDenied):
        customer_overview(db, principal)  # still says "second"; the session says "first"
