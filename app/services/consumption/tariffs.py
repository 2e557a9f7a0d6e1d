"""Tariffs, taxes and district-heating prices as data with validity periods (issues 24 and 26).

Reading: ``grid_tariffs`` / ``grid_tariff_on`` (a grid company's periods with their capacity steps
and energy rates), ``tax_rates`` (electricity tax, Enova fee, VAT), ``heat_prices``; all return
plain frozen values the cost calculation and the charts use without further queries.

Changing: ``add_tariff_period``, ``add_tax_rate``, ``add_heat_price`` take the form's fields as
typed (text or values), validate each field (``FieldErrors`` naming every wrong field), and
append a period from a date: the period in force then gets that date as its end. Nothing of a day
already begun is ever changed: a person's change takes effect tomorrow at the earliest, and only
the command line may load a history of earlier periods (in order, each after the last). Every
change is audited with who, when, and the old and new value. ``withdraw_tariff_period`` removes a
period that has not begun yet and gives the one before it back its former end.

Listing: ``list_tariff_periods``, ``list_tax_rates``, ``list_heat_prices`` are server-paged,
newest first.

Who may change what: the platform administrator and the command line any company's tariffs; a
grid-company administrator (role ``grid_admin``) only their own company's; taxes are national and
only the administrator and the command line set them. Every other caller is refused and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import local_now
from app.models import (
    HeatPrice,
    Organisation,
    OrganisationKind,
    Role,
    Season,
    TariffCapacityStep,
    TariffEnergyRate,
    TariffPeriod,
    TaxKind,
    TaxRate,
    TimeBand,
)
from app.services.access import refuse
from app.services.audit import record_audit
from app.services.caller import CLI_ROLE, Caller
from app.services.consumption.capacity_tariff import (
    CapacityStep,
    default_capacity_steps,
    steps_from_bounds,
)
from app.services.consumption.local_time import local_zone, next_month
from app.services.consumption.repricing import schedule_cost_refresh
from app.services.form_errors import FieldErrors
from app.services.paging import Page, page_window

# The grid-company administrator (issue 24): their own company's tariffs only.
GRID_ADMIN_ROLE = Role.GRID_ADMIN
PAGE_SIZE = 20
MAX_MONTHLY_KR = Decimal("100000")
MAX_KR_PER_KWH = Decimal("100")
MAX_KR_PER_MWH = Decimal("100000")
MAX_STEPS = 30
ENERGY_FIELDS: dict[str, tuple[Season, TimeBand]] = {
    "energy_winter_day": (Season.WINTER, TimeBand.DAY),
    "energy_winter_night": (Season.WINTER, TimeBand.NIGHT),
    "energy_summer_day": (Season.SUMMER, TimeBand.DAY),
    "energy_summer_night": (Season.SUMMER, TimeBand.NIGHT),
}


# ---------------------------------------------------------------- values read


@dataclass(frozen=True)
class CapacityStepPrice:
    lower_kw: Decimal
    upper_kw: Decimal | None  # None: the open-ended top step
    monthly_kr: Decimal | None  # None: imported without a price (the old environment setting)

    def holds(self, basis_kw: Decimal) -> bool:
        return basis_kw >= self.lower_kw and (self.upper_kw is None or basis_kw < self.upper_kw)


@dataclass(frozen=True)
class GridTariff:
    """One period of a grid company's electricity tariff, with everything the cost needs."""

    id: int
    utility_id: int
    valid_from: date
    valid_to: date | None
    fixed_monthly_kr: Decimal | None
    day_from_hour: int
    day_to_hour: int
    weekend_is_night: bool
    winter_months: frozenset[int]
    steps: tuple[CapacityStepPrice, ...]
    energy_rates: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def holds(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def season_of(self, local: datetime) -> Season:
        return Season.WINTER if local.month in self.winter_months else Season.SUMMER

    def band_of(self, local: datetime) -> TimeBand:
        """The time band of the hour starting at ``local`` (the utility's local time)."""
        if self.weekend_is_night and local.weekday() >= 5:
            return TimeBand.NIGHT
        return TimeBand.DAY if self.day_from_hour <= local.hour < self.day_to_hour else TimeBand.NIGHT

    def energy_rate_at(self, local: datetime) -> Decimal | None:
        """kr/kWh of the energy part for the hour starting at ``local``; None when not set."""
        return self.energy_rates.get((self.season_of(local), self.band_of(local)))

    def step_for(self, basis_kw: Decimal | float) -> CapacityStepPrice | None:
        basis = Decimal(str(basis_kw))
        for step in self.steps:
            if step.holds(basis):
                return step
        return self.steps[0] if self.steps and basis < self.steps[0].lower_kw else None

    def capacity_steps(self) -> list[CapacityStep]:
        """The steps as the capacity-tariff basis draws them (kW bounds)."""
        return [
            CapacityStep(float(s.lower_kw), None if s.upper_kw is None else float(s.upper_kw))
            for s in self.steps
        ]

    @property
    def priced(self) -> bool:
        """Whether every part has a price (a period imported from the environment has none)."""
        return (
            self.fixed_monthly_kr is not None
            and all(s.monthly_kr is not None for s in self.steps)
            and len(self.energy_rates) == len(ENERGY_FIELDS)
        )


@dataclass(frozen=True)
class RatePeriod:
    id: int
    valid_from: date
    valid_to: date | None
    rate: Decimal

    def holds(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class TaxRates:
    """The national taxes and fees of a stretch of days, by kind."""

    periods: Mapping[str, tuple[RatePeriod, ...]]

    def rate_on(self, kind: TaxKind | str, day: date) -> Decimal | None:
        for period in self.periods.get(str(kind), ()):
            if period.holds(day):
                return period.rate
        return None


@dataclass(frozen=True)
class HeatTariff:
    id: int
    utility_id: int
    valid_from: date
    valid_to: date | None
    kr_per_mwh: Decimal
    fixed_monthly_kr: Decimal

    def holds(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def _overlapping(model, first: date, until: date):  # type: ignore[no-untyped-def]
    """Rows of a validity-period table that hold on some day of [first, until)."""
    return (col(model.valid_from) < until, or_(col(model.valid_to).is_(None), col(model.valid_to) > first))


def grid_tariffs(db: Session, utility_id: int, first: date, until: date) -> list[GridTariff]:
    """The grid company's tariff periods holding on some day of [first, until), oldest first."""
    periods = db.exec(
        select(TariffPeriod)
        .where(TariffPeriod.utility_id == utility_id, *_overlapping(TariffPeriod, first, until))
        .order_by(col(TariffPeriod.valid_from))
    ).all()
    return _with_parts(db, periods)


def grid_tariff_on(db: Session, utility_id: int, day: date) -> GridTariff | None:
    found = grid_tariffs(db, utility_id, day, day + timedelta(days=1))
    return found[0] if found else None


_period = TariffPeriod.__table__.c
_step = TariffCapacityStep.__table__.c
# One statement: the steps of every period holding in a month, the earliest period first.
_MONTH_STEPS = (
    sa_select(_step.period_id, _step.lower_kw)
    .join_from(TariffCapacityStep.__table__, TariffPeriod.__table__, _period.id == _step.period_id)
    .where(
        _period.utility_id == bindparam("utility_id"),
        _period.valid_from < bindparam("until"),
        or_(_period.valid_to.is_(None), _period.valid_to > bindparam("first")),
    )
    .order_by(_period.valid_from, _step.lower_kw)
)


def capacity_steps_for_month(db: Session, utility_id: int, month: date) -> list[CapacityStep]:
    """The kW steps a month's capacity basis is placed in: those of the period in force on the
    month's first day (in a month spanning a change, the cost takes each day's own period; see
    the cost calculation); a company without a period holding then has the default steps."""
    first = month.replace(day=1)
    rows = (
        db.connection()
        .execute(_MONTH_STEPS, {"utility_id": utility_id, "first": first, "until": next_month(first)})
        .all()
    )
    if not rows:
        return default_capacity_steps()
    period_id = rows[0].period_id
    return steps_from_bounds([float(row.lower_kw) for row in rows if row.period_id == period_id])


def _with_parts(db: Session, periods: Sequence[TariffPeriod]) -> list[GridTariff]:
    ids = [p.id for p in periods if p.id is not None]
    if not ids:
        return []
    step_rows = db.exec(
        select(TariffCapacityStep)
        .where(col(TariffCapacityStep.period_id).in_(ids))
        .order_by(col(TariffCapacityStep.period_id), col(TariffCapacityStep.lower_kw))
    ).all()
    by_period: dict[int, list[TariffCapacityStep]] = {}
    for row in step_rows:
        by_period.setdefault(row.period_id, []).append(row)
    rates: dict[int, dict[tuple[str, str], Decimal]] = {}
    for rate in db.exec(select(TariffEnergyRate).where(col(TariffEnergyRate.period_id).in_(ids))).all():
        rates.setdefault(rate.period_id, {})[(rate.season, rate.band)] = Decimal(rate.kr_per_kwh)
    return [_grid_tariff(p, by_period.get(p.id or 0, []), rates.get(p.id or 0, {})) for p in periods]


def _grid_tariff(
    period: TariffPeriod, steps: Sequence[TariffCapacityStep], rates: Mapping[tuple[str, str], Decimal]
) -> GridTariff:
    lowers = [Decimal(s.lower_kw) for s in steps]
    return GridTariff(
        id=period.id or 0,
        utility_id=period.utility_id,
        valid_from=period.valid_from,
        valid_to=period.valid_to,
        fixed_monthly_kr=None if period.fixed_monthly_kr is None else Decimal(period.fixed_monthly_kr),
        day_from_hour=period.day_from_hour,
        day_to_hour=period.day_to_hour,
        weekend_is_night=period.weekend_is_night,
        winter_months=frozenset(_months(period.winter_months)),
        steps=tuple(
            CapacityStepPrice(
                lowers[i],
                lowers[i + 1] if i + 1 < len(lowers) else None,
                None if s.monthly_kr is None else Decimal(s.monthly_kr),
            )
            for i, s in enumerate(steps)
        ),
        energy_rates=dict(rates),
    )


def _months(raw: str) -> list[int]:
    return [int(v) for v in raw.split(",") if v.strip()]


def tax_rates(db: Session, first: date, until: date) -> TaxRates:
    rows = db.exec(
        select(TaxRate).where(*_overlapping(TaxRate, first, until)).order_by(col(TaxRate.valid_from))
    ).all()
    periods: dict[str, list[RatePeriod]] = {}
    for row in rows:
        periods.setdefault(row.kind, []).append(
            RatePeriod(row.id or 0, row.valid_from, row.valid_to, Decimal(row.rate))
        )
    return TaxRates({kind: tuple(found) for kind, found in periods.items()})


def heat_prices(db: Session, utility_id: int, first: date, until: date) -> list[HeatTariff]:
    rows = db.exec(
        select(HeatPrice)
        .where(HeatPrice.utility_id == utility_id, *_overlapping(HeatPrice, first, until))
        .order_by(col(HeatPrice.valid_from))
    ).all()
    return [_heat(row) for row in rows]


def _heat(row: HeatPrice) -> HeatTariff:
    return HeatTariff(
        row.id or 0,
        row.utility_id,
        row.valid_from,
        row.valid_to,
        Decimal(row.kr_per_mwh),
        Decimal(row.fixed_monthly_kr),
    )


# ---------------------------------------------------------------- who may change


def _is_process(caller: Caller) -> bool:
    return caller.role == CLI_ROLE


def _may_manage_utility(db: Session, caller: Caller, utility_id: int, action: str) -> None:
    if caller.role in (Role.ADMIN, CLI_ROLE):
        return
    if caller.role == GRID_ADMIN_ROLE and caller.organisation_id == utility_id:
        return
    raise refuse(
        db,
        caller,
        action,
        "not this grid company's tariff",
        subject_type="organisation",
        subject_id=utility_id,
    )


def _may_manage_taxes(db: Session, caller: Caller, action: str) -> None:
    if caller.role not in (Role.ADMIN, CLI_ROLE):
        raise refuse(db, caller, action, "taxes are set by the platform administrator")


def _utility_of_kind(db: Session, utility_id: int, kind: OrganisationKind) -> bool:
    organisation = db.get(Organisation, utility_id)
    return organisation is not None and organisation.kind == kind


# ---------------------------------------------------------------- field parsing


def parse_decimal(
    value: object, *, maximum: Decimal, places: int, required: bool = True
) -> tuple[Decimal | None, str | None]:
    """A non-negative amount as typed ("1 234,50" or "1234.50"), or the error's translation key."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ("tariffs.required" if required else None)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None, "tariffs.not_a_number"
    if not amount.is_finite():
        return None, "tariffs.not_a_number"
    if amount < 0:
        return None, "tariffs.negative"
    if amount > maximum:
        return None, "tariffs.too_large"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and amount != round(amount, places):
        return None, "tariffs.too_many_decimals"
    # Held as the column holds it (0.412 -> 0.41200), so what is written is what is read back.
    return amount.quantize(Decimal(1).scaleb(-places)), None


def parse_day(value: object, *, required: bool = True) -> tuple[date | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ("tariffs.required" if required else None)
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    try:
        return date.fromisoformat(str(value).strip()), None
    except ValueError:
        return None, "tariffs.date_invalid"


def _parse_hour(value: object, default: int) -> tuple[int | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default, None
    try:
        hour = int(str(value).strip())
    except ValueError:
        return None, "tariffs.hour_invalid"
    return (hour, None) if 0 <= hour <= 24 else (None, "tariffs.hour_invalid")


def _parse_months(value: object) -> tuple[str | None, str | None]:
    if value is None:
        return "1,2,3", None
    items = value if isinstance(value, Iterable) and not isinstance(value, str) else str(value).split(",")
    months: set[int] = set()
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= 12:
            return None, "tariffs.months_invalid"
        months.add(int(text))
    return ",".join(str(m) for m in sorted(months)), None


def parse_capacity_steps(value: object) -> tuple[list[tuple[Decimal, Decimal]] | None, str | None]:
    """Steps as typed: one per line (or ';'), "lower kW: kr per month", e.g. "0: 415" / "2: 590";
    or a sequence of (lower kW, kr per month). The first step starts at 0 kW, bounds rise."""
    if isinstance(value, str):
        pairs: list[tuple[object, object]] = []
        for line in value.replace(";", "\n").splitlines():
            if not line.strip():
                continue
            lower, sep, price = line.partition(":") if ":" in line else line.partition("=")
            if not sep:
                return None, "tariffs.steps_format"
            pairs.append((lower, price))
    elif value is None:
        pairs = []
    else:
        pairs = [tuple(item) for item in value]  # type: ignore[misc]
    if not pairs:
        return None, "tariffs.steps_required"
    if len(pairs) > MAX_STEPS:
        return None, "tariffs.steps_too_many"
    steps: list[tuple[Decimal, Decimal]] = []
    for lower_raw, price_raw in pairs:
        lower, error = parse_decimal(lower_raw, maximum=Decimal("100000"), places=3)
        price, price_error = parse_decimal(price_raw, maximum=MAX_MONTHLY_KR, places=2)
        if error or price_error or lower is None or price is None:
            return None, "tariffs.steps_format"
        steps.append((lower, price))
    if steps[0][0] != 0:
        return None, "tariffs.steps_start_at_zero"
    if any(b[0] <= a[0] for a, b in pairwise(steps)):
        return None, "tariffs.steps_not_rising"
    return steps, None


def _today() -> date:
    return local_now(local_zone()).date()


def _check_start(
    errors: dict[str, str],
    caller: Caller,
    valid_from: date | None,
    latest_from: date | None,
    valid_to: date | None,
) -> None:
    """The rules of a new period's dates: after the last period's start, never on a day begun
    (except a history loaded by the command line), and an end after the start."""
    if valid_from is None:
        return
    if latest_from is not None and valid_from <= latest_from:
        errors["valid_from"] = "tariffs.date_not_after_latest"
    elif not _is_process(caller) and valid_from <= _today():
        errors["valid_from"] = "tariffs.date_in_past"
    if valid_to is not None and valid_to <= valid_from:
        errors.setdefault("valid_to", "tariffs.end_before_start")


# ---------------------------------------------------------------- describing for the audit


def describe_tariff(tariff: GridTariff | None) -> str:
    """One line naming every value of a period, as the audit log keeps old and new."""
    if tariff is None:
        return "none"
    steps = ", ".join(f"{s.lower_kw}:{s.monthly_kr}" for s in tariff.steps)
    rates = ", ".join(
        f"{season}/{band} {tariff.energy_rates[(season, band)]}"
        for season, band in sorted(tariff.energy_rates)
    )
    return (
        f"{tariff.valid_from}..{tariff.valid_to or ''} fixed {tariff.fixed_monthly_kr} kr/month; "
        f"energy {rates}; day {tariff.day_from_hour}-{tariff.day_to_hour}"
        f"{' weekdays' if tariff.weekend_is_night else ''}; winter months "
        f"{','.join(str(m) for m in sorted(tariff.winter_months))}; steps {steps}"
    )


def _end_previous(db: Session, caller: Caller, model, row, new_from: date, subject_type: str) -> None:  # type: ignore[no-untyped-def]
    """The period in force on ``new_from`` ends there (only its future is cut), audited."""
    if row is None or (row.valid_to is not None and row.valid_to <= new_from):
        return
    old_to = row.valid_to
    row.valid_to = new_from
    db.add(row)
    record_audit(
        db,
        f"{subject_type}.ended",
        caller,
        subject_type=subject_type,
        subject_id=row.id or "",
        detail=f"valid_to: {old_to or 'open'} -> {new_from}",
    )


def _reprice_from(db: Session, first: date, *, utility_id: int | None = None) -> None:
    """The stored cost of the days from ``first`` on is recomputed when the change commits."""
    schedule_cost_refresh(db, first, utility_id=utility_id)


# ---------------------------------------------------------------- grid tariff periods


def add_tariff_period(
    db: Session,
    caller: Caller,
    *,
    utility_id: int,
    valid_from: object,
    fixed_monthly_kr: object,
    capacity_steps: object,
    energy_winter_day: object,
    energy_winter_night: object,
    energy_summer_day: object,
    energy_summer_night: object,
    day_from_hour: object = None,
    day_to_hour: object = None,
    weekend_is_night: bool = True,
    winter_months: object = None,
    valid_to: object = None,
) -> GridTariff:
    """A grid company's tariff from ``valid_from``: validated field by field (``FieldErrors``),
    appended after its last period (which ends on that day), audited with old and new values.
    The caller commits."""
    action = "tariffs.add_period"
    _may_manage_utility(db, caller, utility_id, action)
    if not _utility_of_kind(db, utility_id, OrganisationKind.GRID_COMPANY):
        raise refuse(
            db, caller, action, "not a grid company", subject_type="organisation", subject_id=utility_id
        )
    errors: dict[str, str] = {}
    start, error = parse_day(valid_from)
    if error:
        errors["valid_from"] = error
    end, error = parse_day(valid_to, required=False)
    if error:
        errors["valid_to"] = error
    fixed, error = parse_decimal(fixed_monthly_kr, maximum=MAX_MONTHLY_KR, places=2)
    if error:
        errors["fixed_monthly_kr"] = error
    steps, error = parse_capacity_steps(capacity_steps)
    if error:
        errors["capacity_steps"] = error
    typed = {
        "energy_winter_day": energy_winter_day,
        "energy_winter_night": energy_winter_night,
        "energy_summer_day": energy_summer_day,
        "energy_summer_night": energy_summer_night,
    }
    rates: dict[str, Decimal] = {}
    for name, raw in typed.items():
        rate, error = parse_decimal(raw, maximum=MAX_KR_PER_KWH, places=5)
        if error:
            errors[name] = error
        elif rate is not None:
            rates[name] = rate
    day_from, error = _parse_hour(day_from_hour, 6)
    if error:
        errors["day_from_hour"] = error
    day_to, error = _parse_hour(day_to_hour, 22)
    if error:
        errors["day_to_hour"] = error
    if day_from is not None and day_to is not None and day_from >= day_to:
        errors.setdefault("day_to_hour", "tariffs.hours_order")
    months, error = _parse_months(winter_months)
    if error:
        errors["winter_months"] = error
    latest = db.exec(
        select(TariffPeriod)
        .where(TariffPeriod.utility_id == utility_id)
        .order_by(col(TariffPeriod.valid_from).desc())
        .limit(1)
    ).first()
    _check_start(errors, caller, start, latest.valid_from if latest else None, end)
    if errors:
        raise FieldErrors(errors)
    assert start is not None and fixed is not None and steps is not None
    assert day_from is not None and day_to is not None and months is not None
    before = _with_parts(db, [latest])[0] if latest is not None else None
    _end_previous(db, caller, TariffPeriod, latest, start, "tariff_period")
    period = TariffPeriod(
        utility_id=utility_id,
        valid_from=start,
        valid_to=end,
        fixed_monthly_kr=fixed,
        day_from_hour=day_from,
        day_to_hour=day_to,
        weekend_is_night=bool(weekend_is_night),
        winter_months=months,
        created_by_user_id=caller.user_id,
    )
    db.add(period)
    db.flush()
    for lower, price in steps:
        db.add(TariffCapacityStep(period_id=period.id or 0, lower_kw=lower, monthly_kr=price))
    for name, rate in rates.items():
        season, band = ENERGY_FIELDS[name]
        db.add(TariffEnergyRate(period_id=period.id or 0, season=season, band=band, kr_per_kwh=rate))
    db.flush()
    _reprice_from(db, start, utility_id=utility_id)
    added = _with_parts(db, [period])[0]
    detail = f"grid company {utility_id}: {describe_tariff(before)} -> {describe_tariff(added)}"
    record_audit(
        db,
        "tariff_period.added",
        caller,
        subject_type="tariff_period",
        subject_id=period.id or "",
        detail=detail,
    )
    return added


def withdraw_tariff_period(db: Session, caller: Caller, period_id: int) -> None:
    """Remove a period that has not begun (a mistake caught in time); the period before it gets
    back the end it had. A period that has begun is history and stays. The caller commits."""
    action = "tariffs.withdraw_period"
    period = db.get(TariffPeriod, period_id)
    if period is None:
        raise refuse(db, caller, action, "no such period", subject_type="tariff_period", subject_id=period_id)
    _may_manage_utility(db, caller, period.utility_id, action)
    later = db.exec(
        select(func.count())
        .select_from(TariffPeriod)
        .where(TariffPeriod.utility_id == period.utility_id, TariffPeriod.valid_from > period.valid_from)
    ).one()
    if period.valid_from <= _today() or later:
        raise FieldErrors({"valid_from": "tariffs.period_begun" if later == 0 else "tariffs.not_latest"})
    previous = db.exec(
        select(TariffPeriod)
        .where(TariffPeriod.utility_id == period.utility_id, TariffPeriod.valid_from < period.valid_from)
        .order_by(col(TariffPeriod.valid_from).desc())
        .limit(1)
    ).first()
    withdrawn = describe_tariff(_with_parts(db, [period])[0])
    if previous is not None and previous.valid_to == period.valid_from:
        previous.valid_to = period.valid_to
        db.add(previous)
        record_audit(
            db,
            "tariff_period.ended",
            caller,
            subject_type="tariff_period",
            subject_id=previous.id or "",
            detail=f"valid_to: {period.valid_from} -> {period.valid_to or 'open'}",
        )
    for model in (TariffCapacityStep, TariffEnergyRate):
        for row in db.exec(select(model).where(model.period_id == period_id)).all():
            db.delete(row)
    db.delete(period)
    _reprice_from(db, period.valid_from, utility_id=period.utility_id)
    record_audit(
        db,
        "tariff_period.withdrawn",
        caller,
        subject_type="tariff_period",
        subject_id=period_id,
        detail=f"grid company {period.utility_id}: {withdrawn} -> none",
    )


def _newest_first(
    db: Session, model: type, *conditions: object, page: int, page_size: int, then: tuple = ()
) -> Page:
    """One page (from 1, kept within the rows there are) of ``model``'s rows matching
    ``conditions``, the latest ``valid_from`` first (``then``: the order among equal ones)."""
    total = db.exec(select(func.count()).select_from(model).where(*conditions)).one()
    window = page_window(page, page_size, total)
    rows = db.exec(
        select(model)
        .where(*conditions)
        .order_by(col(model.valid_from).desc(), *then)  # type: ignore[attr-defined]
        .offset(window.offset)
        .limit(window.size)
    ).all()
    return Page(list(rows), int(total), window.page, window.size)


def list_tariff_periods(
    db: Session, caller: Caller, *, utility_id: int, page: int = 1, page_size: int = PAGE_SIZE
) -> Page:
    """A grid company's tariff periods, newest first, one page (pages from 1)."""
    _may_manage_utility(db, caller, utility_id, "tariffs.list_periods")
    found = _newest_first(
        db, TariffPeriod, TariffPeriod.utility_id == utility_id, page=page, page_size=page_size
    )
    return replace(found, rows=_with_parts(db, found.rows))


# ---------------------------------------------------------------- taxes and fees


def add_tax_rate(
    db: Session, caller: Caller, *, kind: str, valid_from: object, rate: object, valid_to: object = None
) -> RatePeriod:
    """A national tax or fee from a date (kr/kWh; VAT as a fraction, 0.25), appended like a tariff."""
    action = "tariffs.add_tax_rate"
    _may_manage_taxes(db, caller, action)
    errors: dict[str, str] = {}
    if kind not in set(TaxKind):
        errors["kind"] = "tariffs.tax_kind_invalid"
    start, error = parse_day(valid_from)
    if error:
        errors["valid_from"] = error
    end, error = parse_day(valid_to, required=False)
    if error:
        errors["valid_to"] = error
    maximum = Decimal("1") if kind == TaxKind.VAT else MAX_KR_PER_KWH
    amount, error = parse_decimal(rate, maximum=maximum, places=5)
    if error:
        errors["rate"] = error
    latest = None
    if "kind" not in errors:
        latest = db.exec(
            select(TaxRate).where(TaxRate.kind == kind).order_by(col(TaxRate.valid_from).desc()).limit(1)
        ).first()
    _check_start(errors, caller, start, latest.valid_from if latest else None, end)
    if errors:
        raise FieldErrors(errors)
    assert start is not None and amount is not None
    old = f"{latest.rate} from {latest.valid_from}" if latest else "none"
    _end_previous(db, caller, TaxRate, latest, start, "tax_rate")
    row = TaxRate(kind=kind, valid_from=start, valid_to=end, rate=amount, created_by_user_id=caller.user_id)
    db.add(row)
    db.flush()
    _reprice_from(db, start)
    record_audit(
        db,
        "tax_rate.added",
        caller,
        subject_type="tax_rate",
        subject_id=row.id or "",
        detail=f"{kind}: {old} -> {amount} from {start}",
    )
    return RatePeriod(row.id or 0, start, end, amount)


def list_tax_rates(db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE) -> Page:
    if caller.role not in (Role.ADMIN, CLI_ROLE, GRID_ADMIN_ROLE):
        raise refuse(db, caller, "tariffs.list_tax_rates", "not an administrator")
    return _newest_first(db, TaxRate, page=page, page_size=page_size, then=(col(TaxRate.kind),))


# ---------------------------------------------------------------- district heating


def add_heat_price(
    db: Session,
    caller: Caller,
    *,
    utility_id: int,
    valid_from: object,
    kr_per_mwh: object,
    fixed_monthly_kr: object,
    valid_to: object = None,
) -> HeatTariff:
    """A district-heating company's price from a date: kr per MWh and a fixed part per month."""
    action = "tariffs.add_heat_price"
    _may_manage_utility(db, caller, utility_id, action)
    if not _utility_of_kind(db, utility_id, OrganisationKind.DISTRICT_HEATING):
        raise refuse(
            db,
            caller,
            action,
            "not a district-heating company",
            subject_type="organisation",
            subject_id=utility_id,
        )
    errors: dict[str, str] = {}
    start, error = parse_day(valid_from)
    if error:
        errors["valid_from"] = error
    end, error = parse_day(valid_to, required=False)
    if error:
        errors["valid_to"] = error
    energy, error = parse_decimal(kr_per_mwh, maximum=MAX_KR_PER_MWH, places=2)
    if error:
        errors["kr_per_mwh"] = error
    fixed, error = parse_decimal(fixed_monthly_kr, maximum=MAX_MONTHLY_KR, places=2)
    if error:
        errors["fixed_monthly_kr"] = error
    latest = db.exec(
        select(HeatPrice)
        .where(HeatPrice.utility_id == utility_id)
        .order_by(col(HeatPrice.valid_from).desc())
        .limit(1)
    ).first()
    _check_start(errors, caller, start, latest.valid_from if latest else None, end)
    if errors:
        raise FieldErrors(errors)
    assert start is not None and energy is not None and fixed is not None
    old = (
        f"{latest.kr_per_mwh} kr/MWh + {latest.fixed_monthly_kr} kr/month from {latest.valid_from}"
        if latest
        else "none"
    )
    _end_previous(db, caller, HeatPrice, latest, start, "heat_price")
    row = HeatPrice(
        utility_id=utility_id,
        valid_from=start,
        valid_to=end,
        kr_per_mwh=energy,
        fixed_monthly_kr=fixed,
        created_by_user_id=caller.user_id,
    )
    db.add(row)
    db.flush()
    _reprice_from(db, start, utility_id=utility_id)
    record_audit(
        db,
        "heat_price.added",
        caller,
        subject_type="heat_price",
        subject_id=row.id or "",
        detail=f"utility {utility_id}: {old} -> {energy} kr/MWh + {fixed} kr/month from {start}",
    )
    return _heat(row)


def list_heat_prices(
    db: Session, caller: Caller, *, utility_id: int, page: int = 1, page_size: int = PAGE_SIZE
) -> Page:
    _may_manage_utility(db, caller, utility_id, "tariffs.list_heat_prices")
    found = _newest_first(db, HeatPrice, HeatPrice.utility_id == utility_id, page=page, page_size=page_size)
    return replace(found, rows=[_heat(r) for r in found.rows])
