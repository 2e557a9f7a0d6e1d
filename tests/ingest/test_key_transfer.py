"""A transferred meter keeps being decoded (issue 23): the worker decrypts its telegrams with the
same sealed key before and after its unit changed owner, without a gap (same key ring)."""

from __future__ import annotations

import re

import pytest
from ingest_factories import readings_in
from ingest_vectors import load
from sqlmodel import Session, select

from app.ingest.keyring import KeyRing
from app.ingest.worker import FramePipeline
from app.models import Medium, Meter, MeterKey, Organisation, OrganisationKind, Role, User
from app.services.caller import Caller
from app.services.keys import transfer_codes
from app.services.keys.imports import confirm_import, stage_csv_import
from app.services.keys.transfers import accept_transfer, request_send_code, send_units


def _distributor(db: Session, name: str, email: str) -> Caller:
    org = Organisation(name=name, kind=OrganisationKind.DISTRIBUTOR.value)
    db.add(org)
    db.flush()
    user = User(email=email, role=Role.DISTRIBUTOR.value, organisation_id=org.id, password_hash="x")
    db.add(user)
    db.flush()
    return Caller(role=Role.DISTRIBUTOR, user_id=user.id, organisation_id=org.id)


def test_a_transferred_meter_is_decoded_before_and_after(engine, store, monkeypatch):
    rows = [r for r in load("wmbus_kamstrup.jsonl") if r["key"] and "total_m3" in (r["expected"] or {})]
    if not rows:
        pytest.skip("the shared wireless M-Bus vectors are missing (set METERPORTAL_VECTORS)")
    vector = rows[0]
    number = vector["expected"]["id"]
    codes: list[str] = []
    monkeypatch.setattr(
        transfer_codes, "deliver_mail", lambda mail, **_: codes.append(re.findall(r"\b\d{6}\b", mail.text)[0])
    )
    with Session(engine) as db:
        giver = _distributor(db, "Måleservice AS", "gir@example.no")
        taker = _distributor(db, "Ny Eier AS", "tar@example.no")
        db.add(
            Meter(serial=f"KAM{number}", manufacturer="Kamstrup", model="MULTICAL 21", medium=Medium.WATER)
        )
        preview = stage_csv_import(
            db, giver, "keys.csv", f"serial,manufacturer,key\n{number},KAM,{vector['key']}\n".encode()
        )
        confirm_import(db, giver, preview.batch_id)
        db.commit()
        unit = db.exec(select(MeterKey).where(MeterKey.serial == f"KAM{number}")).one()
        sealed_before = (unit.encryption_key_sealed, unit.wrapped_data_key)

    pipeline = FramePipeline(store, store.source("wmbus:transfer", "wmbus", "collected"), KeyRing(engine))
    pipeline.handle_frame(bytes.fromhex(vector["hex"]))
    store.flush()
    assert (pipeline.source.frames_ok, pipeline.source.frames_refused) == (1, 0)

    with Session(engine) as db:
        code_id = request_send_code(db, giver, [unit.id or 0], "tar@example.no")
        transfer = send_units(db, giver, [unit.id or 0], "tar@example.no", code_id, codes[-1])
        accept_transfer(db, taker, transfer.id or 0)
        moved = db.exec(select(MeterKey).where(MeterKey.serial == f"KAM{number}")).one()
        assert moved.owner_id == taker.organisation_id
        assert (moved.encryption_key_sealed, moved.wrapped_data_key) == sealed_before

    # The same telegram again, and through a key ring started after the transfer: both decoded.
    pipeline.handle_frame(bytes.fromhex(vector["hex"]))
    fresh = FramePipeline(store, store.source("wmbus:after", "wmbus", "collected"), KeyRing(engine))
    fresh.handle_frame(bytes.fromhex(vector["hex"]))
    store.flush()
    assert (pipeline.source.frames_ok, pipeline.source.frames_refused) == (2, 0)
    assert (fresh.source.frames_ok, fresh.source.frames_refused) == (1, 0)
    assert [row[3] for row in readings_in(engine, "water_volume")][-1] == pytest.approx(
        vector["expected"]["total_m3"]
    )
