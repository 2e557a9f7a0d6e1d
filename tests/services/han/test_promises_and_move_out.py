"""HAN orders as a grid company promises them (issue 24): the promised date in working days from
the company's settings, fee and pickup from its settings, owners only, overdue orders found by
staff, and an open port closed by a system order when the relationship ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from han_factories import HanWorld
from sqlmodel import Session, select

from app.clock import running_from
from app.models import (
    CustomerRelationship,
    HanOrderEvent,
    HanPortOrder,
    HanServiceSettings,
    Meter,
    Reading,
    ReadingSource,
)
from app.services.errors import DomainError
from app.services.han.events import history
from app.services.han.han_data import customer_han_data
from app.services.han.move_out import close_port_on_move_out
from app.services.han.orders import customer_meter, customer_orders, place_order
from app.services.han.processing import list_orders, take_order
from app.services.notify.sms import latest_sms_to
from app.services.staff.customers import end_relationship

# Wednesday 1 April 2026, noon in Oslo: Maundy Thursday, Good Friday and Easter Monday follow.
BEFORE_EASTER = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def _settings(db: Session, grid: int, days: int = 5) -> None:
    db.add(
        HanServiceSettings(
            grid_company_id=grid,
            post_fee=Decimal("99.00"),
            pickup_address="Nettveien 1",
            pickup_hours="man–fre 08–15",
            completion_days=days,
        )
    )
    db.commit()


def _order(db: Session, world: HanWorld, caller=None) -> int:  # type: ignore[no-untyped-def]
    number = place_order(
        db,
        caller or world.customer,
        meter_number=world.meter_serial,
        action="open",
        delivery="post",
        comment="",
        confirmed=True,
    )
    db.commit()
    return number


def test_the_promised_date_counts_working_days_of_the_companys_target(db, world):
    _settings(db, world.grid, days=5)
    with running_from(BEFORE_EASTER):
        meter = customer_meter(db, world.customer)
        number = _order(db, world)
    assert meter.promised_on == date(2026, 4, 13)
    assert (meter.post_fee, meter.pickup_address, meter.pickup_hours) == (
        Decimal("99.00"),
        "Nettveien 1",
        "man–fre 08–15",
    )
    assert db.get(HanPortOrder, number).due_on == date(2026, 4, 13)
    assert customer_orders(db, world.customer)[0].due_on == date(2026, 4, 13)


def test_without_settings_the_target_is_five_working_days(db, world):
    with running_from(datetime(2026, 3, 5, 10, 0, tzinfo=UTC)):  # a Thursday
        assert customer_meter(db, world.customer).promised_on == date(2026, 3, 12)


def test_a_tenant_is_refused_with_a_clear_message(db, world):
    relationship = db.get(CustomerRelationship, world.customer.relationship_id)
    relationship.is_owner = False
    db.add(relationship)
    db.commit()
    assert customer_meter(db, world.customer).refusal == "han.tenant"
    with pytest.raises(DomainError) as refused:
        _order(db, world)
    assert refused.value.key == "han.tenant"
    assert "owner" in refused.value.message("en")
    assert db.exec(select(HanPortOrder)).all() == []


def test_staff_find_orders_past_their_promised_date(db, world):
    with running_from(BEFORE_EASTER):
        late = _order(db, world)
    with running_from(datetime(2026, 4, 14, 10, 0, tzinfo=UTC)):
        rows, total = list_orders(db, world.staff, status="", overdue=True)
        assert (total, rows[0].id, rows[0].overdue) == (1, late, True)
        take_order(db, world.staff, late)  # in progress is still open: still overdue
        db.commit()
        assert list_orders(db, world.staff, status="", overdue=True)[1] == 1
        assert list_orders(db, world.other_staff, status="", overdue=True) == ([], 0)
    with running_from(datetime(2026, 4, 13, 10, 0, tzinfo=UTC)):  # the promised day itself
        assert list_orders(db, world.staff, status="", overdue=True) == ([], 0)


def _open_port(db: Session, world: HanWorld) -> None:
    meter = db.exec(select(Meter).where(Meter.serial == world.meter_serial)).one()
    meter.han_port_state = "open"
    db.add(meter)
    db.commit()


def test_moving_out_closes_an_open_port_by_a_system_order_seen_in_both_histories(db, world):
    _open_port(db, world)
    number = end_relationship(db, world.staff, world.customer.relationship_id or 0)
    db.commit()
    assert number is not None
    order = db.get(HanPortOrder, number)
    assert (order.action, order.status, order.relationship_id) == (
        "close",
        "received",
        world.customer.relationship_id,
    )
    [placed] = db.exec(select(HanOrderEvent).where(HanOrderEvent.order_id == number)).all()
    assert placed.actor_user_id is None and placed.actor_role == "system"
    # Both sides read the same history: the system placed it (no role string, no person).
    [line] = history(db, number)
    assert line.actor_role == "" and line.who == ""
    assert [row.id for row in list_orders(db, world.staff, status="")[0]] == [number]
    sms = latest_sms_to(db, world.customer_mobile)
    assert sms is not None and str(number) in sms.body
    relationship = db.get(CustomerRelationship, world.customer.relationship_id)
    assert not relationship.active and relationship.ended_at is not None


def test_moving_out_cancels_a_received_order_and_leaves_one_staff_took(db, world):
    _open_port(db, world)
    waiting = _order(db, world)
    relationship = db.get(CustomerRelationship, world.customer.relationship_id)
    number = close_port_on_move_out(db, relationship)
    db.commit()
    assert db.get(HanPortOrder, waiting).status == "cancelled"
    assert number is not None and number != waiting


def test_moving_out_with_the_port_closed_places_no_order(db, world):
    assert end_relationship(db, world.staff, world.customer.relationship_id or 0) is None
    with pytest.raises(DomainError):
        end_relationship(db, world.staff, world.customer.relationship_id or 0)


def test_staff_of_another_company_cannot_end_the_relationship(db, world):
    from app.services.errors import AccessDenied

    with pytest.raises(AccessDenied):
        end_relationship(db, world.other_staff, world.customer.relationship_id or 0)
    assert db.get(CustomerRelationship, world.customer.relationship_id).active


def test_han_data_is_the_readers_own_latest_values_and_a_24_hour_curve(db, world):
    meter = db.exec(select(Meter).where(Meter.serial == world.meter_serial)).one()
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    start = int(now.timestamp()) - 3 * 3600
    for minute in range(0, 180, 5):
        db.add(
            Reading(
                meter_id=meter.id or 0,
                register_code="1-0:1.7.0",
                ts=start + minute * 60,
                value=1.5,
                unit="kW",
                source=ReadingSource.HAN.value,
            )
        )
    db.add(
        Reading(
            meter_id=meter.id or 0,
            register_code="1-0:1.7.0",
            ts=int(now.timestamp()) - 60,
            value=9.9,
            unit="kW",
            source=ReadingSource.COLLECTED.value,
        )
    )  # billing-grade: not HAN data
    db.add(
        Reading(
            meter_id=meter.id or 0,
            register_code="1-0:1.7.0",
            ts=start - 2 * 86400,
            value=3.0,
            unit="kW",
            source=ReadingSource.HAN.value,
        )
    )  # too old for the curve
    db.commit()
    data = customer_han_data(db, world.customer, now=now)
    assert [(v.register_code, v.value) for v in data.latest] == [("1-0:1.7.0", 1.5)]
    assert len(data.curve) == 12 and {kw for _, kw in data.curve} == {1.5}
    assert customer_han_data(db, world.other_customer, now=now).latest == []
    assert data.curve[0][0] >= now - timedelta(hours=24)


def test_moving_out_ends_the_relationships_access_grants(db, world):
    from app.models import AccessGrant, AuditEntry
    from app.services.customer.sharing import grant_access

    grant_access(db, world.customer, mobile="+46701234588", consumption=True, invoices=False)
    db.commit()
    end_relationship(db, world.staff, world.customer.relationship_id or 0)
    db.commit()
    grants = select(AccessGrant).where(AccessGrant.relationship_id == world.customer.relationship_id)
    assert db.exec(grants).one().ended_at is not None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "sharing.ended")).one()
