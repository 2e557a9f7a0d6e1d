"""Issue 10, item 4: the spool replays only what this worker wrote (HMAC under the server secret),
re-validates it, sets bad records aside with a message; the spool, the SQLite database, data/ and
auth_secret.key are private (0600 files, 0700 folders) from the moment they exist."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_factories import readings_in
from sqlalchemy import text

from app import private_files
from app.db import make_engine
from app.ingest import spool as spool_module
from app.ingest.registers import RawReading
from app.ingest.store import ReadingStore
from app.migrate import upgrade_to_head
from app.services import server_secret as server_secret_module
from app.services.server_secret import server_secret

T0 = 1_780_000_000 - 1_780_000_000 % 3600


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    # The default of most systems: what the old code created 0644 / 0755 under.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _heat(ts: int, kwh: float) -> RawReading:
    return RawReading("KAM57000074", "heat_energy", ts, kwh, "kWh")


def _spooling_store(tmp_path: Path, spool: Path) -> tuple[ReadingStore, str]:
    """A store whose database is a file without tables (unavailable), so batches go to the spool."""
    url = f"sqlite:///{tmp_path / 'later.db'}"
    store = ReadingStore(make_engine(url), spool, batch_size=1_000, refresh=None, retry_seconds=0)
    return store, url


def _database_returns(url: str) -> None:
    upgrade_to_head(url)
    with make_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES ('KAM57000074', 'Kamstrup', 'M', 'heat', 0, '2026-01-01')"
            )
        )


def _spool_hours(store: ReadingStore, source_name: str, kind: str, hours: range) -> None:
    source = store.source(source_name, "replay", kind)
    for hour in hours:
        store.submit(source, [_heat(T0 + hour * 3600, float(hour))])
        store.flush()
    assert store.spool.pending()


def _forged_line() -> bytes:
    reading = ["KAM57000074", "heat_energy", T0 + 36000, 999.0, "kWh"]
    payload = {"s": "mqtt:ams", "k": "collected", "r": [reading]}
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def test_a_line_written_by_someone_else_is_set_aside_and_the_rest_replayed(tmp_path, caplog):
    spool = tmp_path / "spool" / "mqtt.jsonl"
    store, url = _spooling_store(tmp_path, spool)
    _spool_hours(store, "mqtt:ams", "collected", range(0, 2))
    with spool.open("ab") as handle:  # anyone who can write the spool
        handle.write(_forged_line())  # unsigned: a forged billing-grade reading
        handle.write(b"0" * 64 + b" " + _forged_line()[:-1] + b"\n")  # a made-up tag
        handle.write(b"{not json at all\n")
    _spool_hours(store, "mqtt:ams", "collected", range(2, 3))
    _database_returns(url)
    with caplog.at_level(logging.WARNING, logger="app.ingest.store"):
        store.flush_due()
    engine = make_engine(url)
    assert [(row[2], row[3], row[5]) for row in readings_in(engine)] == [
        (T0 + hour * 3600, float(hour), "collected") for hour in range(3)
    ]  # nothing but the worker's own records, and none stuck behind the bad ones
    assert not store.spool.pending() and store.spool_records_set_aside == 3
    assert store.spool.set_aside_path.read_bytes().count(b"\n") == 3
    messages = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert len(messages) == 3 and "no authentication tag" in messages[0]
    assert "authentication tag does not match" in messages[1]


def test_a_signed_record_is_still_revalidated(tmp_path):
    spool = tmp_path / "spool.jsonl"
    store, url = _spooling_store(tmp_path, spool)
    bad_records = [
        {"s": "x", "k": "billing", "r": [["KAM57000074", "heat_energy", T0, 1.0, "kWh"]]},  # unknown kind
        {"s": "x", "k": "collected", "r": [["KAM57000074", "heat_energy", T0, "NaN", "kWh"]]},
        {"s": "x", "k": "collected", "r": [["KAM57000074", "heat_energy", T0]]},
        {"s": "x", "k": "collected", "r": []},
    ]
    lines = []
    for record in bad_records:
        body = json.dumps(record).encode()
        lines.append(spool_module.record_tag(server_secret(), body) + b" " + body + b"\n")
    body = json.dumps({"s": "x", "k": "collected", "r": [["KAM57000074", "heat_energy", T0, 5.0, "kWh"]]})
    lines.append(spool_module.record_tag(server_secret(), body.encode()) + b" " + body.encode() + b"\n")
    store.spool.append(lines)
    _database_returns(url)
    store.flush_due()
    assert [row[3] for row in readings_in(make_engine(url))] == [5.0]
    assert store.spool_records_set_aside == 4 and not store.spool.pending()


def test_han_records_are_not_replayed_as_billing_grade_by_a_source_that_now_reads_collected(tmp_path):
    spool = tmp_path / "spool.jsonl"
    store, url = _spooling_store(tmp_path, spool)
    _spool_hours(store, "serial:/dev/ttyUSB0", "han", range(0, 1))
    restarted = ReadingStore(store.engine, spool, refresh=None)
    restarted.source("serial:/dev/ttyUSB0", "serial", "collected")
    _database_returns(url)
    restarted.flush_due()
    assert readings_in(make_engine(url)) == [] and restarted.spool_records_set_aside == 1


def test_spool_files_and_folder_are_private(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir(mode=0o755)  # as an earlier version left it
    store, _ = _spooling_store(tmp_path, folder / "serial.jsonl")
    _spool_hours(store, "serial:/dev/ttyUSB0", "collected", range(0, 1))
    store.spool.commit(0)
    store.spool.set_aside(b"x\n")
    assert _mode(folder) == 0o700
    for path in (store.spool.path, store.spool.offset_path, store.spool.set_aside_path):
        assert _mode(path) == 0o600, path


def test_the_sqlite_database_and_its_folder_are_private(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'meterportal.db'}"
    upgrade_to_head(url)
    database = tmp_path / "data" / "meterportal.db"
    assert _mode(database.parent) == 0o700 and _mode(database) == 0o600
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SELECT 1"))
        wal = database.with_name(database.name + "-wal")
        assert wal.exists() and _mode(wal) == 0o600
    engine.dispose()


def test_an_existing_data_folder_and_database_are_narrowed(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    data = shared / "data"
    data.mkdir(mode=0o755)
    database = data / "meterportal.db"
    database.touch(mode=0o644)
    monkeypatch.setattr(private_files, "settings", dataclasses.replace(private_files.settings, data_dir=data))
    make_engine(f"sqlite:///{database}").dispose()
    assert _mode(data) == 0o700 and _mode(database) == 0o600
    assert _mode(shared) == 0o755  # a folder that is not ours is left alone


def test_auth_secret_is_created_private_not_chmoded_after(tmp_path, monkeypatch):
    secret_file = tmp_path / "data" / "auth_secret.key"
    monkeypatch.delenv("AUTH_SECRET", raising=False)
    no_secrets = type("S", (), {"master_key": "", "auth_secret": ""})()
    monkeypatch.setattr(server_secret_module, "settings", no_secrets)
    monkeypatch.setattr(server_secret_module, "_secret_file", lambda: secret_file)
    # A chmod after writing leaves a window in which the file is readable: take chmod away.
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    server_secret_module.server_secret.cache_clear()
    try:
        secret = server_secret_module.server_secret()
    finally:
        server_secret_module.server_secret.cache_clear()
    assert len(secret) == 64 and secret_file.read_text().strip().encode() == secret
    assert _mode(secret_file) == 0o600 and _mode(secret_file.parent) == 0o700
    assert list(secret_file.parent.iterdir()) == [secret_file]  # no temporary left behind
