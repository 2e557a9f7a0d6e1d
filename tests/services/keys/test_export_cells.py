"""The key service's exports made safe to open: CSV cells through the one cell-neutralising function
(a hostile serial, model, medium or file name comes back as text), ZIP member names without paths."""

from __future__ import annotations

import csv
import io
import os

import pytest

from app.services.caller import CLI_CALLER
from app.services.keys.audit_view import AuditQuery, audit_csv
from app.services.keys.exports import ExportFormat, export_keys
from app.services.keys.imports import cancel_import, stage_csv_import
from app.services.keys.operator_files import export_keys_csv
from app.services.keys.sealing import add_key


@pytest.fixture
def hostile_unit(db, world):
    row = add_key(
        db,
        "=cmd|' /C calc'!A0",
        os.urandom(16),
        None,
        kind="meter",
        owner_id=world.own.organisation_id,
        model="@SUM(1)",
        medium="-water",
    )
    db.flush()
    return row.id


def test_the_key_csv_and_the_serial_key_lines(db, world, hostile_unit):
    exported = export_keys(db, world.own, [hostile_unit], ExportFormat.CSV).content.decode()
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["serial"], row["model"], row["medium"]) == ("'=cmd|' /C calc'!A0", "'@SUM(1)", "'-water")
    lines = export_keys(db, world.own, [hostile_unit], ExportFormat.SERIAL_KEY_LINES).content.decode()
    assert lines.startswith("KAM;'=cmd|")


def test_the_key_audit_csv(db, world, hostile_unit):
    key = "28F64A24988064A079AA2C807D6102AE"
    batch = stage_csv_import(
        db, world.own, '=HYPERLINK("http://x.example","y").csv', f"serial,key\nKAM1,{key}\n".encode()
    )
    cancel_import(db, world.own, batch.batch_id)
    export_keys(db, world.own, [hostile_unit], ExportFormat.CSV)
    db.commit()
    rows = list(csv.DictReader(io.StringIO(audit_csv(db, world.own, AuditQuery()).decode())))
    cells = [value for row in rows for value in row.values()]
    assert not [value for value in cells if value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(row["units"].startswith("'=cmd|") for row in rows)


def test_the_operators_key_csv(db, world, hostile_unit):
    rows = list(csv.DictReader(io.StringIO(export_keys_csv(db, world.own.organisation_id, CLI_CALLER))))
    assert "'=cmd|' /C calc'!A0" in {row["serial"] for row in rows}


def test_the_wmbusmeters_zip_names_no_path_outside_its_folder(db, world):
    import zipfile

    row = add_key(db, "../../etc/KAM1", os.urandom(16), None, owner_id=world.own.organisation_id)
    db.flush()
    exported = export_keys(db, world.own, [row.id], ExportFormat.WMBUSMETERS).content
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert archive.namelist() == ["_.._etc_KAM1"]
