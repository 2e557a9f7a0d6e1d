"""Instants where "now" breaks date arithmetic: clock-dependent tests run at each of them."""

from __future__ import annotations

from datetime import UTC, datetime

CLOCK_INSTANTS: dict[str, datetime] = {
    # 00:00 in Oslo is 23:00 UTC the evening before (22:00 in summer).
    "oslo-midnight": datetime(2026, 11, 23, 23, 0, tzinfo=UTC),
    "utc-midnight": datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
    # Spring forward, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
    "spring-dst-day": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    # Fall back, 25 October 2026: 02:00-03:00 local happens twice; this is the second time.
    "autumn-dst-day": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    # 23:30 on the last day of a month in Oslo, already the 1st in no zone.
    "month-end-evening": datetime(2026, 1, 31, 22, 30, tzinfo=UTC),
    # The hour the first-hour report saw a test fail: 23:45 on the 23rd in Oslo.
    "late-evening-23rd": datetime(2026, 11, 23, 22, 45, tzinfo=UTC),
}
