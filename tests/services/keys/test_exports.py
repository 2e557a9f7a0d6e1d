"""Key exports: four formats, the password asked again after five minutes, audited with serials."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from key_factories import PASSWORD
from sqlmodel import select

from app.clock import running_from, utcnow
from app.models import AuditEntry, MeterKey
from app.services.errors import AccessDenied, DomainError
from app.services.keys.exports import (
    ExportFormat,
    ReauthenticationRequired,
    export_keys,
    reauthenticate,
)
from app.services.keys.key_audit import audited_serials
from app.services.keys.read_rights import assign_read_rights
from app.services.keys.worker_keys import key_for_serial


def _keys(db, unit_ids):
    rows = [db.get(MeterKey, unit_id) for unit_id in unit_ids]
    return {row.serial: key_for_serial(db, row.serial).encryption_key.hex().upper() for row in rows}


def test_csv_and_serial_key_lines(db, world):
    units = world.own_units[:3]
    expected = _keys(db, units)
    exported = export_keys(db, world.own, units, ExportFormat.CSV)
    assert exported.media_type == "text/csv" and exported.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert {row["serial"]: row["key"] for row in rows} == expected
    assert rows[0]["auth_key"] != ""  # the first test unit has an authentication key
    lines = export_keys(db, world.own, units, ExportFormat.SERIAL_KEY_LINES).content.decode().splitlines()
    assert lines == [f"KAM;{serial[3:]};{key}" for serial, key in sorted(expected.items())]


def test_wmbusmeters_meter_files(db, world):
    units = world.own_units[:2]
    expected = _keys(db, units)
    exported = export_keys(db, world.own, units, ExportFormat.WMBUSMETERS)
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    assert set(files) == set(expected)
    for serial, body in files.items():
        settings = dict(line.split("=", 1) for line in body.splitlines())
        assert settings == {"name": serial, "id": serial[3:], "key": expected[serial], "driver": "auto"}


def test_worker_json_is_read_by_the_worker_import(db, world, tmp_path, database_url):
    units = world.own_units[:2]
    expected = _keys(db, units)
    exported = export_keys(db, world.own, units, ExportFormat.WORKER_JSON)
    document = json.loads(exported.content)
    assert {entry["serial"]: entry["key"] for entry in document["keys"]} == expected
    db.commit()
    # Another installation's worker imports the file into its own key table.
    other_db = tmp_path / "other.db"
    from app.migrate import upgrade_to_head

    upgrade_to_head(f"sqlite:///{other_db}")
    path = tmp_path / "keys.json"
    path.write_bytes(exported.content)
    env = {"DATABASE_URL": f"sqlite:///{other_db}", "MASTER_KEY": "22" * 32, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "app.ingest", "keys", "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "added 2" in done.stdout


def test_an_export_asks_for_the_password_after_five_minutes(db, world):
    units = world.own_units[:1]
    with running_from(utcnow() + timedelta(minutes=6)):
        with pytest.raises(ReauthenticationRequired) as asked:
            export_keys(db, world.own, units, ExportFormat.CSV)
        assert asked.value.field == "password"
        with pytest.raises(DomainError) as wrong:
            reauthenticate(db, world.own, "Feil#Passord99")
        assert wrong.value.field == "password"
        reauthenticate(db, world.own, PASSWORD)
        assert export_keys(db, world.own, units, ExportFormat.CSV).content
    with running_from(utcnow() + timedelta(minutes=12)), pytest.raises(ReauthenticationRequired):
        export_keys(db, world.own, units, ExportFormat.CSV)


def test_exports_are_audited_with_the_serials(db, world):
    units = world.own_units[:3]
    export_keys(db, world.own, units, ExportFormat.SERIAL_KEY_LINES)
    db.commit()
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "key.export")).one()
    assert audited_serials(entry.detail).split(",") == sorted(_keys(db, units))
    assert "serial_key_lines" in entry.detail and entry.actor_user_id == world.own.user_id


def test_a_reader_exports_only_assigned_units(db, world):
    from key_factories import signed_in

    from app.models import Role

    reader = signed_in(db, Role.KEY_READER, "leser@example.no")
    assign_read_rights(db, world.own, world.own_units[:2], "leser@example.no")
    assert export_keys(db, reader, world.own_units[:2], ExportFormat.CSV).content.count(b"\n") == 3
    with pytest.raises(AccessDenied):
        export_keys(db, reader, world.own_units[:3], ExportFormat.CSV)
