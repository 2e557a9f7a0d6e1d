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

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from app.models import (
    ConsumptionDay,
    ConsumptionHour,
    CostDay,
    CostMonth,
    CustomerRelationship,
    Medium,
    Meter,
    SpotPrice,
)
from app.services.consumption.cost import (
    CostPoint,
    CostSum,
    DayRates,
    HourCost,
    PriceBook,
    bases_from_maxima,
    kwh_of,
    local_hours,
    months_of,
    price_day,
    sum_costs,
    sum_day,
)
from app.services.consumption.local_time import (
    HOUR,
    local_day,
    local_day_of,
    local_midnight,
    local_zone,
    month_hours,
    next_month,
)
from app.services.consumption.plain_sql import date_param, insert_rows, placeholder
from app.services.consumption.prices import spot_prices
from app.services.consumption.repricing import Change, has_scheduled, take_scheduled
from app.sql_rows import all_rows

ONE_DAY = timedelta(days=1)
_cost_day = CostDay.__table__
_cost_month = CostMonth.__table__
_relationship = CustomerRelationship.__table__.c
_meter = Meter.__table__.c
_consumption_day = ConsumptionDay.__table__.c

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


_RATE_COLUMNS = (
    "energy_rate_day",
    "energy_rate_night",
    "day_band_from",
    "day_band_to",
    "capacity_kr",
    "fixed_kr",
    "duty_rate",
    "vat_rate",
)
_DAY_RATES = select(
    _cost_day.c.utility_id, _cost_day.c.bidding_zone, *(_cost_day.c[name] for name in _RATE_COLUMNS)
).where(_cost_day.c.meter_id == bindparam("meter_id"), _cost_day.c.day == bindparam("day"))
_POINTS = (
    select(_relationship.meter_id, _relationship.utility_id, _relationship.bidding_zone, _meter.medium)
    .join_from(CustomerRelationship.__table__, Meter.__table__, _meter.id == _relationship.meter_id)
    .where(_relationship.meter_id.in_(bindparam("meter_ids", expanding=True)))
    .order_by(_relationship.meter_id, _relationship.active.desc(), _relationship.id.desc())
)
_MAXIMA = select(
    _consumption_day.meter_id,
    _consumption_day.day,
    _consumption_day.max_hour_start,
    _consumption_day.max_hour_kwh,
).where(
    _consumption_day.meter_id.in_(bindparam("meter_ids", expanding=True)),
    _consumption_day.day >= bindparam("first"),
    _consumption_day.day < bindparam("until"),
)
_MONTHS_OF = select(
    _cost_month.c.meter_id,
    _cost_month.c.month,
    _cost_month.c.capacity_basis_kw,
    _cost_month.c.utility_id,
    _cost_month.c.bidding_zone,
).where(
    _cost_month.c.meter_id.in_(bindparam("meter_ids", expanding=True)),
    _cost_month.c.month >= bindparam("first"),
    _cost_month.c.month < bindparam("until"),
)
# Only placeholder marks are formatted into it.
_ENERGY = (
    "SELECT hour_start, energy_kwh FROM consumption_hour WHERE meter_id = {m} "
    "AND hour_start >= {m} AND hour_start < {m} AND energy_kwh IS NOT NULL"
)
# Meters refreshed together: their points, peaks and stored months read in one statement each,
# their days and months written in one statement each.
_CHUNK = 100


_AMOUNT_COLUMNS = ("priced_hours", "energy_kwh", "vat_kwh", "spot", "grid", "taxes")
_DAY_ROW = ("meter_id", "day", "utility_id", "bidding_zone", *_AMOUNT_COLUMNS, *_RATE_COLUMNS)
_MONTH_ROW = ("meter_id", "month", "utility_id", "bidding_zone", "capacity_basis_kw", *_AMOUNT_COLUMNS)


Exact = Callable[[Decimal], object]


def _exact(connection: Connection) -> Exact:
    """How an exact amount is written by plain SQL: as ``ExactMoney`` writes it (SQLite: text)."""
    return str if connection.dialect.name == "sqlite" else _same


def _same(value: Decimal) -> object:
    return value


def _amounts(summed: CostSum, exact: Exact) -> tuple[object, ...]:
    """The values of ``_AMOUNT_COLUMNS``."""
    return (
        summed.hours,
        exact(summed.energy_kwh),
        exact(summed.vat_kwh),
        exact(summed.spot),
        exact(summed.grid),
        exact(summed.taxes),
    )


def _day_row(
    point: CostPoint, day: object, summed: CostSum, rates: DayRates, exact: Exact
) -> tuple[object, ...]:
    return (
        point.meter_id,
        day,
        point.utility_id,
        point.bidding_zone,
        *_amounts(summed, exact),
        exact(rates.energy_day),
        exact(rates.energy_night),
        rates.day_from_hour,
        rates.day_to_hour,
        exact(rates.capacity_kr),
        exact(rates.fixed_kr),
        exact(rates.duty_rate),
        exact(rates.vat_rate),
    )


def rates_of(row, medium: str, month_hours_: int) -> DayRates | None:  # type: ignore[no-untyped-def]
    """A stored day's ``DayRates`` (None: a row priced before they were kept)."""
    values = [getattr(row, name) for name in _RATE_COLUMNS]
    if any(value is None for value in values):
        return None
    day_rate, night_rate, band_from, band_to, capacity, fixed, duty, vat = values
    return DayRates(
        month_hours_,
        day_rate,
        night_rate,
        band_from,
        band_to,
        capacity,
        fixed,
        duty,
        vat,
        medium == Medium.HEAT,
    )


class _Refresh:
    """Recomputing the stored cost of some days of many meters in one transaction: the tariffs and
    taxes read once (``PriceBook``), each bidding zone's spot prices once when ``spot_span`` is
    given (else each meter's own days'), a chunk of meters' points, peaks and stored months in
    one read each, their rows written in one statement per table."""

    def __init__(
        self,
        db: Session,
        spans: Mapping[int, tuple[date, date]],
        *,
        zone: ZoneInfo,
        spot_span: tuple[int, int] | None,
        spot: Mapping[int, Decimal] | None = None,
        rebuild: bool = False,
    ) -> None:
        self.db = db
        self.connection = db.connection()
        self.spans = spans
        self.zone = zone
        self.spot_span = spot_span
        self.given_spot = spot
        self.rebuild = rebuild  # nothing is stored: no deletes, no stored months to compare
        first = min(first for first, _last in spans.values())
        last = max(last for _first, last in spans.values())
        self.book = PriceBook(db, first.replace(day=1), next_month(last.replace(day=1)), zone)
        self.zone_prices: dict[str, tuple[Mapping[int, Decimal], date, date]] = {}
        self.kwh: dict[float, Decimal] = {}  # one Decimal per distinct stored kWh
        self.energy_statement = _ENERGY.format(m=placeholder(self.connection))

    def run(self) -> None:
        meters = sorted(self.spans)
        for i in range(0, len(meters), _CHUNK):
            self._chunk(meters[i : i + _CHUNK])

    def _zone_prices(self, bidding_zone: str) -> tuple[Mapping[int, Decimal], date, date]:
        found = self.zone_prices.get(bidding_zone)
        if found is None:
            assert self.spot_span is not None
            prices = spot_prices(self.db, bidding_zone, *self.spot_span)
            priced = (
                (local_day_of(min(prices), self.zone).day, local_day_of(max(prices), self.zone).day)
                if prices
                else (date.max, date.min)
            )
            found = self.zone_prices[bidding_zone] = (prices, *priced)
        return found

    def _chunk(self, meters: list[int]) -> None:
        connection = self.connection
        points: dict[int, CostPoint] = {}
        for row in connection.execute(_POINTS, {"meter_ids": meters}):
            if row.meter_id not in points:
                points[row.meter_id] = CostPoint(
                    row.meter_id, row.utility_id, row.medium, row.bidding_zone or ""
                )
        lo = min(self.spans[m][0] for m in meters).replace(day=1)
        hi = next_month(max(self.spans[m][1] for m in meters).replace(day=1))
        window = {"meter_ids": meters, "first": lo, "until": hi}
        maxima: dict[int, list] = defaultdict(list)
        for row in connection.execute(_MAXIMA, window):
            maxima[row.meter_id].append((row.day, row.max_hour_start, row.max_hour_kwh))
        stored: dict[int, dict[date, tuple]] = defaultdict(dict)
        if not self.rebuild:
            for row in connection.execute(_MONTHS_OF, window):
                stored[row.meter_id][row.month] = (row.capacity_basis_kw, row.utility_id, row.bidding_zone)
        cleared: list[tuple[int, date, date]] = []  # days [first, last] of a meter rewritten
        day_rows: list[tuple[object, ...]] = []
        exact = _exact(connection)
        months_of_meter: dict[int, tuple[CostPoint, list[date], dict[date, float | None]]] = {}
        in_memory: dict[tuple[int, date], list[CostSum]] = defaultdict(list)
        for meter_id in meters:
            first, last = self.spans[meter_id]
            point = points.get(meter_id)
            if point is None:
                self._forget(meter_id, first, last)
                continue
            spot = self.given_spot
            if point.medium == Medium.ELECTRICITY and self.spot_span is not None:
                spot, priced_from, priced_to = self._zone_prices(point.bidding_zone)
                # A day without any spot price has no cost, before and after: only the priced stretch.
                first, last = max(first, priced_from), min(last, priced_to)
                if first > last:
                    continue
            months = months_of(first, last + ONE_DAY)
            if point.medium == Medium.ELECTRICITY:
                bases = bases_from_maxima(maxima[meter_id], months)
            else:
                bases = dict.fromkeys(months)
            known = stored[meter_id]
            for month in months:
                if known.get(month) != (bases[month], point.utility_id, point.bidding_zone):
                    first = min(first, month)
                    last = max(last, next_month(month) - ONE_DAY)
            cleared.append((meter_id, first, last))
            months_of_meter[meter_id] = (point, months, bases)
            for day, summed, rates in self._days(point, first, last, bases, spot):
                in_memory[(meter_id, day.replace(day=1))].append(summed)
                day_rows.append(_day_row(point, date_param(connection, day), summed, rates, exact))
            for month in months:
                if not (first <= month and next_month(month) - ONE_DAY <= last):
                    in_memory.pop((meter_id, month), None)  # partly stored: summed from the table
                else:
                    in_memory.setdefault((meter_id, month), [])
        if not self.rebuild:
            for meter_id, first, last in cleared:
                connection.execute(
                    delete(_cost_day).where(
                        _cost_day.c.meter_id == meter_id, _cost_day.c.day >= first, _cost_day.c.day <= last
                    )
                )
        insert_rows(connection, "cost_day", ", ".join(_DAY_ROW), day_rows)
        self._store_months(months_of_meter, in_memory)

    def _days(
        self,
        point: CostPoint,
        first: date,
        last: date,
        bases: Mapping[date, float | None],
        spot: Mapping[int, Decimal] | None,
    ) -> Iterator[tuple[date, CostSum, DayRates]]:
        """Each priced day of [first, last] with its exact sums and the rates it was priced at."""
        priced: list[tuple[date, DayRates]] = []
        day = first
        while day <= last:
            rates = self.book.rates(point, day, bases.get(day.replace(day=1)))
            if rates is not None:
                priced.append((day, rates))
            day += ONE_DAY
        if not priced:
            return
        start = local_midnight(priced[0][0], self.zone)
        end = local_midnight(priced[-1][0] + ONE_DAY, self.zone)
        if spot is None and point.medium == Medium.ELECTRICITY:
            spot = spot_prices(self.db, point.bidding_zone, start, end)
        energy = self._energy(point.meter_id, start, end)
        for day, rates in priced:
            summed = sum_day(rates, local_hours(day, self.zone), energy, spot)
            if summed.priced:
                yield day, summed, rates

    def _energy(self, meter_id: int, start: int, end: int) -> dict[int, Decimal]:
        kwh = self.kwh
        energy = {}
        cursor = self.connection.connection.cursor()
        try:
            cursor.execute(self.energy_statement, (meter_id, start, end))
            rows = cursor.fetchall()
        finally:
            cursor.close()
        for at, value in rows:
            exact = kwh.get(value)
            if exact is None:
                exact = kwh[value] = kwh_of(value)
            energy[at] = exact
        return energy

    def _forget(self, meter_id: int, first: date, last: date) -> None:
        """A meter without a customer relationship has no cost."""
        months = months_of(first, last + ONE_DAY)
        self.connection.execute(
            delete(_cost_day).where(
                _cost_day.c.meter_id == meter_id, _cost_day.c.day >= first, _cost_day.c.day <= last
            )
        )
        self.connection.execute(
            delete(_cost_month).where(
                _cost_month.c.meter_id == meter_id,
                _cost_month.c.month >= months[0],
                _cost_month.c.month < next_month(months[-1]),
            )
        )

    def _store_months(
        self,
        months_of_meter: Mapping[int, tuple[CostPoint, list[date], dict[date, float | None]]],
        in_memory: Mapping[tuple[int, date], list[CostSum]],
    ) -> None:
        """Each month of the meters' spans again, as the sum of its days: those just priced, and
        of a month priced in part, the stored ones."""
        connection = self.connection
        exact = _exact(connection)
        rows: list[tuple[object, ...]] = []
        for meter_id, (point, months, bases) in months_of_meter.items():
            first, until = months[0], next_month(months[-1])
            if not self.rebuild:
                connection.execute(
                    delete(_cost_month).where(
                        _cost_month.c.meter_id == meter_id,
                        _cost_month.c.month >= first,
                        _cost_month.c.month < until,
                    )
                )
            sums = {month: in_memory.get((meter_id, month)) for month in months}
            partly = [month for month, days in sums.items() if days is None]
            if partly:
                read: dict[date, list[CostSum]] = defaultdict(list)
                params = {"meter_id": meter_id, "first": partly[0], "until": next_month(partly[-1])}
                for row in all_rows(connection, _STORED_DAYS, params):
                    read[row.day.replace(day=1)].append(
                        CostSum(
                            row.spot,
                            None,
                            row.grid,
                            row.taxes,
                            row.priced_hours,
                            0,
                            row.energy_kwh,
                            row.vat_kwh,
                        )
                    )
                for month in partly:
                    sums[month] = read.get(month, [])
            for month in months:
                summed = sum_costs(sums[month] or ())
                month_param = date_param(connection, month)
                amounts = _amounts(summed, exact)
                rows.append(
                    (meter_id, month_param, point.utility_id, point.bidding_zone, bases.get(month), *amounts)
                )
        insert_rows(connection, "cost_month", ", ".join(_MONTH_ROW), rows)


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
    stored days were priced with. Runs in the caller's transaction. ``spot``: the zone's prices
    already read, covering those months."""
    _Refresh(db, {meter_id: (first, last)}, zone=zone or local_zone(), spot_span=None, spot=spot).run()


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


def _refresh_many(db: Session, spans: dict[int, tuple[date, date]], *, rebuild: bool = False) -> None:
    """``refresh_costs`` of each meter's days [first, last], each bidding zone's spot prices read
    once for all its meters, only the stretch of days that has spot prices."""
    if not spans:
        return
    zone = local_zone()
    # Wide enough for any month a meter's days reprice (a moved basis reprices a whole month).
    start = local_midnight(min(first for first, _last in spans.values()) - timedelta(days=31), zone)
    end = local_midnight(max(last for _first, last in spans.values()) + timedelta(days=32), zone)
    _Refresh(db, spans, zone=zone, spot_span=(start, end), rebuild=rebuild).run()


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
    _refresh_many(db, {meter_id: (first, last) for meter_id, first, last in spans}, rebuild=True)


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


_spot = SpotPrice.__table__.c
_hour = ConsumptionHour.__table__.c
# A day's hours with the zone's spot price of each: one primary-key range and a lookup per hour.
_DAY_HOURS = (
    select(_hour.hour_start, _hour.energy_kwh, _spot.kr_per_kwh)
    .select_from(
        ConsumptionHour.__table__.outerjoin(
            SpotPrice.__table__,
            and_(_spot.zone == bindparam("zone"), _spot.hour_start == _hour.hour_start),
        )
    )
    .where(
        _hour.meter_id == bindparam("meter_id"),
        _hour.hour_start >= bindparam("start"),
        _hour.hour_start < bindparam("end"),
        _hour.energy_kwh.is_not(None),
    )
)


def stored_day_hours(db: Session, point: CostPoint, day: date, zone: ZoneInfo) -> dict[int, HourCost] | None:
    """The cost of each priced hour of ``day``, priced from the rates its stored row was priced at,
    the hours' kWh and the zone's spot prices (two short reads): what ``hour_costs`` gives for the
    day. None when the row cannot say (no row, one priced before the rates were kept, or for
    another grid company or zone): the caller prices the day afresh."""
    connection = db.connection()
    row = connection.execute(_DAY_RATES, {"meter_id": point.meter_id, "day": day}).first()
    if row is None or row.utility_id != point.utility_id or (row.bidding_zone or "") != point.bidding_zone:
        return None
    rates = rates_of(row, point.medium, month_hours(day.replace(day=1), zone))
    if rates is None:
        return None
    hours = local_hours(day, zone)
    params = {
        "meter_id": point.meter_id,
        "zone": point.bidding_zone,
        "start": hours[0][0],
        "end": hours[-1][0] + HOUR,
    }
    energy: dict[int, Decimal] = {}
    spot: dict[int, Decimal] = {}
    for at, kwh, price in all_rows(connection, _DAY_HOURS, params):
        energy[at] = kwh_of(kwh)
        if price is not None:
            spot[at] = price
    return {cost.start: cost for cost in price_day(rates, hours, energy, spot, point.markup_kr_per_kwh)}
