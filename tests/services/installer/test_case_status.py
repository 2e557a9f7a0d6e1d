"""The pre-notification's status machine: the allowed moves, and every other one refused."""

from __future__ import annotations

import itertools

import pytest

from app.models import NotificationStatus as S
from app.services.case_status import IllegalTransition, StatusMachine
from app.services.installer.statuses import NOTIFICATION_STATUSES

ALLOWED = {
    (S.NOT_SENT, S.FOR_APPROVAL),
    (S.NEEDS_CHANGES, S.FOR_APPROVAL),
    (S.FOR_APPROVAL, S.APPROVED),
    (S.FOR_APPROVAL, S.REJECTED),
    (S.FOR_APPROVAL, S.NEEDS_CHANGES),
    (S.APPROVED, S.COMPLETED),
}


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_moves_pass(current, target):
    NOTIFICATION_STATUSES.check(current, target)


ILLEGAL = sorted(set(itertools.product(S, S)) - ALLOWED)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_other_move_is_refused(current, target):
    with pytest.raises(IllegalTransition):
        NOTIFICATION_STATUSES.check(current, target)


def test_final_statuses_lead_nowhere():
    assert NOTIFICATION_STATUSES.next_statuses(S.REJECTED) == frozenset()
    assert NOTIFICATION_STATUSES.next_statuses(S.COMPLETED) == frozenset()


def test_a_machine_is_reusable_for_other_cases():
    orders = StatusMachine.of("han_order", {"received": {"done"}})
    assert orders.allowed("received", "done")
    with pytest.raises(IllegalTransition) as refused:
        orders.check("done", "received")
    assert refused.value.params == {"machine": "han_order", "current": "done", "target": "received"}
