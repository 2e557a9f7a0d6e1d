"""Instants the way every page shows them: the utility's zone, "24.11.2026 06:00"."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.config import settings

LOCAL_FORMAT = "%d.%m.%Y %H:%M"


def format_local_time(instant: datetime | str | None) -> str:
    """The instant (a datetime or an ISO text; naive means UTC) in ``settings.timezone``, to the
    minute; empty for none."""
    if instant is None or instant == "":
        return ""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime(LOCAL_FORMAT)
