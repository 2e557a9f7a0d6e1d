"""Instants and dates the way every page shows them: the utility's zone, in the reader's
language's convention (nb "24.11.2026 06:00", sv "2026-11-24 06:00", en "24/11/2026 06:00")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.config import settings

DATE_FORMATS = {"nb": "%d.%m.%Y", "sv": "%Y-%m-%d", "en": "%d/%m/%Y"}


def format_local_date(day: date | None, language: str) -> str:
    """A calendar day in the reader's convention; empty for none."""
    return day.strftime(DATE_FORMATS.get(language, DATE_FORMATS["nb"])) if day is not None else ""


def format_local_time(instant: datetime | str | None, language: str) -> str:
    """The instant (a datetime or an ISO text; naive means UTC) in ``settings.timezone``, to the
    minute, in the reader's convention; empty for none."""
    if instant is None or instant == "":
        return ""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(settings.timezone))
    return f"{format_local_date(local.date(), language)} {local:%H:%M}"
