"""Key imports: a .kem built here with `cryptography` and a CSV, each previewed with its bad rows
and why, cancelled (nothing written) or confirmed (all good rows, or nothing)."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from key_factories import unit_id
from sqlalchemy import text
from sqlmodel import select

from app.models import AuditEntry, KeyImportRow, MeterKey
from app.services.errors import AccessDenied, DomainError
from app.services.keys.imports import (
    cancel_import,
    confirm_import,
    stage_csv_import,
    stage_kem_import,
)
from app.services.keys.kem import (
    KemEntry,
    NotAKemFile,
    WrongKemPassword,
    build_kem,
    decrypt_kem,
    parse_kem_xml,
)
from app.services.keys.worker_keys import key_for_serial

PASSWORD = "Kunde4711"
KEY_A = "28F64A24988064A079AA2C807D6102AE"
KEY_B = "51728910E66D83F851728910E66D83F8"


def kamstrup_download(xml: str, password: str, *, zero_padded: bool = True) -> bytes:
    """A .kem as Kamstrup's software writes it, built independently of the product's writer:
    AES-128-CBC, key = password UTF-8 zero-padded to 16 bytes, IV = key, in <EncryptedData>, zipped."""
    key = password.encode()[:16].ljust(16, b"\x00")
    plain = xml.encode()
    plain += (
        b"\x00" * (-len(plain) % 16)
        if zero_padded
        else bytes([16 - len(plain) % 16]) * (16 - len(plain) % 16)
    )
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    cipher_value = base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()
    document = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns="http://www.w3.org/2001/04/xmlenc#">'
        '<EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc" />'
        f"<CipherData><CipherValue>{cipher_value}</CipherValue></CipherData></EncryptedData>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Order_4711.kem", document)
    return out.getvalue()


METERS_IN_ORDER = f"""<?xml version="1.0" encoding="utf-8"?>
<MetersInOrder>
  <Meter><SerialNo>76348799</SerialNo><MeterNo>1</MeterNo><ConsumptionType>Water</ConsumptionType><DEK>{KEY_A}</DEK></Meter>
  <Meter><SerialNo>57000010</SerialNo><MeterNo>2</MeterNo><ConsumptionType>Heat</ConsumptionType><DEK>{KEY_B}</DEK></Meter>
  <Meter><SerialNo>57000101</SerialNo><MeterNo>3</MeterNo><ConsumptionType>Heat</ConsumptionType><DEK>XYZ</DEK></Meter>
  <Meter><SerialNo>57000010</SerialNo><MeterNo>4</MeterNo><ConsumptionType>Heat</ConsumptionType><DEK>{KEY_A}</DEK></Meter>
  <Meter><SerialNo>68000001</SerialNo><MeterNo>5</MeterNo><ConsumptionType>Heat</ConsumptionType><DEK>{KEY_A}</DEK></Meter>
  <Meter><SerialNo>57000102</SerialNo><MeterNo>6</MeterNo><ConsumptionType>Heat</ConsumptionType><DEK>00FF</DEK></Meter>
</MetersInOrder>"""

DEVICES = f"""<?xml version="1.0"?><Export><Devices>
<Device><SerialNumber>71000001</SerialNumber><ConsumptionTypeName>Electricity</ConsumptionTypeName><Value>{KEY_B}</Value></Device>
</Devices></Export>"""


def test_a_kamstrup_kem_is_previewed_with_its_bad_rows_and_confirmed(db, world):
    preview = stage_kem_import(
        db, world.own, "Order_4711.kem", kamstrup_download(METERS_IN_ORDER, PASSWORD), PASSWORD
    )
    db.commit()
    problems = {(row.line, row.serial): row.problem for row in preview.rows}
    assert problems == {
        (1, "KAM76348799"): "",
        (2, "KAM57000010"): "",
        (3, "KAM57000101"): "keys.import.bad_hex",
        (4, "KAM57000010"): "keys.import.duplicate_serial",
        (5, "KAM68000001"): "keys.import.other_owner",  # the other organisation's unit
        (6, "KAM57000102"): "keys.import.wrong_length",
    }
    assert (preview.good, preview.bad) == (2, 4)
    assert preview.rows[0].medium == "water" and preview.rows[1].medium == "district_heating"
    assert key_for_serial(db, "KAM76348799") is None  # nothing written before confirming
    old_key = key_for_serial(db, "KAM57000010").encryption_key
    assert [row.serial for row in preview.rows if row.replaces] == ["KAM57000010"]
    assert preview.replacing == 1
    progress: list[tuple[int, int]] = []
    outcome = confirm_import(
        db,
        world.own,
        preview.batch_id,
        lambda done, total: progress.append((done, total)),
        replace_existing=True,
    )
    assert (outcome.written, outcome.replaced, outcome.skipped) == (2, ["KAM57000010"], [])
    db.commit()
    assert progress[-1] == (2, 2)
    assert key_for_serial(db, "KAM76348799").encryption_key.hex().upper() == KEY_A
    # The existing unit KAM57000010 (this organisation's) is re-keyed, not duplicated.
    assert old_key.hex().upper() != KEY_B
    assert key_for_serial(db, "KAM57000010").encryption_key.hex().upper() == KEY_B
    assert db.exec(select(MeterKey).where(MeterKey.serial == "KAM57000010")).one().id == world.own_units[10]
    assert db.get(MeterKey, unit_id(db, "KAM76348799")).owner_id == world.own.organisation_id
    other = db.get(MeterKey, unit_id(db, "KAM68000001"))
    assert other.owner_id == world.other.organisation_id
    assert db.exec(select(KeyImportRow)).all() == []  # the sealed copies are gone
    audit = db.exec(select(AuditEntry.detail).where(AuditEntry.action == "key.import")).all()
    assert any("KAM76348799" in detail and "KAM57000010" in detail for detail in audit)
    # The replaced serial is named on its own audit row.
    assert [d for d in audit if "replaced existing keys" in d] == [
        "Order_4711.kem (kem): replaced existing keys; serials: KAM57000010"
    ]
    with pytest.raises(DomainError):
        confirm_import(db, world.own, preview.batch_id)  # once only


def test_the_devices_layout_and_the_products_own_writer(db, world):
    entries = parse_kem_xml(decrypt_kem(kamstrup_download(DEVICES, PASSWORD, zero_padded=False), PASSWORD))
    assert entries == [KemEntry("71000001", "", "electricity", KEY_B)]
    written = build_kem([KemEntry("76348799", "1", "water", KEY_A, "MULTICAL 21")], "pw")
    assert parse_kem_xml(decrypt_kem(written, "pw")) == [
        KemEntry("76348799", "1", "water", KEY_A, "MULTICAL 21")
    ]


def test_a_wrong_password_is_refused_clearly(db, world):
    download = kamstrup_download(METERS_IN_ORDER, PASSWORD)
    with pytest.raises(WrongKemPassword) as refused:
        stage_kem_import(db, world.own, "Order_4711.kem", download, "Kunde4712")
    assert refused.value.field == "password"
    assert "password" in refused.value.message("en")
    with pytest.raises(NotAKemFile):
        stage_kem_import(db, world.own, "notes.kem", b"PK not really", PASSWORD)


CSV = (
    "serial;kind;model;medium;key\n"
    f"KAM57000200;meter;MULTICAL 21;water;{KEY_A}\n"
    f"KAM57000201;concentrator;OMNIA;;{KEY_B}\n"
    "KAM57000202;meter;MULTICAL 21;water;not-hex\n"
    f"KAM57000203;router;X;;{KEY_A}\n"
)


def test_a_csv_import_cancelled_writes_nothing(db, world):
    before = db.exec(select(MeterKey.id)).all()
    preview = stage_csv_import(db, world.own, "keys.csv", CSV.encode())
    assert [(row.line, row.problem) for row in preview.rows] == [
        (2, ""),
        (3, ""),
        (4, "keys.import.bad_hex"),
        (5, "keys.import.bad_kind"),
    ]
    cancel_import(db, world.own, preview.batch_id)
    db.commit()
    assert db.exec(select(MeterKey.id)).all() == before
    assert db.exec(select(KeyImportRow)).all() == []
    with pytest.raises(DomainError):
        confirm_import(db, world.own, preview.batch_id)


def test_a_csv_import_confirmed_writes_the_good_rows(db, world):
    preview = stage_csv_import(db, world.own, "keys.csv", CSV.encode())
    assert confirm_import(db, world.own, preview.batch_id).written == 2
    db.commit()
    concentrator = db.get(MeterKey, unit_id(db, "KAM57000201"))
    assert (concentrator.kind, concentrator.model, concentrator.manufacturer) == (
        "concentrator",
        "OMNIA",
        "KAM",
    )
    assert key_for_serial(db, "KAM57000200").encryption_key.hex().upper() == KEY_A


def test_staged_rows_never_hold_a_plaintext_key(db, world, database_url):
    stage_csv_import(db, world.own, "keys.csv", CSV.encode())
    db.commit()
    raw = Path(database_url.removeprefix("sqlite:///")).read_bytes()
    for key in (KEY_A, KEY_B):
        assert bytes.fromhex(key) not in raw
        assert key.encode() not in raw and key.lower().encode() not in raw
    rows = db.exec(text("SELECT encryption_key_sealed FROM key_import_row WHERE problem = ''")).all()
    assert len(rows) == 2 and all(bytes.fromhex(KEY_A) not in row[0] for row in rows)


def test_all_or_nothing_when_another_organisation_takes_a_unit_meanwhile(db, world):
    preview = stage_csv_import(db, world.own, "keys.csv", CSV.encode())
    # Between preview and confirm the other organisation stores KAM57000201.
    from app.services.keys.sealing import add_key

    add_key(db, "KAM57000201", bytes(16), owner_id=world.other.organisation_id)
    with pytest.raises(DomainError):
        confirm_import(db, world.own, preview.batch_id)
    assert key_for_serial(db, "KAM57000200") is None


def test_another_organisation_cannot_confirm_or_cancel_the_batch(db, world):
    preview = stage_csv_import(db, world.own, "keys.csv", CSV.encode())
    with pytest.raises(AccessDenied):
        confirm_import(db, world.other, preview.batch_id)
    with pytest.raises(AccessDenied):
        cancel_import(db, world.other, preview.batch_id)


def test_an_existing_key_is_kept_unless_replacing_was_asked_for(db, world):
    """A row for a unit that already has a key (the organisation's own) is marked in the preview and
    skipped on confirm unless "Replace existing keys" was ticked."""
    old_key = key_for_serial(db, "KAM57000010").encryption_key
    content = f"serial,key\nKAM57000010,{KEY_B}\nKAM57000300,{KEY_A}\n".encode()
    preview = stage_csv_import(db, world.own, "keys.csv", content)
    assert [(row.serial, row.replaces) for row in preview.rows] == [
        ("KAM57000010", True),
        ("KAM57000300", False),
    ]
    assert (preview.good, preview.replacing) == (2, 1)
    outcome = confirm_import(db, world.own, preview.batch_id)
    db.commit()
    assert (outcome.written, outcome.replaced, outcome.skipped) == (1, [], ["KAM57000010"])
    assert key_for_serial(db, "KAM57000010").encryption_key == old_key
    assert key_for_serial(db, "KAM57000300").encryption_key.hex().upper() == KEY_A
    details = db.exec(select(AuditEntry.detail).where(AuditEntry.action == "key.import")).all()
    assert "keys.csv (csv): 1 written, 0 replaced, 1 skipped; serials: KAM57000300" in details
    assert "keys.csv (csv): skipped, key exists; serials: KAM57000010" in details
