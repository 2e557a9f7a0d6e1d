"""Installer and staff pages show times in the utility's zone as "24.11.2026 06:00" and figures
in the one number format, not raw UTC ISO text."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import app.states.staff.ingest_status as ingest_status_module
import app.states.staff.start as start_module
from app.i18n.times import format_local_date, format_local_time
from app.models import Role
from app.services.cases import HistoryLine
from app.services.installer.notifications import NotificationRow
from app.services.staff.ingest_status import SourceStatus
from app.services.staff.portal_figures import PortalFigures
from app.states.installer.notification_view import history_rows, row_dicts
from app.states.staff.ingest_status import IngestState
from app.states.staff.start import StaffState
from tests.handler_callers import session_token, state_as

WINTER_UTC = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def test_installer_rows_and_history_show_local_time():
    row = NotificationRow(
        1,
        "draft",
        "Nettselskap",
        "Gate 1 Oslo",
        "Ola Nordmann",
        "123",
        WINTER_UTC.isoformat(timespec="minutes"),
    )
    assert row_dicts([row], "nb")[0]["updated_at"] == "24.11.2026 06:00"
    summer = HistoryLine("2026-07-01T10:15", "Kari", "note", "", "", "Tekst")  # naive (SQLite) means UTC
    assert history_rows([summer], "nb")[0]["at"] == "01.07.2026 12:15"


def test_staff_start_shows_local_time_and_grouped_figures(app_database_url, monkeypatch):
    figures = PortalFigures(
        customers=1234, relationships=5, meters=1578300, readings=1578300, newest_reading_at=WINTER_UTC
    )
    monkeypatch.setattr(start_module, "portal_figures", lambda db, caller: figures)
    state = state_as(StaffState, session_token(Role.GRID_STAFF))
    asyncio.run(StaffState.load_overview.fn(state))
    assert state.newest_reading == "24.11.2026 06:00"
    assert state.figures["readings"] == "1\u00a0578\u00a0300"
    assert state.figures["customers"] == "1\u00a0234"


def test_ingest_status_shows_local_time(app_database_url, monkeypatch):
    fields = {name: 0 for name in SourceStatus.__dataclass_fields__}
    fields.update(
        name="han:1",
        kind="serial",
        reading_source="han",
        state="running",
        last_frame_at=WINTER_UTC,
        frames_ok=12345,
        lag_seconds=None,
        last_error="",
        updated_at=WINTER_UTC,
        last_message_at=None,
        outage_started_at=None,
        outage_ended_at=None,
    )
    status = SourceStatus(**fields)
    monkeypatch.setattr(ingest_status_module, "source_statuses", lambda db, caller: [status])
    state = state_as(IngestState, session_token(Role.ADMIN))
    asyncio.run(IngestState.load_sources.fn(state))
    assert state.sources[0]["last_frame"] == "24.11.2026 06:00"
    assert state.sources[0]["frames_ok"] == "12\u00a0345"


def test_one_local_time_format_in_the_readers_language():
    # The key pages used to say "2026-11-24 06:00" to everyone and the other pages "24.11.2026 06:00".
    assert format_local_time(WINTER_UTC, "nb") == "24.11.2026 06:00"
    assert format_local_time(WINTER_UTC, "sv") == "2026-11-24 06:00"
    assert format_local_time(WINTER_UTC, "en") == "24/11/2026 06:00"
    assert format_local_time(None, "en") == "" and format_local_date(None, "sv") == ""
    assert format_local_date(WINTER_UTC.date(), "sv") == "2026-11-24"
    summer = HistoryLine("2026-07-01T10:15", "Kari", "note", "", "", "Tekst")
    assert history_rows([summer], "sv")[0]["at"] == "2026-07-01 12:15"
