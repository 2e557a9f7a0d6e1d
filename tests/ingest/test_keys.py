"""The meter-key table: keys sealed at rest, opened only for the worker, every step audited."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.models import AuditEntry, MeterKey
from app.services.caller import Caller
from app.services.keys import sealing as keys
from app.services.keys.operator_files import export_keys_csv, import_keys_csv
from app.services.keys.sealing import InvalidMeterKey, MasterKeyError, add_key, load_master_key
from app.services.keys.worker_keys import key_for_serial, key_for_system_title, key_for_wmbus

ENC = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
AUTH = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf")
TITLE = bytes.fromhex("4b464d1020000e5b")


def _actions(db: Session) -> list[str]:
    return [entry.action for entry in db.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_keys_are_encrypted_at_rest_and_open_for_the_worker(engine, db, database_url):
    add_key(db, "KFM1020000005", ENC, AUTH, system_title=TITLE)
    db.commit()
    raw = Path(database_url.removeprefix("sqlite:///")).read_bytes()
    with engine.connect() as connection:
        for column in connection.execute(text("SELECT * FROM meter_key")).one():
            if isinstance(column, bytes):
                assert ENC not in column and AUTH not in column
    assert ENC not in raw and AUTH not in raw
    assert ENC.hex().encode() not in raw and ENC.hex().upper().encode() not in raw

    opened = key_for_system_title(db, TITLE)
    assert opened is not None and (opened.encryption_key, opened.authentication_key) == (ENC, AUTH)
    opened = key_for_serial(db, "KFM1020000005")
    assert opened is not None and opened.system_title == TITLE
    assert key_for_serial(db, "NOPE") is None
    db.commit()
    assert _actions(db) == ["key.add", "key.view", "key.view"]


def test_each_key_has_its_own_data_key(db):
    first = add_key(db, "A0000001", ENC)
    second = add_key(db, "A0000002", ENC)
    assert first.wrapped_data_key != second.wrapped_data_key
    assert first.encryption_key_sealed != second.encryption_key_sealed


def test_sealed_values_cannot_be_swapped_between_rows(db):
    first = add_key(db, "A0000001", ENC)
    second = add_key(db, "A0000002", AUTH)
    first.encryption_key_sealed, first.wrapped_data_key = (
        second.encryption_key_sealed,
        second.wrapped_data_key,
    )
    db.add(first)
    db.flush()
    with pytest.raises(MasterKeyError):
        key_for_serial(db, "A0000001")


def test_a_wrong_master_key_opens_nothing(db, monkeypatch):
    add_key(db, "A0000001", ENC)
    other = load_master_key(os.urandom(32).hex())
    monkeypatch.setattr(keys, "master_key", lambda: other)
    with pytest.raises(MasterKeyError):
        key_for_serial(db, "A0000001")


def test_master_key_from_env_or_a_generated_file(tmp_path):
    hex_key = "11" * 32
    assert load_master_key(hex_key).key == bytes(32 * [0x11])
    import base64

    assert load_master_key(base64.b64encode(bytes(32)).decode()).key == bytes(32)
    with pytest.raises(MasterKeyError):
        load_master_key("abcd")
    path = tmp_path / "data" / "master.key"
    generated = load_master_key("", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key("", str(path)) == generated


def test_bad_keys_and_duplicates_are_refused(db):
    with pytest.raises(InvalidMeterKey):
        add_key(db, "A1", "00ff")
    with pytest.raises(InvalidMeterKey):
        add_key(db, "A1", ENC, system_title="0102")
    add_key(db, "A1", ENC)
    with pytest.raises(InvalidMeterKey) as refused:
        add_key(db, "A1", AUTH)
    assert "A1" in refused.value.message("en")
    add_key(db, "A1", AUTH, replace=True)
    assert key_for_serial(db, "A1").encryption_key == AUTH


def test_csv_import_reports_bad_lines_and_audits(db):
    content = (
        "serial;key;auth_key;system_title\n"
        f"KAM57000074;{ENC.hex()};;\n"
        f"KFM1020000005;{ENC.hex()};{AUTH.hex()};{TITLE.hex()}\n"
        "BROKEN;12345;;\n"
    )
    result = import_keys_csv(db, content, source_name="keys.csv")
    assert (result.added, result.replaced) == (2, 0)
    assert [line for line, _ in result.rejected] == [4]
    db.commit()
    assert len(db.exec(select(MeterKey)).all()) == 2
    assert _actions(db) == ["key.add", "key.add", "key.import"]


def test_a_wireless_meter_is_found_by_its_maker_and_number_exactly(db):
    add_key(db, "KAM57000074", ENC)
    add_key(db, "XYZ57000074", AUTH)  # another maker's meter with the same number
    add_key(db, "57000075", AUTH, manufacturer="KAM")  # the maker named beside a bare number
    assert key_for_wmbus(db, "KAM", "57000074").encryption_key == ENC
    assert key_for_wmbus(db, "kam", "57000074").encryption_key == ENC
    assert key_for_wmbus(db, "XYZ", "57000074").encryption_key == AUTH
    assert key_for_wmbus(db, "KAM", "57000075").encryption_key == AUTH
    assert key_for_wmbus(db, "LUG", "57000074") is None
    assert key_for_wmbus(db, "KAM", "7000074") is None  # digits of another number do not count
    # A plain string is a full serial, nothing less.
    assert key_for_serial(db, "KAM57000074").encryption_key == ENC
    assert key_for_serial(db, "57000074") is None


def test_export_is_audited(db):
    add_key(db, "A1", ENC, owner_id=None)
    csv_text = export_keys_csv(db, None, Caller(role="distributor"))
    assert ENC.hex() in csv_text
    db.commit()
    export = db.exec(select(AuditEntry).where(AuditEntry.action == "key.export")).one()
    assert export.actor_role == "distributor" and export.detail == "1 keys"


def test_a_recorded_version_and_device_type_must_match_too(db):
    add_key(db, "KAM57000074", ENC)
    unit = add_key(db, "KAM57000075", AUTH)
    unit.wmbus_version, unit.wmbus_device_type = 0x1B, 0x16
    db.add(unit)
    db.flush()
    assert key_for_wmbus(db, "KAM", "57000074", version=0x30, device_type=0x02).encryption_key == ENC
    assert key_for_wmbus(db, "KAM", "57000075", version=0x1B, device_type=0x16).encryption_key == AUTH
    assert key_for_wmbus(db, "KAM", "57000075", version=0x1C, device_type=0x16) is None
    assert key_for_wmbus(db, "KAM", "57000075", version=0x1B, device_type=0x07) is None
