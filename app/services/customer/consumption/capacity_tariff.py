"""A customer's capacity-tariff basis: of a month read for its chart, or read for their meter.

The steps and the rule (three highest hours on three different days) are the consumption
domain's (app/services/consumption/capacity_tariff.py); this module only reads the customer's
own meter.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import ConsumptionDay
from app.services.caller import Caller
from app.services.consumption.capacity_tariff import CapacityBasis, capacity_basis_from_days
from app.services.consumption.local_time import next_month
from app.services.consumption.tariffs import capacity_steps_for_month
from app.services.customer.consumption.access import authorised_meter
from app.services.customer.consumption.charts import MonthView
from app.sql_rows import all_rows


def capacity_basis_of(db: Session, view: MonthView) -> CapacityBasis:
    """The capacity-tariff basis of a month already read for its chart (one query: the steps)."""
    steps = capacity_steps_for_month(db, view.meter.utility_id, view.month)
    return capacity_basis_from_days(view.month, view.day_maxima, steps)


_day = ConsumptionDay.__table__.c
_DAY_MAXIMA = select(_day.max_hour_start, _day.max_hour_kwh).where(
    _day.meter_id == bindparam("meter_id"),
    _day.day >= bindparam("first"),
    _day.day < bindparam("until"),
)


def capacity_tariff_basis(db: Session, caller: Caller, meter_id: int, month: date) -> CapacityBasis:
    meter = authorised_meter(db, caller, meter_id)
    first = month.replace(day=1)
    maxima = all_rows(
        db.connection(), _DAY_MAXIMA, {"meter_id": meter_id, "first": first, "until": next_month(first)}
    )
    steps = capacity_steps_for_month(db, meter.utility_id, first)
    return capacity_basis_from_days(first, [tuple(row) for row in maxima], steps)
