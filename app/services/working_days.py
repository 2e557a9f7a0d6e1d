"""Working days in Norway: no Saturdays, Sundays or public holidays (the `holidays` package's
Norwegian calendar: Easter, Ascension, Whit Monday, 1 and 17 May, Christmas, ...)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _norwegian_holidays(year: int) -> frozenset[date]:
    # Only the public holidays; the package's Sundays-as-holidays option stays off.
    return frozenset(holidays.country_holidays("NO", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
    day = start
    remaining = max(days, 0)
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
