"""What a change of prices or tariffs reprices: the days from a date on, of some metering points.

The services that change spot prices, tariff periods, taxes and heat prices note it here, in
their session; app/services/consumption/cost_rollups.py recomputes the stored cost of those days
when the session commits (its ``before_commit`` hook, registered by this package's import).
A module of its own so that the services it prices with need not import the roll-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

_PENDING = "cost_refresh_pending"


@dataclass(frozen=True)
class Change:
    first: date  # the first local day that may price differently
    last: date | None  # and the last (None: every later day)
    utility_id: int | None  # only this company's metering points
    bidding_zone: str | None  # only this zone's


def schedule_cost_refresh(
    db: Session,
    first: date,
    last: date | None = None,
    *,
    utility_id: int | None = None,
    bidding_zone: str | None = None,
) -> None:
    """Recompute, when ``db`` commits, the stored cost of the days [first, last] of the metering
    points concerned (a grid or heat company's, a bidding zone's, or all: taxes) that have
    consumption then."""
    db.info.setdefault(_PENDING, []).append(Change(first, last, utility_id, bidding_zone))


def has_scheduled(db: Session) -> bool:
    return bool(db.info.get(_PENDING))


def take_scheduled(db: Session) -> list[Change]:
    return db.info.pop(_PENDING, None) or []
