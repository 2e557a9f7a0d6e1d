"""The tables hold what the domain needs, and refuse what it forbids."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.models import (
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    Reading,
    ReadingSource,
    Role,
    User,
)


@pytest.fixture
def utility(db):
    org = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
    db.add(org)
    db.commit()
    return org


def _meter(db, serial="AID0001", owner=None) -> Meter:
    meter = Meter(
        serial=serial,
        manufacturer="Aidon",
        model="6525",
        medium=Medium.ELECTRICITY,
        han_capable=True,
        owner_id=owner.id if owner else None,
    )
    db.add(meter)
    db.commit()
    return meter


def test_customer_relationship_links_customer_utility_and_meter(db, utility):
    meter = _meter(db, owner=utility)
    customer = Customer(name="Kari Nordmann", mobile="+4741234567")
    db.add(customer)
    db.commit()
    relationship = CustomerRelationship(
        customer_id=customer.id,
        utility_id=utility.id,
        installation_number="3100000",
        metering_point_id="707057500000010000",
        address="Storgata 1",
        postcode="7010",
        city="Trondheim",
        meter_id=meter.id,
    )
    db.add(relationship)
    db.commit()
    stored = db.exec(select(CustomerRelationship)).one()
    assert (stored.meter_id, stored.utility_id) == (meter.id, utility.id)
    assert stored.created_at.tzinfo is not None or stored.created_at  # stored as UTC


def test_metering_point_id_is_unique(db, utility):
    customer = Customer(name="A")
    db.add(customer)
    db.commit()
    for _ in range(2):
        db.add(
            CustomerRelationship(
                customer_id=customer.id,
                utility_id=utility.id,
                installation_number="1",
                metering_point_id="707057500000010000",
                address="x",
                postcode="7010",
                city="y",
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()


def test_a_reading_is_stored_once_per_meter_register_and_time(db, utility):
    meter = _meter(db)
    for _ in range(2):
        db.add(
            Reading(
                meter_id=meter.id,
                register_code="1-0:1.8.0",
                ts=1_700_000_000,
                value=1.0,
                unit="kWh",
                source=ReadingSource.COLLECTED,
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()


def test_reading_must_name_an_existing_meter(db):
    db.add(
        Reading(
            meter_id=999, register_code="1-0:1.8.0", ts=1, value=1.0, unit="kWh", source=ReadingSource.HAN
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()


def test_user_email_is_unique_and_role_is_one_of_the_known(db, utility):
    db.add(User(email="a@example.no", role=Role.DISTRIBUTOR, organisation_id=utility.id))
    db.commit()
    assert Role(db.exec(select(User)).one().role) is Role.DISTRIBUTOR
    db.add(User(email="a@example.no", role=Role.INSTALLER))
    with pytest.raises(IntegrityError):
        db.commit()
