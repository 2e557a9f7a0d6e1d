"""Re-wrapping every data key under a new master key while the app keeps reading keys, and a
database dump that reveals no key (SQLite file, pg_dump)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from key_factories import add_units, organisation, signed_in
from sqlmodel import Session, select

from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import KeyImportRow, MeterKey, Role
from app.services.caller import CLI_CALLER
from app.services.keys import sealing
from app.services.keys.exports import ExportFormat, export_keys
from app.services.keys.imports import confirm_import, stage_csv_import, stage_kem_import
from app.services.keys.kem import KemEntry, build_kem
from app.services.keys.read_rights import assign_read_rights, show_key
from app.services.keys.rewrap import rewrap_data_keys
from app.services.keys.sealing import MasterKeyError, add_key, load_master_key
from app.services.keys.worker_keys import key_for_serial

OLD = load_master_key("11" * 32)
NEW = load_master_key("22" * 32)


def _configure(monkeypatch: pytest.MonkeyPatch, *ring: sealing.MasterKey) -> None:
    monkeypatch.setattr(sealing, "master_key_ring", lambda: ring)
    monkeypatch.setattr(sealing, "master_key", lambda: ring[0])


def test_rewrap_while_the_app_keeps_reading(engine, db, monkeypatch):
    _configure(monkeypatch, OLD)
    owner = organisation(db, "Måleservice Norge AS")
    add_units(db, owner, 300)
    caller = signed_in(db, Role.DISTRIBUTOR, "dina@example.no", owner)
    staged = stage_csv_import(db, caller, "k.csv", f"serial,key\nKAM99000001,{'ab' * 16}\n".encode())
    db.commit()
    expected = {
        row.serial: key_for_serial(db, row.serial).encryption_key for row in db.exec(select(MeterKey))
    }
    sealed_before = dict(db.exec(select(MeterKey.serial, MeterKey.encryption_key_sealed)).all())
    db.commit()

    # Every process now holds new,old: the first wraps, both open.
    _configure(monkeypatch, NEW, OLD)
    failures: list[str] = []
    reads = 0
    done = threading.Event()

    def rotate() -> None:
        try:
            rewrap_data_keys(engine, (NEW, OLD), CLI_CALLER, batch_size=25)
        finally:
            done.set()

    rotation = threading.Thread(target=rotate)
    rotation.start()
    with Session(engine) as reader:
        while not done.is_set() or reads < 300:
            serial = list(expected)[reads % len(expected)]
            try:
                opened = key_for_serial(reader, serial)
                if opened is None or opened.encryption_key != expected[serial]:
                    failures.append(serial)
            except MasterKeyError as error:
                failures.append(f"{serial}: {error}")
            reader.rollback()
            reads += 1
    rotation.join()
    assert failures == [] and reads >= 300

    with Session(engine) as check:
        assert set(check.exec(select(MeterKey.master_key_id)).all()) == {NEW.key_id}
        assert check.exec(select(KeyImportRow.master_key_id).where(KeyImportRow.problem == "")).all() == [
            NEW.key_id
        ]
        # The sealed keys themselves did not change: only their data keys' wrapping did.
        assert (
            dict(check.exec(select(MeterKey.serial, MeterKey.encryption_key_sealed)).all()) == sealed_before
        )
        _configure(monkeypatch, NEW)  # the old key is gone from the configuration
        assert all(key_for_serial(check, s).encryption_key == k for s, k in expected.items())
        assert confirm_import(check, caller, staged.batch_id).written == 1
        check.commit()
        assert key_for_serial(check, "KAM99000001").encryption_key == bytes.fromhex("ab" * 16)
        _configure(monkeypatch, OLD)
        with pytest.raises(MasterKeyError):
            key_for_serial(check, "KAM57000000")


def test_the_rewrap_command_takes_new_and_old_together(tmp_path):
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as db:
        add_key(db, "KAM57000074", bytes(range(16)), master=OLD)
        db.commit()
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "app.ingest", "keys", "rewrap"]
    alone = subprocess.run(
        command,
        env={**env, "MASTER_KEY": "22" * 32},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert alone.returncode == 2 and "new" in alone.stderr
    done = subprocess.run(
        command,
        env={**env, "MASTER_KEY": f"{'22' * 32},{'11' * 32}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "re-wrapped 1 keys" in done.stdout
    with Session(engine) as db:
        assert db.exec(select(MeterKey.master_key_id)).one() == NEW.key_id
    engine.dispose()


KEYS = [os.urandom(16) for _ in range(4)]


def _every_key_path(db: Session) -> None:
    """Keys through every way in and out: add, staged import, confirmed .kem, show, export, assign."""
    owner = organisation(db, "Måleservice Norge AS")
    caller = signed_in(db, Role.DISTRIBUTOR, "dina@example.no", owner)
    add_key(db, "KAM57000001", KEYS[0], KEYS[1], owner_id=owner)
    stage_csv_import(db, caller, "k.csv", f"serial,key\nKAM57000002,{KEYS[2].hex()}\n".encode())
    kem = build_kem([KemEntry("57000003", "1", "water", KEYS[3].hex())], "Ordre-1")
    confirm_import(db, caller, stage_kem_import(db, caller, "o.kem", kem, "Ordre-1").batch_id)
    unit = db.exec(select(MeterKey.id).where(MeterKey.serial == "KAM57000003")).one()
    show_key(db, caller, unit)
    export_keys(db, caller, [unit], ExportFormat.CSV)
    assign_read_rights(db, caller, [unit], "leser@example.no")
    db.commit()


def _forbidden() -> list[bytes]:
    found = []
    for key in KEYS:
        found += [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)]
    return found


def test_a_sqlite_dump_reveals_no_key(db, engine, database_url):
    _every_key_path(db)
    engine.dispose()  # everything checkpointed into the one file
    raw = Path(database_url.removeprefix("sqlite:///")).read_bytes()
    dump = (
        subprocess.run(
            ["sqlite3", database_url.removeprefix("sqlite:///"), ".dump"], capture_output=True, check=False
        ).stdout
        if Path("/usr/bin/sqlite3").exists()
        else b""
    )
    assert [k for k in _forbidden() if k in raw or k in dump] == []
    assert key_for_serial(db, "KAM57000003").encryption_key == KEYS[3]  # the keys are there, sealed


def test_a_postgresql_dump_reveals_no_key(postgres_url):
    upgrade_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine) as db:
            _every_key_path(db)
            assert key_for_serial(db, "KAM57000001").encryption_key == KEYS[0]
    finally:
        engine.dispose()
    base, _, options = postgres_url.partition("?")
    schema = options.rsplit("%3D", 1)[-1]
    dump = subprocess.run(
        ["pg_dump", "--data-only", f"--schema={schema}", base], capture_output=True, check=True, timeout=120
    ).stdout
    assert b"meter_key" in dump and b"\\x" in dump  # the sealed bytea rows were dumped
    lowered = dump.lower()
    assert [k for k in _forbidden() if k in dump or k.lower() in lowered] == []
