"""Fixtures for the worker tests: a migrated database with a few meters, and a store on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.ingest.store import ReadingStore
from app.models import Medium, Meter, Organisation, OrganisationKind

METERS = {
    "AID57000000": Medium.ELECTRICITY,
    "KAM57000074": Medium.HEAT,
    "KAM57000111": Medium.HEAT,
}


@pytest.fixture
def meters(engine: Engine) -> dict[str, int]:
    with Session(engine, expire_on_commit=False) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY)
        db.add(grid)
        db.flush()
        rows = [
            Meter(serial=serial, manufacturer="Kamstrup", model="M", medium=medium, owner_id=grid.id)
            for serial, medium in METERS.items()
        ]
        db.add_all(rows)
        db.commit()
        return {row.serial: row.id or 0 for row in rows}


@pytest.fixture
def store(engine: Engine, meters: dict[str, int], tmp_path: Path) -> Iterator[ReadingStore]:
    store = ReadingStore(
        engine, tmp_path / "spool" / "test.jsonl", batch_size=100, flush_seconds=0.05, refresh=None
    )
    yield store
    store.close()
