"""What an hour of consumption costs, in kroner, by component (issue 26).

For electricity, the hour [t, t + 1 h) of local day d in local month m (N hours: 743, 744 or 745
in the DST months):

    spot    = kWh x spot price of the hour (the metering point's bidding zone)
    markup  = kWh x the supplier's mark-up, when known (shown apart; none when not known)
    grid    = kWh x the grid tariff's energy part for the hour's season and time band
              + the month's capacity step price / N + the fixed part / N
              (each from the tariff period in force on day d: a month spanning a change is
              priced day by day; the step is the one the month's basis, the three highest daily
              peaks, falls in, placed in day d's period's steps)
    taxes   = kWh x (electricity tax + Enova fee) of day d
              + VAT of day d x (spot + markup + grid + electricity tax + Enova fee)

For district heating: energy = MWh x the price per MWh, grid = the fixed part / N, taxes = VAT on
both. Every price is data with a validity period (app/services/consumption/tariffs.py).

Gaps, never zero: an hour without consumption, without a spot price, without a priced tariff
period or without a tax rate has no cost at all (it is left out, and the period it belongs to is
marked as partial); no kroner are invented.

Money is ``Decimal`` throughout, never float. Rounding: every hour's components are kept exact
(28 significant digits); a shown amount (an hour, a day, a month, a year, each component and
the total) is the exact sum of its hours rounded half-up to the øre once, so a day's total is
not the sum of its rounded hours and may differ from it by a few øre.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import ConsumptionDay, ConsumptionHour, Medium, TaxKind
from app.services.consumption.capacity_tariff import CapacityStep, capacity_basis_from_days
from app.services.consumption.local_time import HOUR, local_midnight, local_zone, month_hours, next_month
from app.services.consumption.prices import spot_prices
from app.services.consumption.tariffs import (
    GridTariff,
    HeatTariff,
    TaxRates,
    grid_tariffs,
    heat_prices,
    tax_rates,
)
from app.sql_rows import all_rows

ORE = Decimal("0.01")
ZERO = Decimal(0)
COMPONENTS = ("spot", "markup", "grid", "taxes")


def to_ore(amount: Decimal) -> Decimal:
    """An exact amount as shown: half-up to the øre."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostPoint:
    """Where the cost is asked for: a meter, its company, medium, bidding zone and mark-up."""

    meter_id: int
    utility_id: int
    medium: str
    bidding_zone: str = ""
    markup_kr_per_kwh: Decimal | None = None


@dataclass(frozen=True)
class HourCost:
    """One hour's exact cost by component, kr including VAT in ``taxes``."""

    start: int
    energy_kwh: Decimal
    spot: Decimal  # electricity: the spot price part; heat: the energy price part
    markup: Decimal | None
    grid: Decimal
    taxes: Decimal
    vat_rate: Decimal = ZERO  # of the hour's day (what a mark-up added later bears)
    hours = 1  # summed as a period's priced hours are

    @property
    def vat_kwh(self) -> Decimal:
        return self.vat_rate * self.energy_kwh

    @property
    def total(self) -> Decimal:
        return self.spot + (self.markup or ZERO) + self.grid + self.taxes


@dataclass(frozen=True)
class CostSum:
    """The exact sum of a period's priced hours; ``hours`` of ``period_hours`` had a cost."""

    spot: Decimal = ZERO
    markup: Decimal | None = None
    grid: Decimal = ZERO
    taxes: Decimal = ZERO
    hours: int = 0
    period_hours: int = 0
    energy_kwh: Decimal = ZERO
    vat_kwh: Decimal = ZERO  # sum of each priced hour's kWh x its VAT rate

    @property
    def total(self) -> Decimal:
        return self.spot + (self.markup or ZERO) + self.grid + self.taxes

    @property
    def priced(self) -> bool:
        return self.hours > 0

    @property
    def complete(self) -> bool:
        return self.hours == self.period_hours and self.hours > 0

    def shown(self) -> dict[str, Decimal | None]:
        """Each component and the total, rounded half-up to the øre (None: no cost at all)."""
        if not self.priced:
            return {name: None for name in (*COMPONENTS, "total")}
        markup = None if self.markup is None else to_ore(self.markup)
        return {
            "spot": to_ore(self.spot),
            "markup": markup,
            "grid": to_ore(self.grid),
            "taxes": to_ore(self.taxes),
            "total": to_ore(self.total),
        }


def sum_costs(parts: Iterable[HourCost | CostSum], period_hours: int = 0) -> CostSum:
    """The exact sum of priced hours, or of periods' sums (a month of days, a year of months)."""
    spot = grid = taxes = energy = vat_kwh = ZERO
    markup: Decimal | None = None
    hours = 0
    for part in parts:
        spot += part.spot
        grid += part.grid
        taxes += part.taxes
        energy += part.energy_kwh
        vat_kwh += part.vat_kwh
        hours += part.hours
        if part.markup is not None:
            markup = (markup or ZERO) + part.markup
    return CostSum(spot, markup, grid, taxes, hours, period_hours, energy, vat_kwh)


def with_markup(summed: CostSum, markup_kr_per_kwh: Decimal | None) -> CostSum:
    """A sum priced without a mark-up, with the supplier's mark-up added: kWh x mark-up apart, and
    the VAT it bears in taxes (what pricing each hour with it gives)."""
    if markup_kr_per_kwh is None or not summed.priced:
        return summed
    return replace(
        summed,
        markup=summed.energy_kwh * markup_kr_per_kwh,
        taxes=summed.taxes + summed.vat_kwh * markup_kr_per_kwh,
    )


_hour = ConsumptionHour.__table__.c
_HOURS = (
    select(_hour.hour_start, _hour.energy_kwh)
    .where(
        _hour.meter_id == bindparam("meter_id"),
        _hour.hour_start >= bindparam("start"),
        _hour.hour_start < bindparam("end"),
        _hour.energy_kwh.is_not(None),
    )
    .order_by(_hour.hour_start)
)
_day = ConsumptionDay.__table__.c
_DAY_MAXIMA = select(_day.day, _day.max_hour_start, _day.max_hour_kwh).where(
    _day.meter_id == bindparam("meter_id"),
    _day.day >= bindparam("first"),
    _day.day < bindparam("until"),
)


def months_of(first: date, until: date) -> list[date]:
    """The first days of the months that hold a day of [first, until)."""
    months, month = [], first.replace(day=1)
    while month < until:
        months.append(month)
        month = next_month(month)
    return months


def hour_costs(
    db: Session,
    point: CostPoint,
    first: date,
    until: date,
    *,
    zone: ZoneInfo | None = None,
    spot: Mapping[int, Decimal] | None = None,
) -> dict[int, HourCost]:
    """The cost of every priced hour of the local days [first, until), by hour start (UTC epoch).
    Hours that are gaps (see the module's text) are absent. ``spot``: the zone's prices already
    read (by hour start, covering the days), as a rebuild of many meters passes them."""
    zone = zone or local_zone()
    start, end = local_midnight(first, zone), local_midnight(until, zone)
    months = months_of(first, until)
    month_first, month_until = months[0], next_month(months[-1])
    energy = {
        row.hour_start: Decimal(repr(row.energy_kwh))
        for row in all_rows(db.connection(), _HOURS, {"meter_id": point.meter_id, "start": start, "end": end})
    }
    if not energy:
        return {}
    taxes = tax_rates(db, first, until)
    hours_in = {m: month_hours(m, zone) for m in months}
    costs: dict[int, HourCost] = {}
    if point.medium == Medium.HEAT:
        prices = heat_prices(db, point.utility_id, first, until)
        for at, kwh in energy.items():
            local = datetime.fromtimestamp(at, zone)
            day = local.date()
            price = _holding(prices, day)
            vat = taxes.rate_on(TaxKind.VAT, day)
            if price is None or vat is None:
                continue
            n = hours_in[day.replace(day=1)]
            heat = kwh * price.kr_per_mwh / 1000
            fixed = price.fixed_monthly_kr / n
            costs[at] = HourCost(at, kwh, heat, None, fixed, vat * (heat + fixed), vat)
        return costs
    if spot is None:
        spot = spot_prices(db, point.bidding_zone, start, end)
    tariffs = grid_tariffs(db, point.utility_id, month_first, month_until)
    basis_kw = capacity_bases(db, point.meter_id, months)
    markup = point.markup_kr_per_kwh
    # What holds for a whole local day, worked out once per day (a year is 365 days, 8760 hours).
    per_day: dict[date, tuple[GridTariff, Decimal, Decimal, Decimal, Decimal] | None] = {}
    for at, kwh in energy.items():
        price = spot.get(at)
        if price is None:
            continue
        local = datetime.fromtimestamp(at, zone)
        day = local.date()
        if day not in per_day:
            per_day[day] = _day_parts(day, tariffs, basis_kw, taxes, hours_in)
        parts = per_day[day]
        if parts is None:
            continue
        tariff, capacity_share, fixed_share, duty_rate, vat = parts
        rate = tariff.energy_rate_at(local)
        if rate is None:
            continue
        spot_kr = kwh * price
        markup_kr = None if markup is None else kwh * markup
        grid = kwh * rate + capacity_share + fixed_share
        duties = kwh * duty_rate
        vat_kr = vat * (spot_kr + (markup_kr or ZERO) + grid + duties)
        costs[at] = HourCost(at, kwh, spot_kr, markup_kr, grid, duties + vat_kr, vat)
    return costs


def capacity_bases(db: Session, meter_id: int, months: list[date]) -> dict[date, float | None]:
    """Each month's capacity basis (kW, the mean of its three highest daily peaks; None: no
    consumption), from the daily roll-ups."""
    maxima: dict[date, list[tuple[int | None, float | None]]] = defaultdict(list)
    params = {"meter_id": meter_id, "first": months[0], "until": next_month(months[-1])}
    for row in all_rows(db.connection(), _DAY_MAXIMA, params):
        maxima[row.day.replace(day=1)].append((row.max_hour_start, row.max_hour_kwh))
    return {m: capacity_basis_from_days(m, maxima.get(m, []), [_ANY_STEP]).basis_kw for m in months}


def _day_parts(
    day: date,
    tariffs: list[GridTariff],
    basis_kw: Mapping[date, float | None],
    taxes: TaxRates,
    hours_in: Mapping[date, int],
) -> tuple[GridTariff, Decimal, Decimal, Decimal, Decimal] | None:
    """A day's tariff, its hourly shares of the capacity step and the fixed part, the duties per
    kWh and VAT; None when any of them is not known (the day's hours are then gaps)."""
    month = day.replace(day=1)
    tariff = _holding(tariffs, day)
    basis = basis_kw.get(month)
    if tariff is None or not tariff.priced or basis is None or tariff.fixed_monthly_kr is None:
        return None
    step = tariff.step_for(basis)
    el_tax = taxes.rate_on(TaxKind.ELECTRICITY_TAX, day)
    enova = taxes.rate_on(TaxKind.ENOVA_FEE, day)
    vat = taxes.rate_on(TaxKind.VAT, day)
    if step is None or step.monthly_kr is None or el_tax is None or enova is None or vat is None:
        return None
    n = hours_in[month]
    return tariff, step.monthly_kr / n, tariff.fixed_monthly_kr / n, el_tax + enova, vat


# The basis only is wanted here: the step is placed in each day's own period's steps.
_ANY_STEP = CapacityStep(0.0, None)


def _holding(periods: Iterable[GridTariff | HeatTariff], day: date):  # type: ignore[no-untyped-def]
    for period in periods:
        if period.holds(day):
            return period
    return None


def costs_by_day(
    costs: Mapping[int, HourCost], first: date, until: date, zone: ZoneInfo | None = None
) -> dict[date, CostSum]:
    """Each local day of [first, until) with the sum of its priced hours."""
    zone = zone or local_zone()
    days: dict[date, CostSum] = {}
    day = first
    while day < until:
        start, end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
        days[day] = sum_costs(
            (costs[t] for t in range(start, end, HOUR) if t in costs), (end - start) // HOUR
        )
        day += timedelta(days=1)
    return days


def costs_by_month(
    costs: Mapping[int, HourCost], months: Iterable[date], zone: ZoneInfo | None = None
) -> dict[date, CostSum]:
    zone = zone or local_zone()
    result: dict[date, CostSum] = {}
    for month in months:
        start, end = local_midnight(month, zone), local_midnight(next_month(month), zone)
        result[month] = sum_costs((c for t, c in costs.items() if start <= t < end), (end - start) // HOUR)
    return result


@dataclass(frozen=True)
class MonthEstimate:
    """The current month: its cost so far and an estimate for the whole month."""

    so_far: CostSum
    estimate: Decimal | None  # kr, rounded to the øre
    elapsed_hours: int
    month_hours: int


def month_estimate(
    db: Session, point: CostPoint, month: date, now: datetime, zone: ZoneInfo | None = None
) -> MonthEstimate:
    """Cost so far in ``month`` (its priced hours before ``now``) and an estimate for the whole
    month: so far x the month's hours / the priced hours, i.e. the hours so far stand for the rest
    of the month (their share of the fixed part and the capacity step included, so the estimate
    carries the whole month's fixed parts). None before any priced hour."""
    zone = zone or local_zone()
    first = month.replace(day=1)
    until = min(next_month(first), now.astimezone(zone).date() + timedelta(days=1))
    costs = hour_costs(db, point, first, until, zone=zone)
    now_epoch = int(now.timestamp())
    return estimate_from(sum_costs([c for t, c in costs.items() if t < now_epoch]), first, now, zone)


def estimate_from(so_far: CostSum, month: date, now: datetime, zone: ZoneInfo) -> MonthEstimate:
    """The estimate of ``month_estimate`` from the sum of the month's priced hours before ``now``."""
    start = local_midnight(month, zone)
    total_hours = month_hours(month, zone)
    elapsed_hours = max(0, min(total_hours, (int(now.timestamp()) - start) // HOUR))
    so_far = replace(so_far, period_hours=elapsed_hours)
    if not so_far.priced:
        return MonthEstimate(so_far, None, elapsed_hours, total_hours)
    estimate = to_ore(so_far.total * total_hours / so_far.hours)
    return MonthEstimate(so_far, estimate, elapsed_hours, total_hours)
