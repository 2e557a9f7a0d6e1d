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
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import ConsumptionDay, ConsumptionHour, Medium, TaxKind, TimeBand
from app.services.consumption.capacity_tariff import CapacityStep, capacity_basis_from_days
from app.services.consumption.local_time import HOUR, local_midnight, local_zone, month_hours, next_month
from app.services.consumption.prices import spot_prices
from app.services.consumption.tariffs import (
    GridTariff,
    HeatTariff,
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
ONE_DAY = timedelta(days=1)


def months_of(first: date, until: date) -> list[date]:
    """The first days of the months that hold a day of [first, until)."""
    months, month = [], first.replace(day=1)
    while month < until:
        months.append(month)
        month = next_month(month)
    return months


def kwh_of(value: float) -> Decimal:
    """A stored kWh (a float with six decimals) as the exact decimal the cost is computed with."""
    return Decimal(repr(value))


def energy_by_hour(db: Session, meter_id: int, start: int, end: int) -> dict[int, Decimal]:
    """The meter's kWh of each hour of [start, end) that has one, by hour start."""
    rows = all_rows(db.connection(), _HOURS, {"meter_id": meter_id, "start": start, "end": end})
    return {row.hour_start: kwh_of(row.energy_kwh) for row in rows}


@lru_cache(maxsize=4096)
def local_hours(day: date, zone: ZoneInfo) -> tuple[tuple[int, int], ...]:
    """(UTC start, local hour of day) of each hour of the local day: 23, 24 or 25 of them."""
    start, end = local_midnight(day, zone), local_midnight(day + ONE_DAY, zone)
    if end - start == 24 * HOUR:
        return tuple((start + h * HOUR, h) for h in range(24))
    return tuple((t, datetime.fromtimestamp(t, zone).hour) for t in range(start, end, HOUR))


@dataclass(frozen=True)
class DayRates:
    """What every hour of one local day is priced at, but its kWh and spot price: worked out once
    per day (``PriceBook.rates``) and stored beside the day's sums (``cost_day``), so that the
    day's hours can be priced again from their kWh and spot prices alone, as every hour of it
    was priced (the kr day view, and today in the current month's estimate).

    Electricity: the grid tariff's energy part of the day's season in the day band (local hours
    [day_from_hour, day_to_hour); a weekend priced as night has (0, 0)) and outside it; the
    month's capacity step and the fixed part (kr/month: each hour bears 1/``month_hours`` of
    them); electricity tax + Enova fee (kr/kWh); VAT. Heat: ``energy_day`` is the price per MWh,
    ``fixed_kr`` its fixed part; capacity and duties are 0.
    """

    month_hours: int
    energy_day: Decimal
    energy_night: Decimal
    day_from_hour: int
    day_to_hour: int
    capacity_kr: Decimal
    fixed_kr: Decimal
    duty_rate: Decimal
    vat_rate: Decimal
    heat: bool = False
    # Each hour's share of the capacity step and of the fixed part (worked out once).
    capacity_share: Decimal = field(init=False, repr=False, compare=False)
    fixed_share: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacity_share", self.capacity_kr / self.month_hours)
        object.__setattr__(self, "fixed_share", self.fixed_kr / self.month_hours)

    def price(
        self, kwh: Decimal, spot: Decimal | None, local_hour: int, markup: Decimal | None
    ) -> tuple[Decimal, Decimal | None, Decimal, Decimal]:
        """One hour's spot (heat: energy), mark-up, grid and taxes parts, exact: the pricing rule
        of the module's text, the one place it is written."""
        if self.heat:
            heat = kwh * self.energy_day / 1000
            fixed = self.fixed_share
            return heat, None, fixed, self.vat_rate * (heat + fixed)
        assert spot is not None
        in_day_band = self.day_from_hour <= local_hour < self.day_to_hour
        rate = self.energy_day if in_day_band else self.energy_night
        spot_kr = kwh * spot
        markup_kr = None if markup is None else kwh * markup
        grid = kwh * rate + self.capacity_share + self.fixed_share
        duties = kwh * self.duty_rate
        vat_kr = self.vat_rate * (spot_kr + (markup_kr or ZERO) + grid + duties)
        return spot_kr, markup_kr, grid, duties + vat_kr


def price_day(
    rates: DayRates,
    hours: Iterable[tuple[int, int]],
    energy: Mapping[int, Decimal],
    spot: Mapping[int, Decimal] | None,
    markup: Decimal | None,
) -> list[HourCost]:
    """The cost of each priced hour of a day (``hours``: ``local_hours``): an hour without kWh or,
    for electricity, without a spot price is a gap."""
    costs = []
    for at, local_hour in hours:
        kwh = energy.get(at)
        if kwh is None:
            continue
        price = None
        if not rates.heat:
            price = None if spot is None else spot.get(at)
            if price is None:
                continue
        parts = rates.price(kwh, price, local_hour, markup)
        costs.append(HourCost(at, kwh, *parts, rates.vat_rate))
    return costs


def sum_day(
    rates: DayRates,
    hours: tuple[tuple[int, int], ...],
    energy: Mapping[int, Decimal],
    spot: Mapping[int, Decimal] | None,
) -> CostSum:
    """``sum_costs(price_day(...), len(hours))`` without a mark-up, without an object per hour
    (the roll-ups price a year of hours per meter): the same sums, added in the same order."""
    spot_sum = grid_sum = taxes_sum = energy_sum = vat_kwh = ZERO
    priced = 0
    vat_rate = rates.vat_rate
    price = rates.price
    heat = rates.heat
    for at, local_hour in hours:
        kwh = energy.get(at)
        if kwh is None:
            continue
        hour_price = None
        if not heat:
            hour_price = None if spot is None else spot.get(at)
            if hour_price is None:
                continue
        spot_kr, _markup, grid, taxes = price(kwh, hour_price, local_hour, None)
        spot_sum += spot_kr
        grid_sum += grid
        taxes_sum += taxes
        energy_sum += kwh
        vat_kwh += vat_rate * kwh
        priced += 1
    return CostSum(spot_sum, None, grid_sum, taxes_sum, priced, len(hours), energy_sum, vat_kwh)


class PriceBook:
    """The tariffs, taxes and heat prices of the months holding [first, until), each read once
    (per grid or heat company when first asked), and what a day of a metering point is priced at:
    ``rates``, worked out once per company and day (and capacity step), shared by its meters."""

    def __init__(self, db: Session, first: date, until: date, zone: ZoneInfo) -> None:
        months = months_of(first, until)
        self._db = db
        self._first, self._until = months[0], next_month(months[-1])
        self._zone = zone
        self._taxes = tax_rates(db, first, until)
        self._grid: dict[int, list[GridTariff]] = {}
        self._heat: dict[int, list[HeatTariff]] = {}
        self._hours_in: dict[date, int] = {}
        self._days: dict[tuple[int, str, date], tuple | None] = {}
        self._rates: dict[tuple, DayRates] = {}

    def _month_hours(self, month: date) -> int:
        hours = self._hours_in.get(month)
        if hours is None:
            hours = self._hours_in[month] = month_hours(month, self._zone)
        return hours

    def rates(self, point: CostPoint, day: date, basis_kw: float | None) -> DayRates | None:
        """What ``day`` of ``point`` is priced at (``basis_kw``: its month's capacity basis);
        None when anything it needs is not known: the day's hours are then gaps."""
        key = (point.utility_id, point.medium, day)
        if key not in self._days:
            self._days[key] = self._day(point, day)
        parts = self._days[key]
        if parts is None:
            return None
        if point.medium == Medium.HEAT:
            return parts[0]
        tariff, rest = parts
        if basis_kw is None:
            return None
        step = tariff.step_for(basis_kw)
        if step is None or step.monthly_kr is None:
            return None
        rates_key = (*rest, step.monthly_kr)
        rates = self._rates.get(rates_key)
        if rates is None:
            n, day_rate, night_rate, band_from, band_to, fixed, duty, vat = rest
            rates = DayRates(n, day_rate, night_rate, band_from, band_to, step.monthly_kr, fixed, duty, vat)
            self._rates[rates_key] = rates
        return rates

    def _day(self, point: CostPoint, day: date) -> tuple | None:
        n = self._month_hours(day.replace(day=1))
        vat = self._taxes.rate_on(TaxKind.VAT, day)
        if vat is None:
            return None
        if point.medium == Medium.HEAT:
            if point.utility_id not in self._heat:
                self._heat[point.utility_id] = heat_prices(
                    self._db, point.utility_id, self._first, self._until
                )
            price = _holding(self._heat[point.utility_id], day)
            if price is None:
                return None
            heat = DayRates(
                n, price.kr_per_mwh, price.kr_per_mwh, 0, 0, ZERO, price.fixed_monthly_kr, ZERO, vat, True
            )
            return (heat,)
        if point.utility_id not in self._grid:
            self._grid[point.utility_id] = grid_tariffs(self._db, point.utility_id, self._first, self._until)
        tariff = _holding(self._grid[point.utility_id], day)
        el_tax = self._taxes.rate_on(TaxKind.ELECTRICITY_TAX, day)
        enova = self._taxes.rate_on(TaxKind.ENOVA_FEE, day)
        if tariff is None or not tariff.priced or tariff.fixed_monthly_kr is None:
            return None
        if el_tax is None or enova is None:
            return None
        season = tariff.season_of(datetime.combine(day, datetime.min.time()))
        day_rate = tariff.energy_rates.get((season, TimeBand.DAY))
        night_rate = tariff.energy_rates.get((season, TimeBand.NIGHT))
        if day_rate is None or night_rate is None:
            return None
        weekend_night = tariff.weekend_is_night and day.weekday() >= 5
        band = (0, 0) if weekend_night else (tariff.day_from_hour, tariff.day_to_hour)
        return tariff, (n, day_rate, night_rate, *band, tariff.fixed_monthly_kr, el_tax + enova, vat)


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
    read (by hour start, covering the days)."""
    zone = zone or local_zone()
    start, end = local_midnight(first, zone), local_midnight(until, zone)
    energy = energy_by_hour(db, point.meter_id, start, end)
    if not energy:
        return {}
    book = PriceBook(db, first, until, zone)
    bases: Mapping[date, float | None] = {}
    if point.medium != Medium.HEAT:
        bases = capacity_bases(db, point.meter_id, months_of(first, until))
        if spot is None:
            spot = spot_prices(db, point.bidding_zone, start, end)
    costs: dict[int, HourCost] = {}
    day = first
    while day < until:
        rates = book.rates(point, day, bases.get(day.replace(day=1)))
        if rates is not None:
            for hour in price_day(rates, local_hours(day, zone), energy, spot, point.markup_kr_per_kwh):
                costs[hour.start] = hour
        day += ONE_DAY
    return costs


def capacity_bases(db: Session, meter_id: int, months: list[date]) -> dict[date, float | None]:
    """Each month's capacity basis (kW, the mean of its three highest daily peaks; None: no
    consumption), from the daily roll-ups."""
    params = {"meter_id": meter_id, "first": months[0], "until": next_month(months[-1])}
    return bases_from_maxima(all_rows(db.connection(), _DAY_MAXIMA, params), months)


def bases_from_maxima(rows: Iterable, months: list[date]) -> dict[date, float | None]:  # type: ignore[type-arg]
    """``capacity_bases`` from rows of (day, max_hour_start, max_hour_kwh)."""
    maxima: dict[date, list[tuple[int | None, float | None]]] = defaultdict(list)
    for day, at, kwh in rows:
        maxima[day.replace(day=1)].append((at, kwh))
    return {m: capacity_basis_from_days(m, maxima.get(m, []), [_ANY_STEP]).basis_kw for m in months}


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
