"""The kr view of the consumption chart (issue 26): every level stacked by component, its table
with the same columns, the current month's estimate; gaps shown as no cost, never 0 kr."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import app.db
from app.clock import local_now, utcnow
from app.models import Customer, CustomerRelationship, Meter, Organisation, OrganisationKind, Role, TaxKind
from app.services.caller import CLI_CALLER
from app.services.consumption import tariffs
from app.services.consumption.local_time import local_day, local_zone
from app.services.consumption.prices import store_hourly_prices
from app.services.consumption.rollups import rebuild_all_consumption
from app.services.readings import insert_readings
from app.states.customer.consumption import ConsumptionState
from tests.handler_callers import session_token, state_as

HOUR = 3600


@pytest.fixture
def priced_customer(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setattr(app.db, "get_engine", lambda: engine)
    end = int(utcnow().timestamp()) // HOUR * HOUR
    start = end - 80 * 24 * HOUR
    with Session(engine, expire_on_commit=False) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY)
        customer = Customer(name="Kari", mobile="+4741200001")
        meter = Meter(serial="XKR0001", manufacturer="Aidon", model="6525", medium="electricity")
        db.add_all([grid, customer, meter])
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=grid.id,
            installation_number="9201",
            metering_point_id="707057500009900001",
            address="Elvegata 2",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
            bidding_zone="NO3",
        )
        db.add(relationship)
        first = (datetime.fromtimestamp(start, UTC) - timedelta(days=40)).date().replace(day=1)
        tariffs.add_tariff_period(
            db,
            CLI_CALLER,
            utility_id=grid.id,
            valid_from=first,
            fixed_monthly_kr="100",
            capacity_steps="0: 200\n5: 400",
            energy_winter_day="0.40",
            energy_winter_night="0.30",
            energy_summer_day="0.35",
            energy_summer_night="0.25",
        )
        taxes = ((TaxKind.ELECTRICITY_TAX, "0.10"), (TaxKind.ENOVA_FEE, "0.01"), (TaxKind.VAT, "0.25"))
        for kind, rate in taxes:
            tariffs.add_tax_rate(db, CLI_CALLER, kind=kind, valid_from=first, rate=rate)
        # Prices for every hour before today: today's hours are gaps.
        today_starts = local_day(local_now(local_zone()).date()).start
        priced = range(start - 40 * 86400, today_starts, HOUR)
        store_hourly_prices(db, {("NO3", t): Decimal("0.80") for t in priced})
        db.commit()
        rows = [
            (meter.id, "1-0:1.8.0", t, 1000.0 + (t - start) / HOUR, "kWh", "collected")
            for t in range(start, end + HOUR, HOUR)
        ]
    with engine.begin() as connection:
        insert_readings(connection, rows)
    rebuild_all_consumption(engine)
    yield relationship.id or 0


def _run(handler, state, *args):
    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):

        async def drain():
            return [item async for item in result]

        return asyncio.run(drain())
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def test_the_kr_view_stacks_each_levels_cost_by_component(priced_customer, engine):
    state = state_as(ConsumptionState, session_token(Role.CUSTOMER, priced_customer, engine))
    _run(ConsumptionState.load, state)
    _run(ConsumptionState.set_mode, state, "kr")
    assert state.mode == "kr" and state.figure["layout"]["barmode"] == "stack"
    assert [t["name"] for t in state.figure["data"]] == ["Strøm (spotpris)", "Nettleie", "Avgifter og mva."]
    assert len(state.cost_rows) == 12 and state.cost_total.endswith("kr")
    # The current month: its days, the cost so far and the estimate for the whole month.
    today = local_now(local_zone()).date()
    _run(ConsumptionState.show_month, state, today.replace(day=1).isoformat())
    assert len(state.cost_rows) == len(state.figure["data"][0]["x"])
    assert "Anslag for hele måneden" in state.cost_estimate or today.day == 1
    # A day with prices: 24 (or 23/25) hours, each a total in kr; the last day has no price: no cost.
    ten_days_ago = (today - timedelta(days=10)).isoformat()
    _run(ConsumptionState.show_day, state, ten_days_ago)
    assert len(state.cost_rows) in (23, 24, 25) and all(r["total"].endswith("kr") for r in state.cost_rows)
    _run(ConsumptionState.show_day, state, today.isoformat())
    assert {r["total"] for r in state.cost_rows} == {"Ingen pris"}
    assert all(v is None for v in state.figure["data"][0]["y"])
    _run(ConsumptionState.set_mode, state, "energy")
    assert state.cost_rows == [] and state.figure["layout"].get("barmode") != "stack"
