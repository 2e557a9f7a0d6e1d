"""Heat is stored in kWh: a day or an hour is shown in kWh (in MWh it rounds to 0,02 or 0,00)."""

from __future__ import annotations

import pytest

from app.states.customer.consumption import DAY, MONTH, YEAR, ConsumptionState
from tests.handler_callers import state_as


@pytest.mark.parametrize(
    ("level", "unit", "shown"),
    [(YEAR, "MWh", "1,23"), (MONTH, "kWh", "1\u00a0234,6"), (DAY, "kWh", "1\u00a0234,57")],
)
def test_heat_months_in_mwh_days_and_hours_in_kwh(level, unit, shown):
    state = state_as(ConsumptionState, "")
    state.heat = True
    state.level = level
    assert state.energy_unit == unit
    assert state._energy_text(1234.567) == shown


def test_a_heat_day_of_twenty_kwh_is_not_shown_as_0_02():
    state = state_as(ConsumptionState, "")
    state.heat = True
    state.level = MONTH
    assert state._energy_text(20.0) == "20,0"
