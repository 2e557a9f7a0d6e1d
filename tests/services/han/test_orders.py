"""The customer's side of HAN port orders: only their own electricity meter, one open order per
meter, cancelling only while received; every change audited."""

from __future__ import annotations

from dataclasses import replace

import pytest
from han_factories import HanWorld
from sqlmodel import Session, select

from app.models import AuditEntry, HanOrderEvent, HanPortOrder
from app.services.case_status import IllegalTransition
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.han.orders import cancel_order, customer_meter, customer_orders, place_order
from app.services.han.processing import take_order


def _place(db: Session, world: HanWorld, **changes) -> int:  # type: ignore[no-untyped-def]
    values = {
        "meter_number": world.meter_serial,
        "action": "open",
        "delivery": "post",
        "comment": "Til Tibber Pulse",
        "confirmed": True,
        "language": "sv",
    }
    values.update(changes)
    caller = values.pop("caller", world.customer)
    number = place_order(db, caller, **values)
    db.commit()
    return number


def _audit_actions(db: Session, order_id: int) -> list[str]:
    return list(
        db.exec(
            select(AuditEntry.action).where(
                AuditEntry.subject_type == "han_port_order", AuditEntry.subject_id == str(order_id)
            )
        )
    )


def test_the_customer_sees_the_meter_of_their_relationship(db, world):
    meter = customer_meter(db, world.customer)
    assert meter.meter_serial == world.meter_serial
    assert meter.refusal == "" and meter.port_state == ""
    assert "Storgata 1" in meter.address


def test_an_order_is_received_with_the_address_on_record_and_audited(db, world):
    number = _place(db, world)
    order = db.get(HanPortOrder, number)
    assert order.status == "received" and order.grid_company_id == world.grid
    assert order.delivery_address == "Storgata 1, 7010 Trondheim"
    assert order.language == "sv" and order.comment == "Til Tibber Pulse"
    assert _audit_actions(db, number) == ["han.order_placed"]
    [line] = customer_orders(db, world.customer)
    assert line.id == number and line.status == "received" and line.meter_serial == world.meter_serial


def test_pickup_keeps_no_address(db, world):
    number = _place(db, world, delivery="pickup")
    assert db.get(HanPortOrder, number).delivery_address == ""


def test_every_field_is_checked_at_once(db, world):
    with pytest.raises(FieldErrors) as refused:
        _place(db, world, action="", delivery="drone", comment="x" * 501, confirmed=False)
    assert refused.value.errors == {
        "action": "han.choose_action",
        "delivery": "han.choose_delivery",
        "comment": "han.comment_too_long",
        "confirm": "han.confirm_required",
    }
    db.rollback()
    assert db.exec(select(HanPortOrder)).all() == []


def test_only_the_meter_of_the_own_relationship(db, world):
    """The meter number is compared with the session's meter: another customer's is refused."""
    with pytest.raises(FieldErrors) as refused:
        _place(db, world, meter_number=world.other_meter_serial)
    assert refused.value.errors == {"meter_number": "han.not_your_meter"}
    # Spaces and case as typed do not matter.
    assert _place(db, world, meter_number=" " + world.meter_serial.lower() + " ")


def test_a_caller_whose_relationship_differs_from_the_session_is_refused(db, world):
    forged = replace(world.customer, relationship_id=world.other_customer.relationship_id)
    with pytest.raises(AccessDenied):
        _place(db, world, caller=forged, meter_number=world.other_meter_serial)
    with pytest.raises(AccessDenied):
        customer_orders(db, forged)


def test_staff_cannot_order_as_a_customer(db, world):
    with pytest.raises(AccessDenied):
        _place(db, world, caller=world.staff)


def test_a_heat_meter_has_no_han_port(db, world):
    assert customer_meter(db, world.heat_customer).refusal == "han.not_electricity"
    with pytest.raises(DomainError) as refused:
        _place(db, world, caller=world.heat_customer, meter_number=world.heat_meter_serial)
    assert refused.value.key == "han.not_electricity"


def test_one_open_order_per_meter(db, world):
    first = _place(db, world)
    with pytest.raises(DomainError) as refused:
        _place(db, world, action="close")
    assert refused.value.key == "han.open_order_exists" and refused.value.field is None
    db.rollback()
    # Still blocked while in progress; free again once the first is closed (cancelled here).
    take_order(db, world.staff, first)
    db.commit()
    with pytest.raises(DomainError):
        _place(db, world)
    db.rollback()


def test_the_database_refuses_a_second_open_order_even_past_the_check(db, world):
    """Two requests at the same moment both pass the look-up; the partial unique index stops one."""
    first = db.get(HanPortOrder, _place(db, world))
    twin = HanPortOrder(**first.model_dump(exclude={"id"}))
    db.add(twin)
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.flush()
    db.rollback()


def test_cancel_only_while_received(db, world):
    number = _place(db, world)
    cancel_order(db, world.customer, number)
    db.commit()
    assert db.get(HanPortOrder, number).status == "cancelled"
    assert _audit_actions(db, number) == ["han.order_placed", "han.order_status"]
    moves = db.exec(select(HanOrderEvent.to_status).where(HanOrderEvent.order_id == number)).all()
    assert moves == ["received", "cancelled"]
    # A cancelled order no longer blocks a new one.
    second = _place(db, world)
    take_order(db, world.staff, second)
    db.commit()
    with pytest.raises(DomainError) as refused:
        cancel_order(db, world.customer, second)
    assert refused.value.key == "han.cannot_cancel"


def test_a_customer_cannot_cancel_another_customers_order(db, world):
    number = _place(db, world)
    with pytest.raises(AccessDenied):
        cancel_order(db, world.other_customer, number)
    assert db.get(HanPortOrder, number).status == "received"
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == "han.order_refused")).one()
    assert refused.outcome == "refused" and refused.subject_id == str(number)
    assert customer_orders(db, world.other_customer) == []


def test_a_cancelled_order_cannot_be_taken(db, world):
    number = _place(db, world)
    cancel_order(db, world.customer, number)
    db.commit()
    with pytest.raises(IllegalTransition):
        take_order(db, world.staff, number)


@pytest.mark.postgres
def test_one_open_order_per_meter_on_postgresql(postgres_url):
    from han_factories import build_han_world

    from app.db import make_engine
    from app.migrate import upgrade_to_head

    upgrade_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            world = build_han_world(db)
            first = db.get(HanPortOrder, _place(db, world))
            values, first_id = first.model_dump(exclude={"id"}), first.id
            with pytest.raises(DomainError):
                _place(db, world)
            db.rollback()
            twin = HanPortOrder(**values)
            db.add(twin)
            with pytest.raises(Exception, match=r"(?i)unique"):
                db.flush()
            db.rollback()
            cancel_order(db, world.customer, first_id)
            db.commit()
            assert _place(db, world) != first_id
    finally:
        engine.dispose()
