"""The worker is handed the charts' roll-up refresh; the store imports nothing 'when installed'."""

from __future__ import annotations

import pytest

import app.ingest.store as store_module
from app.ingest import __main__ as worker_cli
from app.ingest.store import ReadingStore
from app.services.consumption.rollups import refresh_consumption


class _Stop(Exception):
    pass


def test_the_worker_entry_points_give_the_store_the_consumption_refresh(monkeypatch):
    given: dict = {}

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        given.update(kwargs)
        raise _Stop

    monkeypatch.setattr(store_module, "ReadingStore", capture)
    with pytest.raises(_Stop):
        worker_cli._pipeline("test", "replay", "collected")
    assert given["refresh"] is refresh_consumption


def test_a_store_given_no_refresh_has_none(engine, tmp_path):
    store = ReadingStore(engine, tmp_path / "s.jsonl")
    assert store._refresh is None
    assert not hasattr(store_module, "consumption_refresher")
