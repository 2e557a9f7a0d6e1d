"""The one clock the app reads, so that a test can run it at any instant.

Everything that needs "now" asks ``utcnow()`` (or ``local_now()``). A test sets the clock with
``running_from(instant)``: time then starts at that instant and goes on at the normal rate, so
expiries and rate-limit windows still move while the code under test sees a chosen date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo

# Added to the system clock; zero except while a test has set the clock.
_offset = timedelta(0)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC) + _offset


def local_now(zone: tzinfo) -> datetime:
    """The current time in ``zone``."""
    return utcnow().astimezone(zone)


def set_clock(instant: datetime) -> None:
    """Make ``utcnow()`` read ``instant`` now, and advance from there."""
    global _offset
    if instant.tzinfo is None:
        raise ValueError("the clock is set with a timezone-aware instant")
    _offset = instant - datetime.now(UTC)


def reset_clock() -> None:
    global _offset
    _offset = timedelta(0)


@contextmanager
def running_from(instant: datetime) -> Iterator[None]:
    """The clock reads ``instant`` inside the block, and what it read before after it."""
    global _offset
    before = _offset
    set_clock(instant)
    try:
        yield
    finally:
        _offset = before
