"""The back office finds any of its grid company's customers (issue 24): partial matches on name,
installation number, metering point ID, meter number and mobile, paged; another company's staff
find none of them and cannot open them; every opening is audited."""

from __future__ import annotations

import pytest
from han_factories import HanWorld
from sqlmodel import Session, select

from app.models import AuditEntry, CustomerRelationship, Meter, PrivacyConsent, Reading, ReadingSource
from app.services.errors import AccessDenied
from app.services.han.orders import place_order
from app.services.staff.customers import open_customer, search_customers


def _relationship(db: Session, world: HanWorld) -> CustomerRelationship:
    return db.get(CustomerRelationship, world.customer.relationship_id)


def test_a_partial_metering_point_id_finds_the_customer(db, world):
    point = _relationship(db, world).metering_point_id
    hits, total = search_customers(db, world.staff, point[5:12])
    assert total >= 1 and world.customer.relationship_id in {hit.relationship_id for hit in hits}


@pytest.mark.parametrize("field", ["name", "installation", "meter", "mobile"])
def test_each_field_matches_in_part(db, world, field):
    relationship = _relationship(db, world)
    query = {
        "name": "kunde a",
        "installation": relationship.installation_number[2:6],
        "meter": world.meter_serial[3:9].lower(),
        "mobile": "912 34 56",
    }[field]
    hits, _ = search_customers(db, world.staff, query)
    assert world.customer.relationship_id in {hit.relationship_id for hit in hits}


def test_staff_find_only_their_own_grid_companys_customers(db, world):
    point = _relationship(db, world).metering_point_id
    assert search_customers(db, world.other_staff, point) == ([], 0)
    assert search_customers(db, world.staff, "x") == ([], 0)  # one character finds nothing
    with pytest.raises(AccessDenied):
        search_customers(db, world.customer, point)


def test_opening_a_customer_shows_what_the_company_knows_and_is_audited(db, world):
    relationship = _relationship(db, world)
    meter = db.exec(select(Meter).where(Meter.serial == world.meter_serial)).one()
    db.add(
        Reading(
            meter_id=meter.id or 0,
            register_code="1-0:1.8.0",
            ts=1_780_000_000,
            value=1234.5,
            unit="kWh",
            source=ReadingSource.COLLECTED.value,
        )
    )
    db.add(
        PrivacyConsent(
            customer_id=relationship.customer_id,
            relationship_id=relationship.id or 0,
            terms_version="2026-01",
        )
    )
    db.commit()
    number = place_order(
        db,
        world.customer,
        meter_number=world.meter_serial,
        action="open",
        delivery="pickup",
        comment="",
        confirmed=True,
    )
    db.commit()
    page = open_customer(db, world.staff, relationship.customer_id)
    assert [r.id for r in page.relationships] == [relationship.id]
    assert page.relationships[0].is_owner and page.relationships[0].active
    [shown] = page.meters
    assert (shown.serial, shown.last_value, shown.last_source) == (world.meter_serial, 1234.5, "collected")
    assert [o.id for o in page.orders] == [number] and page.orders[0].due_on is not None
    assert [c.what for c in page.consents] == ["2026-01"]
    viewed = db.exec(select(AuditEntry).where(AuditEntry.action == "staff.customer_viewed")).all()
    assert [(v.subject_id, v.actor_user_id) for v in viewed] == [
        (str(relationship.customer_id), world.staff.user_id)
    ]


def test_another_companys_staff_cannot_open_the_customer(db, world):
    customer_id = _relationship(db, world).customer_id
    with pytest.raises(AccessDenied):
        open_customer(db, world.other_staff, customer_id)
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == "staff.customer_refused")).all()
    assert len(refused) == 1
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "staff.customer_viewed")).all() == []
