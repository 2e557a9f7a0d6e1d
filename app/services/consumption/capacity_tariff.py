"""The Norwegian capacity tariff (from 1 July 2022): a month's step from its three highest hours.

The steps (kW lower bounds, the last one open-ended) are the grid company's own, as data with
validity periods (app/services/consumption/tariffs.py ``capacity_steps_for_month``); a company
with no tariff period yet has the defaults below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

DEFAULT_CAPACITY_STEPS_KW: tuple[float, ...] = (0, 2, 5, 10, 15, 20, 25, 50, 75, 100)


@dataclass(frozen=True)
class CapacityStep:
    lower_kw: float
    upper_kw: float | None  # None: open-ended top step

    @property
    def label(self) -> str:
        lower = f"{self.lower_kw:g}"
        return f"{lower}–{self.upper_kw:g} kW" if self.upper_kw is not None else f"> {lower} kW"


@dataclass(frozen=True)
class CapacityBasis:
    month: date
    # The highest hour of each of the (up to) three days with the highest such hour.
    top_hours: list[tuple[int, float]]
    basis_kw: float | None
    step: CapacityStep | None


def default_capacity_steps() -> list[CapacityStep]:
    """The steps of a grid company that has entered no tariff period yet."""
    return _steps(None)


def steps_from_bounds(bounds: Sequence[float]) -> list[CapacityStep]:
    """Steps from their kW lower bounds (the last one open-ended)."""
    return _steps(tuple(float(v) for v in bounds) or None)


@lru_cache(maxsize=32)
def _steps(bounds: tuple[float, ...] | None) -> list[CapacityStep]:
    bounds = tuple(sorted(bounds or DEFAULT_CAPACITY_STEPS_KW))
    return [
        CapacityStep(lower, bounds[i + 1] if i + 1 < len(bounds) else None) for i, lower in enumerate(bounds)
    ]


def capacity_step_for(basis_kw: float, steps: Sequence[CapacityStep]) -> CapacityStep:
    for step in steps:
        if (step.upper_kw is None or basis_kw < step.upper_kw) and basis_kw >= step.lower_kw:
            return step
    return steps[0] if basis_kw < steps[0].lower_kw else steps[-1]


def capacity_basis_from_days(
    month: date, day_maxima: Iterable[tuple[int | None, float | None]], steps: Sequence[CapacityStep]
) -> CapacityBasis:
    """The average of the three highest hourly energies on three different days.

    ``day_maxima`` holds each day's highest hour (start, kWh); one hour per day, so three
    hours on one cold evening count once.
    """
    # Highest first; of equal hours the earliest, whatever order the days were read in.
    top = sorted(
        ((at, kwh) for at, kwh in day_maxima if at is not None and kwh is not None),
        key=lambda item: (-item[1], item[0]),
    )[:3]
    if not top:
        return CapacityBasis(month, [], None, None)
    # kWh in one hour is the hour's mean power in kW.
    basis = round(sum(kwh for _at, kwh in top) / len(top), 3)
    return CapacityBasis(month, top, basis, capacity_step_for(basis, steps))
