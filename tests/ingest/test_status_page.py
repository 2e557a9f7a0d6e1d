"""The staff page's handler: grid staff see the sources, anyone else is refused."""

from __future__ import annotations

import asyncio
import re

import pytest

from app.db import get_engine
from app.ingest.registers import RawReading
from app.ingest.store import ReadingStore
from app.models import Role
from app.services.errors import AccessDenied
from app.states.staff.ingest_status import IngestState
from tests.handler_callers import session_token, state_as


def _state(token: str) -> IngestState:
    return state_as(IngestState, token)


def _token(role: Role) -> str:
    return session_token(role)


def test_sources_are_refused_to_a_customer(app_database_url):
    state = _state(_token(Role.CUSTOMER))
    with pytest.raises(AccessDenied):
        asyncio.run(IngestState.load_sources.fn(state))
    assert state.sources == []


def test_the_operator_sees_each_source_with_its_counters(app_database_url, tmp_path):
    store = ReadingStore(get_engine(), tmp_path / "spool.jsonl", refresh=None)
    source = store.source("serial:/dev/ttyHAN0", "serial", "han")
    source.frame_ok()
    source.frame_bad("FCS mismatch")
    store.flush()
    state = _state(_token(Role.ADMIN))
    asyncio.run(IngestState.load_sources.fn(state))
    row = next(s for s in state.sources if s["name"] == "serial:/dev/ttyHAN0")
    assert (row["frames_ok"], row["frames_bad"], row["reading_source"]) == ("1", "1", "han")
    # The utility's local time, as every staff page shows it ("24.11.2026 06:00").
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", row["last_frame"])


def test_the_page_shows_stored_already_stored_and_refused_apart(app_database_url, tmp_path):
    store = ReadingStore(get_engine(), tmp_path / "spool.jsonl", refresh=None)
    source = store.source("replay:counted-twice", "replay")
    unknown = [RawReading("NO-SUCH-METER-9", "1-0:1.8.0", 3600 * n, 1.0, "kWh") for n in range(2)]
    store.submit(source, unknown)
    store.flush()
    # The page shows the persisted duplicate counter beside the others (the store's own
    # counting of duplicates is proven in test_data_truth).
    source.readings_duplicate += 5
    store.flush()
    state = _state(_token(Role.ADMIN))
    asyncio.run(IngestState.load_sources.fn(state))
    row = next(s for s in state.sources if s["name"] == "replay:counted-twice")
    assert (row["readings_stored"], row["readings_duplicate"], row["readings_rejected"]) == ("0", "5", "2")
