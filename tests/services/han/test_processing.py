"""The grid company's side: its own orders only, take -> complete (port state and date on the
meter, an SMS) or reject with a reason (an SMS), moves through the status machine, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from han_factories import HanWorld
from sqlmodel import Session, select

from app.clock import utcnow
from app.models import AuditEntry, HanPortOrder, Meter
from app.services.case_status import IllegalTransition
from app.services.errors import AccessDenied, DomainError
from app.services.han.events import add_note, history
from app.services.han.orders import customer_meter, place_order
from app.services.han.processing import (
    complete_order,
    list_orders,
    order_detail,
    reject_order,
    take_order,
)
from app.services.han.statuses import HAN_ORDER_STATUSES
from app.services.notify.sms import latest_sms_to


def _order(db: Session, world: HanWorld, language: str = "nb") -> int:
    number = place_order(
        db,
        world.customer,
        meter_number=world.meter_serial,
        action="open",
        delivery="pickup",
        comment="",
        confirmed=True,
        language=language,
    )
    db.commit()
    return number


def test_the_status_machine():
    assert HAN_ORDER_STATUSES.allowed("received", "in_progress")
    assert HAN_ORDER_STATUSES.allowed("received", "cancelled")
    assert HAN_ORDER_STATUSES.allowed("in_progress", "rejected")
    assert not HAN_ORDER_STATUSES.allowed("received", "completed")  # taken first
    assert not HAN_ORDER_STATUSES.allowed("in_progress", "cancelled")
    assert not HAN_ORDER_STATUSES.next_statuses("completed")
    assert not HAN_ORDER_STATUSES.next_statuses("rejected")


def test_staff_list_only_their_grid_companys_orders(db, world):
    number = _order(db, world)
    rows, total = list_orders(db, world.staff)
    assert total == 1 and rows[0].id == number and rows[0].meter_serial == world.meter_serial
    assert list_orders(db, world.staff, status="completed") == ([], 0)
    assert list_orders(db, world.other_staff) == ([], 0)
    with pytest.raises(AccessDenied):
        list_orders(db, world.customer)


def test_staff_of_another_grid_company_cannot_open_or_process(db, world):
    number = _order(db, world)
    for attempt in (
        lambda: order_detail(db, world.other_staff, number),
        lambda: take_order(db, world.other_staff, number),
        lambda: reject_order(db, world.other_staff, number, "Nei"),
        lambda: complete_order(
            db, world.other_staff, number, port_state="open", completed_on=utcnow().date().isoformat()
        ),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    assert db.get(HanPortOrder, number).status == "received"
    refusals = db.exec(select(AuditEntry).where(AuditEntry.action == "han.order_refused")).all()
    assert len(refusals) == 4


def test_take_then_complete_records_the_port_state_and_texts_the_customer(db, world):
    number = _order(db, world, language="en")
    with pytest.raises(IllegalTransition):
        complete_order(db, world.staff, number, port_state="open", completed_on="2026-01-05")
    take_order(db, world.staff, number)
    db.commit()
    assert db.get(HanPortOrder, number).handled_by_user_id == world.staff.user_id
    with pytest.raises(DomainError) as refused:
        complete_order(db, world.staff, number, port_state="ajar", completed_on="2026-01-05")
    assert refused.value.field == "port_state"
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    with pytest.raises(DomainError) as refused:
        complete_order(db, world.staff, number, port_state="open", completed_on=tomorrow)
    assert refused.value.key == "han.date_in_future"
    complete_order(db, world.staff, number, port_state="open", completed_on="2026-01-05")
    db.commit()
    order = db.get(HanPortOrder, number)
    assert order.status == "completed" and order.port_state == "open"
    assert order.completed_on.isoformat() == "2026-01-05"
    meter = db.get(Meter, order.meter_id)
    assert meter.han_port_state == "open" and meter.han_port_changed_on.isoformat() == "2026-01-05"
    assert customer_meter(db, world.customer).port_state == "open"
    sms = latest_sms_to(db, world.customer_mobile)
    assert sms is not None and f"order {number} is completed" in sms.body and "now open" in sms.body
    actions = set(db.exec(select(AuditEntry.action)).all())
    assert {"han.order_status", "han.port_state_set", "han.customer_notified"} <= actions


def test_reject_needs_a_reason_and_texts_it(db, world):
    number = _order(db, world)
    with pytest.raises(DomainError) as refused:
        reject_order(db, world.staff, number, "   ")
    assert refused.value.key == "han.reason_required" and refused.value.field == "reason"
    reject_order(db, world.staff, number, "Måleren har ingen HAN-port")
    db.commit()
    order = db.get(HanPortOrder, number)
    assert order.status == "rejected" and order.reject_reason == "Måleren har ingen HAN-port"
    sms = latest_sms_to(db, world.customer_mobile)
    assert sms is not None and "avvist: Måleren har ingen HAN-port" in sms.body
    with pytest.raises(IllegalTransition):
        take_order(db, world.staff, number)


def test_notes_and_moves_make_the_history(db, world):
    number = _order(db, world)
    order = db.get(HanPortOrder, number)
    with pytest.raises(DomainError):
        add_note(db, world.staff, order, " ")
    add_note(db, world.staff, order, "Ringte kunden")
    take_order(db, world.staff, number)
    db.commit()
    lines = history(db, order)
    assert [(line.kind, line.to_status, line.text) for line in lines] == [
        ("status", "received", ""),
        ("note", "", "Ringte kunden"),
        ("status", "in_progress", ""),
    ]
    assert lines[1].who.startswith("Saksbehandler")


def test_the_queue_is_paged_and_filtered_on_the_server(db, world):
    from app.services.han.orders import cancel_order

    first = _order(db, world)
    cancel_order(db, world.customer, first)
    db.commit()
    second = _order(db, world)
    page_one, total = list_orders(db, world.staff, page=1, page_size=1)
    page_two, _ = list_orders(db, world.staff, page=2, page_size=1)
    assert total == 2 and [row.id for row in page_one + page_two] == [first, second]
    assert [row.id for row in list_orders(db, world.staff, status="received")[0]] == [second]
    assert [row.id for row in list_orders(db, world.staff, status="cancelled")[0]] == [first]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nb", "HAN-bestilling {n} er utført: HAN-porten på måleren din er nå åpen."),
        ("sv", "HAN-beställning {n} är utförd: HAN-porten på din mätare är nu öppen."),
        ("en", "HAN port order {n} is completed: the HAN port of your meter is now open."),
    ],
)
def test_the_customer_is_texted_in_the_language_they_ordered_in(db, world, language, text):
    """Issue 21 point 10; staff work in bokmål whatever the customer used."""
    number = _order(db, world, language=language)
    take_order(db, world.staff, number)
    complete_order(db, world.staff, number, port_state="open", completed_on=utcnow().date().isoformat())
    db.commit()
    sms = latest_sms_to(db, world.customer_mobile)
    assert sms.body == text.format(n=number) and sms.language == language and sms.status == "pending"
