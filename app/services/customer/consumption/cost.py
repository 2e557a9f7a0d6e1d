"""The customer's kroner on every chart level (issue 26): a year of months, a month of days, a day
of hours, each period's cost by component (spot, mark-up, grid, taxes) and total, rounded to the
øre as app/services/consumption/cost.py states; a period without any priced hour has no cost
(None), never 0 kr. The current month adds its cost so far and an estimate.

Every function takes the caller and the meter asked for and refuses any meter but the one of the
caller's relationship (``authorised_meter``).

The year and month read the stored cost roll-ups (app/services/consumption/cost_rollups.py: a
row per month or day) and add the supplier's mark-up; a day's hours, and the current day in the
month's estimate, are priced from the rates the day's stored row was priced at, the hours' kWh
and the spot prices (``stored_day_hours``). ``priced_hourly=True`` prices every hour from the
tariffs, taxes and peaks instead (the reference the roll-ups are tested against, and what a
row priced for another grid company or zone, or a day without a row, falls back to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.clock import utcnow
from app.models import Medium
from app.services.caller import Caller
from app.services.consumption.cost import (
    CostPoint,
    CostSum,
    HourCost,
    MonthEstimate,
    costs_by_day,
    costs_by_month,
    estimate_from,
    hour_costs,
    month_estimate,
    sum_costs,
    with_markup,
)
from app.services.consumption.cost_rollups import stored_day_costs, stored_day_hours, stored_month_costs
from app.services.consumption.local_time import HOUR, local_day, local_zone, month_hours, next_month
from app.services.customer.consumption.access import CustomerMeter, authorised_meter


@dataclass(frozen=True)
class CostRow:
    key: str  # as the energy chart's: ISO month/day, or the hour's UTC epoch
    start: int
    hours: int
    priced_hours: int
    spot: Decimal | None
    markup: Decimal | None
    grid: Decimal | None
    taxes: Decimal | None
    total: Decimal | None

    @classmethod
    def of(cls, key: str, start: int, summed: CostSum) -> CostRow:
        shown = summed.shown()
        return cls(
            key,
            start,
            summed.period_hours,
            summed.hours,
            shown["spot"],
            shown["markup"],
            shown["grid"],
            shown["taxes"],
            shown["total"],
        )


@dataclass(frozen=True)
class CostView:
    rows: list[CostRow]
    total: CostRow
    markup_known: bool
    estimate: MonthEstimate | None = None  # the current month only


def cost_point(meter: CustomerMeter) -> CostPoint:
    return CostPoint(
        meter.meter_id, meter.utility_id, meter.medium, meter.bidding_zone, meter.markup_kr_per_kwh
    )


def _view(
    rows: list[CostRow],
    summed: CostSum,
    start: int,
    key: str,
    point: CostPoint,
    estimate: MonthEstimate | None = None,
) -> CostView:
    return CostView(rows, CostRow.of(key, start, summed), point.markup_kr_per_kwh is not None, estimate)


def _day_hours(
    db: Session, point: CostPoint, day: date, zone: ZoneInfo, priced_hourly: bool
) -> dict[int, HourCost]:
    """The day's priced hours: from its stored rates, the hours' kWh and spot prices when its row
    can say, else priced afresh (tariffs, taxes and the month's peaks read)."""
    costs = None if priced_hourly else stored_day_hours(db, point, day, zone)
    if costs is None:
        costs = hour_costs(db, point, day, day + timedelta(days=1), zone=zone)
    return costs


def day_cost(
    db: Session, caller: Caller, meter_id: int, day: date, *, priced_hourly: bool = False
) -> CostView:
    point = cost_point(authorised_meter(db, caller, meter_id))
    zone = local_zone()
    span = local_day(day, zone)
    costs = _day_hours(db, point, day, zone, priced_hourly)
    rows = [
        CostRow.of(str(t), t, sum_costs([costs[t]] if t in costs else [], 1))
        for t in range(span.start, span.end, HOUR)
    ]
    return _view(rows, sum_costs(costs.values(), span.hours), span.start, day.isoformat(), point)


def _markup(point: CostPoint) -> Decimal | None:
    """The mark-up the stored sums get (heat has none, as ``hour_costs`` prices it)."""
    return None if point.medium == Medium.HEAT else point.markup_kr_per_kwh


def month_cost(
    db: Session,
    caller: Caller,
    meter_id: int,
    month: date,
    *,
    now: datetime | None = None,
    priced_hourly: bool = False,
) -> CostView:
    point = cost_point(authorised_meter(db, caller, meter_id))
    zone = local_zone()
    first = month.replace(day=1)
    following = next_month(first)
    now = now or utcnow()
    today = now.astimezone(zone).date()
    current = first <= today < following
    stored = None if priced_hourly else stored_day_costs(db, point, first, following, zone)
    if stored is None or not stored.fresh:
        costs = hour_costs(db, point, first, following, zone=zone)
        days = costs_by_day(costs, first, following, zone)
        whole = costs_by_month(costs, [first], zone)[first]
        estimate = month_estimate(db, point, first, now, zone) if current else None
    else:
        markup = _markup(point)
        days = {}
        day = first
        while day < following:
            summed = stored.by_period.get(day) or CostSum(period_hours=local_day(day, zone).hours)
            days[day] = with_markup(summed, markup)
            day += timedelta(days=1)
        whole = sum_costs(days.values(), month_hours(first, zone))
        estimate = None
        if current:
            # The days before today as stored, today's hours before now priced as asked.
            today_costs = _day_hours(db, point, today, zone, priced_hourly=False)
            now_epoch = int(now.timestamp())
            so_far = sum_costs(
                [
                    *(days[d] for d in days if d < today),
                    sum_costs(c for t, c in today_costs.items() if t < now_epoch),
                ],
                0,
            )
            estimate = estimate_from(so_far, first, now, zone)
    rows = [CostRow.of(d.isoformat(), local_day(d, zone).start, summed) for d, summed in days.items()]
    return _view(rows, whole, local_day(first, zone).start, first.isoformat(), point, estimate)


def year_cost(
    db: Session, caller: Caller, meter_id: int, year: int, *, priced_hourly: bool = False
) -> CostView:
    point = cost_point(authorised_meter(db, caller, meter_id))
    zone = local_zone()
    first, following = date(year, 1, 1), date(year + 1, 1, 1)
    months = [date(year, m, 1) for m in range(1, 13)]
    total_hours = sum(month_hours(m, zone) for m in months)
    stored = None if priced_hourly else stored_month_costs(db, point, first, following, zone)
    if stored is None or not stored.fresh:
        costs = hour_costs(db, point, first, following, zone=zone)
        by_month = costs_by_month(costs, months, zone)
        whole = sum_costs(costs.values(), total_hours)
    else:
        markup = _markup(point)
        by_month = {
            m: with_markup(stored.by_period.get(m) or CostSum(period_hours=month_hours(m, zone)), markup)
            for m in months
        }
        whole = sum_costs(by_month.values(), total_hours)
    rows = [CostRow.of(m.isoformat(), local_day(m, zone).start, by_month[m]) for m in months]
    return _view(rows, whole, local_day(first, zone).start, str(year), point)
