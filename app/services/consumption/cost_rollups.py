"""Stored cost roll-ups (issue 26): what each meter's local days and months cost, so the kr views
read a few rows instead of pricing every hour of a year on every tap.

``cost_day`` holds the exact (unrounded) sum of a day's priced hours by component, as
``hour_costs`` prices them (app/services/consumption/cost.py, which stays the one pricing rule and
the tests' reference); ``cost_month`` the sum of its days and the capacity basis they were priced
with. Both are priced without the supplier's mark-up, which the view adds (``with_markup``).

Kept right the way the kWh roll-ups are (app/services/consumption/rollups.py), by recomputing
the days a change touches, never by editing a stored amount:

- new readings: ``refresh_consumption`` (the ingestion worker, after each batch) calls
  ``refresh_costs`` for the local days whose hours it rewrote; a new daily peak that moves the
  month's capacity basis reprices the whole month (every hour carries its share of the step);
- prices imported, a tariff period, tax rate or heat price added from a date (or a period not
  begun withdrawn): the service calls ``schedule_cost_refresh`` (``repricing``) with the first
  day that may price differently, and the days from there on of the meters concerned that have
  consumption are recomputed when the session commits, once per meter however many changes the
  transaction holds (``apply_cost_refresh`` does it at once). No day before it is rewritten;
- ``rebuild_all_costs``: everything again (the migration's backfill, the demo, a repair).

A view for a grid company or bidding zone other than the one a row was priced for (a relationship
changed) prices afresh (see app/services/customer/consumption/cost.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, event, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from app.models import ConsumptionDay, CostDay, CostMonth, CustomerRelationship, Medium, Meter
from app.services.consumption.cost import (
    ZERO,
    CostPoint,
    CostSum,
    capacity_bases,
    costs_by_day,
    hour_costs,
    months_of,
)
from app.services.consumption.local_time import (
    local_day,
    local_day_of,
    local_midnight,
    local_zone,
    month_hours,
    next_month,
)
from app.services.consumption.prices import spot_prices
from app.services.consumption.repricing import Change, has_scheduled, take_scheduled
from app.sql_rows import all_rows

ONE_DAY = timedelta(days=1)
_cost_day = CostDay.__table__
_cost_month = CostMonth.__table__
_relationship = CustomerRelationship.__table__.c
_meter = Meter.__table__.c
_consumption_day = ConsumptionDay.__table__.c

# The relationship a meter's cost is priced for: an active one first, then the newest.
_POINT = (
    select(_relationship.utility_id, _relationship.bidding_zone, _meter.medium)
    .join_from(CustomerRelationship.__table__, Meter.__table__, _meter.id == _relationship.meter_id)
    .where(_relationship.meter_id == bindparam("meter_id"))
    .order_by(_relationship.active.desc(), _relationship.id.desc())
    .limit(1)
)
_STORED_MONTHS = select(
    _cost_month.c.month, _cost_month.c.capacity_basis_kw, _cost_month.c.utility_id, _cost_month.c.bidding_zone
).where(
    _cost_month.c.meter_id == bindparam("meter_id"),
    _cost_month.c.month >= bindparam("first"),
    _cost_month.c.month < bindparam("until"),
)
_DAY_COLUMNS = (
    _cost_day.c.day,
    _cost_day.c.utility_id,
    _cost_day.c.bidding_zone,
    _cost_day.c.priced_hours,
    _cost_day.c.energy_kwh,
    _cost_day.c.vat_kwh,
    _cost_day.c.spot,
    _cost_day.c.grid,
    _cost_day.c.taxes,
)
_STORED_DAYS = select(*_DAY_COLUMNS).where(
    _cost_day.c.meter_id == bindparam("meter_id"),
    _cost_day.c.day >= bindparam("first"),
    _cost_day.c.day < bindparam("until"),
)
_MONTH_COLUMNS = (
    _cost_month.c.month,
    _cost_month.c.utility_id,
    _cost_month.c.bidding_zone,
    _cost_month.c.priced_hours,
    _cost_month.c.energy_kwh,
    _cost_month.c.vat_kwh,
    _cost_month.c.spot,
    _cost_month.c.grid,
    _cost_month.c.taxes,
)
_STORED_MONTH_COSTS = select(*_MONTH_COLUMNS).where(
    _cost_month.c.meter_id == bindparam("meter_id"),
    _cost_month.c.month >= bindparam("first"),
    _cost_month.c.month < bindparam("until"),
)


def cost_point_of(db: Session, meter_id: int) -> CostPoint | None:
    """What the meter's cost is priced for (without a mark-up); None: no customer relationship."""
    row = db.connection().execute(_POINT, {"meter_id": meter_id}).first()
    if row is None:
        return None
    return CostPoint(meter_id, row.utility_id, row.medium, row.bidding_zone or "")


def _store_days(db: Session, point: CostPoint, first: date, last: date, days: dict[date, CostSum]) -> None:
    connection = db.connection()
    connection.execute(
        delete(_cost_day).where(
            _cost_day.c.meter_id == point.meter_id, _cost_day.c.day >= first, _cost_day.c.day <= last
        )
    )
    rows = [
        {
            "meter_id": point.meter_id,
            "day": day,
            "utility_id": point.utility_id,
            "bidding_zone": point.bidding_zone,
            "priced_hours": summed.hours,
            "energy_kwh": summed.energy_kwh,
            "vat_kwh": summed.vat_kwh,
            "spot": summed.spot,
            "grid": summed.grid,
            "taxes": summed.taxes,
        }
        for day, summed in days.items()
        if summed.priced
    ]
    if rows:
        connection.execute(insert(_cost_day), rows)


def _store_months(db: Session, point: CostPoint, months: list[date], bases: dict[date, float | None]) -> None:
    """Each month of ``months`` again, as the sum of its stored days."""
    connection = db.connection()
    first, until = months[0], next_month(months[-1])
    connection.execute(
        delete(_cost_month).where(
            _cost_month.c.meter_id == point.meter_id,
            _cost_month.c.month >= first,
            _cost_month.c.month < until,
        )
    )
    sums: dict[date, list] = {m: [0, ZERO, ZERO, ZERO, ZERO, ZERO] for m in months}
    for row in all_rows(
        connection, _STORED_DAYS, {"meter_id": point.meter_id, "first": first, "until": until}
    ):
        total = sums[row.day.replace(day=1)]
        total[0] += row.priced_hours
        for i, amount in enumerate((row.energy_kwh, row.vat_kwh, row.spot, row.grid, row.taxes), start=1):
            total[i] += amount
    connection.execute(
        insert(_cost_month),
        [
            {
                "meter_id": point.meter_id,
                "month": month,
                "utility_id": point.utility_id,
                "bidding_zone": point.bidding_zone,
                "capacity_basis_kw": bases.get(month),
                "priced_hours": hours,
                "energy_kwh": energy,
                "vat_kwh": vat_kwh,
                "spot": spot,
                "grid": grid,
                "taxes": taxes,
            }
            for month, (hours, energy, vat_kwh, spot, grid, taxes) in sums.items()
        ],
    )


def refresh_costs(
    db: Session,
    meter_id: int,
    first: date,
    last: date,
    *,
    zone: ZoneInfo | None = None,
    spot: Mapping[int, Decimal] | None = None,
) -> None:
    """Recompute the meter's cost of the local days [first, last] and of the months holding them;
    the rest of a month too when its capacity basis (or what it is priced for) is not the one its
    stored days were priced with. Runs in the caller's transaction."""
    zone = zone or local_zone()
    point = cost_point_of(db, meter_id)
    months = months_of(first, last + ONE_DAY)
    if point is None:
        connection = db.connection()
        connection.execute(
            delete(_cost_day).where(
                _cost_day.c.meter_id == meter_id, _cost_day.c.day >= first, _cost_day.c.day <= last
            )
        )
        connection.execute(
            delete(_cost_month).where(
                _cost_month.c.meter_id == meter_id,
                _cost_month.c.month >= months[0],
                _cost_month.c.month < next_month(months[-1]),
            )
        )
        return
    if point.medium == Medium.ELECTRICITY:
        bases = capacity_bases(db, meter_id, months)
    else:
        bases = dict.fromkeys(months)
    stored = {
        row.month: (row.capacity_basis_kw, row.utility_id, row.bidding_zone)
        for row in db.connection().execute(
            _STORED_MONTHS, {"meter_id": meter_id, "first": months[0], "until": next_month(months[-1])}
        )
    }
    for month in months:
        if stored.get(month) != (bases[month], point.utility_id, point.bidding_zone):
            first = min(first, month)
            last = max(last, next_month(month) - ONE_DAY)
    costs = hour_costs(db, point, first, last + ONE_DAY, zone=zone, spot=spot)
    _store_days(db, point, first, last, costs_by_day(costs, first, last + ONE_DAY, zone))
    _store_months(db, point, months, bases)


def refresh_costs_on(connection: Connection, meter_id: int, first: date, last: date) -> None:
    """``refresh_costs`` on a connection's transaction (the ingestion worker's)."""
    with Session(bind=connection) as db:
        refresh_costs(db, meter_id, first, last)


# ---------------------------------------------------------------- changes of prices and tariffs


def _affected(db: Session, changes: Iterable[Change]) -> dict[int, tuple[date, date]]:
    """meter -> the first and last day to recompute: the changed days it has consumption on."""
    found: dict[int, tuple[date, date]] = {}
    for change in changes:
        conditions = [_consumption_day.day >= change.first]
        if change.last is not None:
            conditions.append(_consumption_day.day <= change.last)
        if change.utility_id is not None:
            conditions.append(_relationship.utility_id == change.utility_id)
        if change.bidding_zone is not None:
            conditions.append(_relationship.bidding_zone == change.bidding_zone)
        statement = (
            select(_consumption_day.meter_id, func.min(_consumption_day.day), func.max(_consumption_day.day))
            .join_from(
                ConsumptionDay.__table__,
                CustomerRelationship.__table__,
                _relationship.meter_id == _consumption_day.meter_id,
            )
            .where(and_(*conditions))
            .group_by(_consumption_day.meter_id)
        )
        for meter_id, first, last in db.connection().execute(statement):
            known = found.get(meter_id)
            found[meter_id] = (first, last) if known is None else (min(known[0], first), max(known[1], last))
    return found


def apply_cost_refresh(db: Session) -> None:
    """The scheduled recomputations, now (in ``db``'s transaction)."""
    changes = take_scheduled(db)
    if not changes:
        return
    db.flush()
    _refresh_many(db, _affected(db, changes))


@event.listens_for(OrmSession, "before_commit")
def _refresh_before_commit(session: OrmSession) -> None:
    if has_scheduled(session):
        apply_cost_refresh(session)  # type: ignore[arg-type]


def _refresh_many(db: Session, spans: dict[int, tuple[date, date]]) -> None:
    """``refresh_costs`` of each meter's days [first, last], each bidding zone's spot prices read
    once for all its meters."""
    if not spans:
        return
    zone = local_zone()
    # Wide enough for any month a meter's days reprice (a moved basis reprices a whole month).
    start = local_midnight(min(first for first, _last in spans.values()) - timedelta(days=31), zone)
    end = local_midnight(max(last for _first, last in spans.values()) + timedelta(days=32), zone)
    prices: dict[str, tuple[dict[int, Decimal], date, date]] = {}
    for meter_id, (first, last) in sorted(spans.items()):
        point = cost_point_of(db, meter_id)
        spot = None
        if point is not None and point.medium == Medium.ELECTRICITY:
            if point.bidding_zone not in prices:
                found = spot_prices(db, point.bidding_zone, start, end)
                priced = (
                    (local_day_of(min(found), zone).day, local_day_of(max(found), zone).day)
                    if found
                    else (date.max, date.min)
                )
                prices[point.bidding_zone] = (found, *priced)
            spot, priced_from, priced_to = prices[point.bidding_zone]
            # A day without any spot price has no cost, before and after: only the priced stretch.
            first, last = max(first, priced_from), min(last, priced_to)
            if first > last:
                continue
        refresh_costs(db, meter_id, first, last, zone=zone, spot=spot)


def rebuild_all_costs(db: Session) -> None:
    """Every meter's stored cost again, from its consumption (the backfill, the demo, a repair)."""
    connection = db.connection()
    connection.execute(delete(_cost_day))
    connection.execute(delete(_cost_month))
    spans = connection.execute(
        select(_consumption_day.meter_id, func.min(_consumption_day.day), func.max(_consumption_day.day))
        .where(_consumption_day.energy_kwh.is_not(None))
        .group_by(_consumption_day.meter_id)
    ).all()
    _refresh_many(db, {meter_id: (first, last) for meter_id, first, last in spans})


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class StoredCosts:
    """A meter's stored cost of some periods, priced for ``point``; ``fresh`` False when a row was
    priced for another grid company or zone (the caller prices afresh)."""

    by_period: dict[date, CostSum]
    fresh: bool


def _stored(rows, point: CostPoint, hours_of) -> StoredCosts:  # type: ignore[no-untyped-def]
    found: dict[date, CostSum] = {}
    fresh = True
    for row in rows:
        period = row[0]
        if row.utility_id != point.utility_id or (row.bidding_zone or "") != point.bidding_zone:
            fresh = False
        if row.priced_hours:
            found[period] = CostSum(
                row.spot,
                None,
                row.grid,
                row.taxes,
                row.priced_hours,
                hours_of(period),
                row.energy_kwh,
                row.vat_kwh,
            )
    return StoredCosts(found, fresh)


def stored_day_costs(db: Session, point: CostPoint, first: date, until: date, zone: ZoneInfo) -> StoredCosts:
    """The stored cost of each priced local day of [first, until) (without the mark-up)."""
    rows = all_rows(
        db.connection(), _STORED_DAYS, {"meter_id": point.meter_id, "first": first, "until": until}
    )
    return _stored(rows, point, lambda day: local_day(day, zone).hours)


def stored_month_costs(
    db: Session, point: CostPoint, first: date, until: date, zone: ZoneInfo
) -> StoredCosts:
    """The stored cost of each priced month of [first, until) (first days of months)."""
    rows = all_rows(
        db.connection(), _STORED_MONTH_COSTS, {"meter_id": point.meter_id, "first": first, "until": until}
    )
    return _stored(rows, point, lambda month: month_hours(month, zone))
