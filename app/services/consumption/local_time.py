"""The utility's calendar: local days and months as UTC epoch ranges (DST days have 23 or 25 hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.config import settings

HOUR = 3600


def local_zone() -> ZoneInfo:
    return _zone(settings.timezone)


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def floor_hour(ts: int) -> int:
    return ts - ts % HOUR


def ceil_hour(ts: int) -> int:
    return -(-ts // HOUR) * HOUR


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def local_midnight(day: date, zone: ZoneInfo) -> int:
    """UTC epoch of ``day``'s local midnight."""
    return int(datetime.combine(day, time(), zone).timestamp())


@dataclass(frozen=True)
class LocalDay:
    day: date
    start: int  # UTC epoch of local midnight
    end: int  # UTC epoch of the next local midnight

    @property
    def hours(self) -> int:
        return (self.end - self.start) // HOUR


def local_day_of(ts: int, zone: ZoneInfo | None = None) -> LocalDay:
    zone = zone or local_zone()
    day = datetime.fromtimestamp(ts, zone).date()
    return local_day(day, zone)


def local_day(day: date, zone: ZoneInfo | None = None) -> LocalDay:
    zone = zone or local_zone()
    return LocalDay(day, local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))


def month_hours(month: date, zone: ZoneInfo) -> int:
    return (local_midnight(next_month(month), zone) - local_midnight(month, zone)) // HOUR
