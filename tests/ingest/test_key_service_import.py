"""The worker decrypts a unit's telegrams the moment its key is imported in the key service: a .kem
holding the key of a shared Kamstrup wireless M-Bus vector, then that very telegram."""

from __future__ import annotations

import pytest
from ingest_factories import readings_in
from ingest_vectors import load
from sqlmodel import Session

from app.ingest.keyring import KeyRing
from app.ingest.worker import FramePipeline
from app.models import Meter, Organisation, OrganisationKind, Role
from app.services.caller import Caller
from app.services.keys.imports import confirm_import, stage_kem_import
from app.services.keys.kem import KemEntry, build_kem


def _vector() -> dict:
    rows = [r for r in load("wmbus_kamstrup.jsonl") if r["key"] and "total_m3" in (r["expected"] or {})]
    if not rows:
        pytest.skip("the shared wireless M-Bus vectors are missing (set METERPORTAL_VECTORS)")
    return rows[0]


@pytest.fixture
def water_meter(engine) -> str:
    """The vector's meter, known to the portal before the worker starts (its key is not)."""
    number = _vector()["expected"]["id"]  # "76348799": the meter's wireless id, Kamstrup's serial
    with Session(engine) as db:
        db.add(Meter(serial=f"KAM{number}", manufacturer="Kamstrup", model="MULTICAL 21", medium="water"))
        db.commit()
    return number


def test_a_telegram_decrypts_with_the_key_imported_from_a_kem(engine, water_meter, store):
    vector = _vector()
    number = water_meter
    with Session(engine) as db:
        distributor = Organisation(name="Måleservice Norge AS", kind=OrganisationKind.DISTRIBUTOR.value)
        db.add(distributor)
        db.flush()
        caller = Caller(role=Role.DISTRIBUTOR, organisation_id=distributor.id)
        download = build_kem([KemEntry(number, "1", "water", vector["key"], "MULTICAL 21")], "Ordre-4711")
        db.commit()
    pipeline = FramePipeline(store, store.source("wmbus:test", "wmbus", "collected"), KeyRing(engine))
    # Before the import the worker has no key: the telegram cannot be read.
    pipeline.handle_frame(bytes.fromhex(vector["hex"]))
    store.flush()
    assert readings_in(engine, "water_volume") == []
    with Session(engine) as db:
        preview = stage_kem_import(db, caller, "Ordre-4711.kem", download, "Ordre-4711")
        assert (preview.good, preview.bad) == (1, 0)
        assert confirm_import(db, caller, preview.batch_id).written == 1
        db.commit()
    pipeline = FramePipeline(store, store.source("wmbus:test2", "wmbus", "collected"), KeyRing(engine))
    pipeline.handle_frame(bytes.fromhex(vector["hex"]))
    store.flush()
    stored = readings_in(engine, "water_volume")
    assert [row[3] for row in stored] == [pytest.approx(vector["expected"]["total_m3"])]
    assert pipeline.source.frames_ok == 1 and pipeline.source.frames_refused == 0
