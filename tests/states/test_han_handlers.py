"""HAN port handlers called as a browser would: a customer sees and cancels only their own
relationship's orders, grid staff only their own grid company's, and a signed-out tab nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from app.db import session_scope
from app.models import HanPortOrder, Meter
from app.services.errors import AccessDenied
from app.services.notify.sms import latest_sms_to
from app.states.han.customer import HanCustomerState
from app.states.han.staff import HanOrderState, HanQueueState
from tests.handler_callers import state_as
from tests.services.han.han_factories import HanWorld, build_han_world


@pytest.fixture
def world(app_database_url) -> HanWorld:
    with session_scope() as db:
        return build_han_world(db)


def run(result):  # type: ignore[no-untyped-def]
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _customer_page(token: str) -> HanCustomerState:
    state = state_as(HanCustomerState, token)
    run(HanCustomerState.load.fn(state))
    return state


def _order_form(world: HanWorld, **changes: str) -> dict[str, str]:
    return {
        "meter_number": world.meter_serial,
        "action": "open",
        "delivery": "post",
        "comment": "",
        "confirm": "on",
        **changes,
    }


def _place(world: HanWorld) -> int:
    state = _customer_page(world.customer_token)
    run(HanCustomerState.submit_order.fn(state, _order_form(world)))
    assert state.errors == {} and state.orders[0]["status"] == "received"
    return int(state.orders[0]["id"])


def _order_page(token: str, order_id: int, monkeypatch) -> HanOrderState:  # type: ignore[no-untyped-def]
    state = state_as(HanOrderState, token)
    monkeypatch.setattr(HanOrderState, "_id_from_url", lambda self: order_id)
    run(HanOrderState.load.fn(state))
    return state


def test_the_customer_page_shows_the_meter_and_refuses_a_missing_choice(world):
    state = _customer_page(world.customer_token)
    assert state.meter["serial"] == world.meter_serial and state.refusal == "" and state.orders == []
    result = run(HanCustomerState.submit_order.fn(state, _order_form(world, action="")))
    assert set(state.errors) == {"action"} and state.orders == []
    assert "action-open" in str(result)  # the cursor goes to the refused choice
    with session_scope() as db:
        mine = select(HanPortOrder).where(HanPortOrder.relationship_id == world.customer.relationship_id)
        assert db.exec(mine).all() == []


def test_a_heat_customer_gets_an_explanation_and_no_order(world):
    state = _customer_page(world.heat_customer_token)
    assert state.is_heat and state.refusal
    run(HanCustomerState.submit_order.fn(state, _order_form(world, meter_number=world.heat_meter_serial)))
    assert state.errors["form"] and state.orders == []


def test_a_second_open_order_is_refused_with_a_message(world):
    _place(world)
    state = _customer_page(world.customer_token)
    assert state.has_open_order
    run(HanCustomerState.submit_order.fn(state, _order_form(world, action="close")))
    assert "form" in state.errors and len(state.orders) == 1


def test_customer_b_cannot_see_or_cancel_customer_as_order(world):
    number = _place(world)
    other = _customer_page(world.other_customer_token)
    assert other.orders == []
    with pytest.raises(AccessDenied):
        run(HanCustomerState.cancel.fn(other, {"order_id": str(number)}))
    with session_scope() as db:
        assert db.get(HanPortOrder, number).status == "received"
    # The owner can.
    mine = _customer_page(world.customer_token)
    run(HanCustomerState.cancel.fn(mine, {"order_id": str(number)}))
    assert mine.orders[0]["status"] == "cancelled" and not mine.has_open_order


def test_staff_of_another_grid_company_are_refused_listing_and_processing(world, monkeypatch):
    number = _place(world)
    queue = state_as(HanQueueState, world.other_staff_token)
    run(HanQueueState.load.fn(queue))
    assert all(row["id"] != str(number) for row in queue.rows)
    with pytest.raises(AccessDenied):
        _order_page(world.other_staff_token, number, monkeypatch)
    state = state_as(HanOrderState, world.other_staff_token)
    state.order_id = number  # an id held in the tab is checked again by every handler
    for name, args in (
        ("take", ()),
        ("complete", ({"port_state": "open", "completed_on": "2026-01-05"},)),
        ("reject", ({"reason": "Nei"},)),
        ("add_note", ({"note": "x"},)),
    ):
        with pytest.raises(AccessDenied):
            run(HanOrderState.event_handlers[name].fn(state, *args))
    with session_scope() as db:
        assert db.get(HanPortOrder, number).status == "received"


def test_staff_take_and_complete_and_the_customer_is_told(world, monkeypatch):
    number = _place(world)
    queue = state_as(HanQueueState, world.staff_token)
    run(HanQueueState.load.fn(queue))
    assert str(number) in [row["id"] for row in queue.rows]
    state = _order_page(world.staff_token, number, monkeypatch)
    assert state.can_take and not state.can_complete and state.facts["meter"] == world.meter_serial
    run(HanOrderState.take.fn(state))
    assert state.status == "in_progress" and state.can_complete
    asyncio.run(HanOrderState.show_dialog.fn(state, "complete"))
    run(HanOrderState.complete.fn(state, {"port_state": "open", "completed_on": "not a date"}))
    assert state.errors["completed_on"] and state.open_dialog == "complete"  # the dialog stays open
    run(HanOrderState.complete.fn(state, {"port_state": "open", "completed_on": "2026-01-05"}))
    assert state.status == "completed" and state.open_dialog == ""
    with session_scope() as db:
        meter = db.exec(select(Meter).where(Meter.serial == world.meter_serial)).one()
        assert meter.han_port_state == "open"
        assert str(number) in latest_sms_to(db, world.customer_mobile).body
    customer = _customer_page(world.customer_token)
    assert customer.orders[0]["status_label"] == "Utført"


def test_reject_needs_a_reason(world, monkeypatch):
    number = _place(world)
    state = _order_page(world.staff_token, number, monkeypatch)
    run(HanOrderState.reject.fn(state, {"reason": " "}))
    assert state.errors["reason"] and state.status == "received"
    run(HanOrderState.reject.fn(state, {"reason": "Ingen HAN-port på denne måleren"}))
    assert state.status == "rejected"
    customer = _customer_page(world.customer_token)
    assert customer.orders[0]["reject_reason"] == "Ingen HAN-port på denne måleren"


@pytest.mark.parametrize("role", ["signed_out", "customer_on_staff", "staff_on_customer"])
def test_the_wrong_caller_is_refused(world, role):
    if role == "signed_out":
        with pytest.raises(AccessDenied):
            _customer_page("")
        with pytest.raises(AccessDenied):
            run(HanQueueState.load.fn(state_as(HanQueueState, "")))
        with pytest.raises(AccessDenied):
            run(HanCustomerState.submit_order.fn(state_as(HanCustomerState, ""), _order_form(world)))
    elif role == "customer_on_staff":
        with pytest.raises(AccessDenied):
            run(HanQueueState.load.fn(state_as(HanQueueState, world.customer_token)))
    else:
        with pytest.raises(AccessDenied):
            _customer_page(world.staff_token)


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_the_history_names_you_the_customer_staff_and_when_the_customer_was_texted(
    world, monkeypatch, language
):
    """Issue 21: the history showed the raw actor "customer" and not when the customer was told."""
    from app.i18n import translate
    from app.models import User
    from app.services.notify.sender import send_due_messages

    number = _place(world)
    staff = _order_page(world.staff_token, number, monkeypatch)
    staff.language = language
    run(HanOrderState.take.fn(staff))
    run(HanOrderState.complete.fn(staff, {"port_state": "open", "completed_on": "2026-01-05"}))
    run(HanOrderState.add_note.fn(staff, {"note": "Kunden ringte"}))
    # Not told before the SMS has left the outbox; then told at its sending time.
    assert translate("han.history.sms_to_customer", language) not in [line["what"] for line in staff.history]
    # The app's outbox also holds what earlier tests queued: send rounds until nothing is due.
    while send_due_messages().claimed:
        pass
    run(HanOrderState.load.fn(staff))
    with session_scope() as db:
        staff_name = db.exec(select(User).where(User.id == world.staff.user_id)).one().name
    assert staff_name

    def said(key: str) -> str:
        return translate(key, language)

    whos = [(line["who"], line["what"]) for line in staff.history]
    assert whos[0] == (said("han.who.customer"), said("han.status.received"))
    assert whos[1][0] == whos[2][0] == staff_name
    assert (said("han.who.system"), said("han.history.sms_to_customer")) in whos
    assert "customer" not in [who for who, _ in whos]

    customer = state_as(HanCustomerState, world.customer_token)
    customer.language = language
    run(HanCustomerState.load.fn(customer))
    mine = customer.histories[str(number)]
    assert (mine[0]["who"], mine[0]["what"]) == (said("han.who.you"), said("han.status.received"))
    assert mine[1]["who"] == staff_name
    told = [line for line in mine if line["what"] == said("han.history.sms_to_you")]
    assert len(told) == 1 and told[0]["who"] == said("han.who.system") and told[0]["at"]
    # Staff notes stay with staff.
    assert all(line["what"] != said("han.note") for line in mine)
