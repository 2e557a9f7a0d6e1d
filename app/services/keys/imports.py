"""Staged key imports: a file is read and checked into a batch, shown as a preview, then confirmed
(every good row written, or none) or cancelled (nothing written).

The parsed keys wait in ``key_import_row`` sealed exactly as ``meter_key`` holds them (bound to
the serial), never in plaintext and never in a browser's state; confirming copies the sealed values
without opening them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import (
    ImportBatchStatus,
    KeyImportBatch,
    KeyImportRow,
    KeyKind,
    Meter,
    MeterKey,
    Role,
)
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.keys.kem import decrypt_kem, parse_kem_xml
from app.services.keys.key_audit import audit_units
from app.services.keys.sealing import manufacturer_of, seal_keys
from app.services.keys.worker_keys import canonical_serial, wmbus_identity_of

MAX_ROWS = 100_000
_CHUNK = 2000

BAD_HEX = "keys.import.bad_hex"
WRONG_LENGTH = "keys.import.wrong_length"
DUPLICATE_SERIAL = "keys.import.duplicate_serial"
OTHER_OWNER = "keys.import.other_owner"
MISSING_SERIAL = "keys.import.missing_serial"
BAD_KIND = "keys.import.bad_kind"
BAD_WMBUS_BYTE = "keys.import.bad_wmbus_byte"


@dataclass(frozen=True)
class ImportRow:
    line: int
    serial: str
    kind: str
    model: str
    medium: str
    problem: str  # "" = good, else an i18n key
    replaces: bool = False  # a good row for a unit that already has a key (the organisation's own)


@dataclass(frozen=True)
class ImportPreview:
    batch_id: int
    filename: str
    rows: list[ImportRow]
    good: int
    bad: int
    replacing: int = 0  # good rows that would replace an existing key


@dataclass(frozen=True)
class ImportOutcome:
    """What confirming wrote: new units and replaced keys, and the units skipped because they
    already had a key and replacing was not asked for."""

    written: int
    replaced: list[str]
    skipped: list[str]


@dataclass
class _Candidate:
    line: int
    serial: str
    key_text: str
    auth_text: str = ""
    kind: str = KeyKind.METER.value
    model: str = ""
    medium: str = ""
    manufacturer: str = ""
    system_title: str | None = None
    version_text: str = ""  # a wireless M-Bus meter's version and device type: 27 or 0x1B
    device_type_text: str = ""
    wmbus_version: int | None = None
    wmbus_device_type: int | None = None
    problem: str = ""
    keys: tuple[bytes, bytes | None] | None = field(default=None, repr=False)


def _organisation(caller: Caller) -> int:
    if caller.is_role(Role.DISTRIBUTOR) and caller.organisation_id is not None:
        return caller.organisation_id
    raise AccessDenied("auth.denied")


def _key_bytes(text: str) -> tuple[bytes | None, str]:
    cleaned = text.strip().replace(" ", "").replace(":", "").removeprefix("0x").removeprefix("0X")
    try:
        key = bytes.fromhex(cleaned)
    except ValueError:
        return None, BAD_HEX
    return (key, "") if len(key) == 16 else (None, WRONG_LENGTH)


def _is_system_title(text: str) -> bool:
    try:
        return len(bytes.fromhex(text)) == 8
    except ValueError:
        return False


def _header_byte(text: str) -> tuple[int | None, bool]:
    """A header byte as written (27, 0x1B); (None, True) for none, (None, False) when unreadable."""
    if not text.strip():
        return None, True
    try:
        value = int(text.strip(), 0)
    except ValueError:
        return None, False
    return (value, True) if 0 <= value <= 255 else (None, False)


def _check(candidate: _Candidate) -> None:
    """The row's own problems (the file and the database are checked after)."""
    if not candidate.serial or len(candidate.serial) > 40:
        candidate.problem = MISSING_SERIAL
        return
    if candidate.kind not in {k.value for k in KeyKind}:
        candidate.problem = BAD_KIND
        return
    if candidate.system_title is not None and not _is_system_title(candidate.system_title):
        candidate.problem = BAD_HEX
        return
    candidate.wmbus_version, version_ok = _header_byte(candidate.version_text)
    candidate.wmbus_device_type, type_ok = _header_byte(candidate.device_type_text)
    if not (version_ok and type_ok):
        candidate.problem = BAD_WMBUS_BYTE
        return
    key, problem = _key_bytes(candidate.key_text)
    auth: bytes | None = None
    if not problem and candidate.auth_text.strip():
        auth, problem = _key_bytes(candidate.auth_text)
    if problem:
        candidate.problem = problem
        return
    assert key is not None
    candidate.keys = (key, auth)


def _stage(
    db: Session, caller: Caller, filename: str, file_kind: str, candidates: list[_Candidate]
) -> ImportPreview:
    organisation_id = _organisation(caller)
    if not candidates:
        raise DomainError("keys.import.empty", field="file")
    if len(candidates) > MAX_ROWS:
        raise DomainError("keys.import.too_large", field="file", limit=MAX_ROWS)
    seen: set[str] = set()
    for candidate in candidates:
        candidate.serial = canonical_serial(candidate.serial, candidate.manufacturer)
        _check(candidate)
        if candidate.serial in seen and not candidate.problem:
            candidate.problem = DUPLICATE_SERIAL
        seen.add(candidate.serial)
    owners = _owners(db, [c.serial for c in candidates if not c.problem])
    foreign = _foreign(db, organisation_id, [(c.serial, c.manufacturer) for c in candidates if not c.problem])
    for candidate in candidates:
        if not candidate.problem and candidate.serial in foreign:
            candidate.problem = OTHER_OWNER
    batch = KeyImportBatch(
        organisation_id=organisation_id,
        created_by_user_id=caller.user_id,
        filename=filename[:255],
        file_kind=file_kind,
    )
    db.add(batch)
    db.flush()
    values = []
    for candidate in candidates:
        sealed = None
        if not candidate.problem and candidate.keys is not None:
            sealed = seal_keys(candidate.serial, *candidate.keys)
        candidate.keys = None  # plaintext goes no further than this function
        values.append(
            {
                "batch_id": batch.id,
                "line": candidate.line,
                "serial": candidate.serial[:40],
                "manufacturer": (candidate.manufacturer or manufacturer_of(candidate.serial))[:8],
                "kind": candidate.kind[:16],
                "model": candidate.model[:60],
                "medium": candidate.medium[:32],
                "system_title": candidate.system_title,
                "problem": candidate.problem,
                "wmbus_version": candidate.wmbus_version,
                "wmbus_device_type": candidate.wmbus_device_type,
                "encryption_key_sealed": sealed.encryption_key_sealed if sealed else None,
                "authentication_key_sealed": sealed.authentication_key_sealed if sealed else None,
                "wrapped_data_key": sealed.wrapped_data_key if sealed else None,
                "master_key_id": sealed.master_key_id if sealed else "",
            }
        )
    db.execute(insert(KeyImportRow), values)
    batch.good = sum(1 for c in candidates if not c.problem)
    batch.bad = len(candidates) - batch.good
    db.add(batch)
    audit_units(
        db,
        "key.import_staged",
        caller,
        [],
        organisation_id=organisation_id,
        detail=f"{filename} ({file_kind}): {batch.good} good, {batch.bad} bad",
    )
    rows = [
        ImportRow(
            c.line,
            c.serial,
            c.kind,
            c.model,
            c.medium,
            c.problem,
            replaces=not c.problem and c.serial in owners,
        )
        for c in candidates
    ]
    replacing = sum(1 for row in rows if row.replaces)
    return ImportPreview(batch.id or 0, filename, rows, batch.good, batch.bad, replacing)


def _foreign(db: Session, organisation_id: int, units: Sequence[tuple[str, str]]) -> set[str]:
    """The serials (of ``(serial, maker)`` pairs) that belong to another organisation: a unit of
    theirs with this serial or the same wireless M-Bus identity (maker + id), or a meter of theirs
    with this serial. Importing them would hand another's meter a key it did not ask for, or hide
    its key from the worker; only the meter's owner links a key to a meter."""
    identities = {serial: wmbus_identity_of(serial, maker) for serial, maker in units}
    names = sorted({*identities, *(identity[1] for identity in identities.values() if identity)})
    taken_serials: set[str] = set()
    taken_identities: set[tuple[str, str]] = set()
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        units_named = select(MeterKey.serial, MeterKey.manufacturer, MeterKey.owner_id)
        for serial, maker, owner_id in db.exec(units_named.where(col(MeterKey.serial).in_(chunk))):
            if owner_id != organisation_id:
                taken_serials.add(serial)
                if (identity := wmbus_identity_of(serial, maker)) is not None:
                    taken_identities.add(identity)
        meters_named = select(Meter.serial, Meter.owner_id).where(col(Meter.serial).in_(chunk))
        for serial, owner_id in db.exec(meters_named):
            if owner_id is not None and owner_id != organisation_id:
                taken_serials.add(serial)
    return {
        serial
        for serial, identity in identities.items()
        if serial in taken_serials or (identity and identity in taken_identities)
    }


def _owners(db: Session, serials: Sequence[str]) -> dict[str, int | None]:
    owners: dict[str, int | None] = {}
    for start in range(0, len(serials), _CHUNK):
        chunk = serials[start : start + _CHUNK]
        owners.update(
            db.exec(select(MeterKey.serial, MeterKey.owner_id).where(col(MeterKey.serial).in_(chunk))).all()
        )
    return owners


def unit_serial(kem_serial: str) -> str:
    """The portal's serial of a Kamstrup unit: "KAM" + the number the key file gives."""
    serial = kem_serial.strip()
    return f"KAM{serial}" if serial.isdigit() else serial


def stage_kem_import(
    db: Session, caller: Caller, filename: str, content: bytes, password: str
) -> ImportPreview:
    """Read a Kamstrup .kem/.kem2 file into a batch for preview (WrongKemPassword on a wrong password)."""
    _organisation(caller)
    entries = parse_kem_xml(decrypt_kem(content, password))
    candidates = [
        _Candidate(
            line=number,
            serial=unit_serial(entry.serial),
            key_text=entry.key_hex,
            model=entry.model,
            medium=entry.medium,
            manufacturer="KAM",
        )
        for number, entry in enumerate(entries, start=1)
    ]
    return _stage(db, caller, filename, "kem", candidates)


_COLUMNS = {
    "serial": ("serial", "serial_number", "serialno", "meter", "unit"),
    "kind": ("kind", "type"),
    "model": ("model",),
    "medium": ("medium", "consumption_type"),
    "manufacturer": ("manufacturer", "make"),
    "key": ("key", "encryption_key", "aes_key", "dek", "ek", "guek"),
    "auth_key": ("auth_key", "authentication_key", "ak", "gak"),
    "system_title": ("system_title", "systemtitle"),
    "version": ("version", "wmbus_version"),
    "device_type": ("device_type", "wmbus_device_type", "wmbus_type"),
}


def stage_csv_import(db: Session, caller: Caller, filename: str, content: bytes) -> ImportPreview:
    """Read a CSV (serial, kind, model, key columns; `,` `;` or tab) into a batch for preview."""
    _organisation(caller)
    text = content.decode("utf-8-sig", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [cell.strip().lower().replace(" ", "_") for cell in (lines[0] if lines else [])]
    at = {
        name: next((i for i, h in enumerate(header) if h in names), None) for name, names in _COLUMNS.items()
    }
    if at["serial"] is None or at["key"] is None:
        raise DomainError("keys.import.bad_csv", field="file")
    candidates = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = at[name]
            return cells[index].strip() if index is not None and index < len(cells) else ""

        candidates.append(
            _Candidate(
                line=number,
                serial=cell("serial"),
                key_text=cell("key"),
                auth_text=cell("auth_key"),
                kind=(cell("kind") or KeyKind.METER.value).lower(),
                model=cell("model"),
                medium=cell("medium"),
                manufacturer=cell("manufacturer").upper(),
                system_title=cell("system_title").lower() or None,
                version_text=cell("version"),
                device_type_text=cell("device_type"),
            )
        )
    return _stage(db, caller, filename, "csv", candidates)


def _staged_batch(db: Session, caller: Caller, batch_id: int) -> KeyImportBatch:
    organisation_id = _organisation(caller)
    batch = db.get(KeyImportBatch, batch_id)
    if batch is None or batch.organisation_id != organisation_id:
        raise AccessDenied("auth.denied")
    if batch.status != ImportBatchStatus.STAGED.value:
        raise DomainError("keys.error.no_batch")
    return batch


def confirm_import(
    db: Session,
    caller: Caller,
    batch_id: int,
    progress: Callable[[int, int], None] | None = None,
    *,
    replace_existing: bool = False,
) -> ImportOutcome:
    """Write every good row of the batch, all or nothing. A unit that already has a key (the
    organisation's own) gets the new one only with ``replace_existing``, else it is skipped and
    reported. A unit another organisation took meanwhile refuses the whole."""
    batch = _staged_batch(db, caller, batch_id)
    staged = db.exec(
        select(KeyImportRow)
        .where(KeyImportRow.batch_id == batch.id, KeyImportRow.problem == "")
        .order_by(col(KeyImportRow.line))
    ).all()
    total = len(staged)
    now = utcnow()
    replaced: list[str] = []
    skipped: list[str] = []
    with db.begin_nested():  # a failure half-way leaves nothing behind, whatever the caller does next
        for start in range(0, total, _CHUNK):
            chunk = staged[start : start + _CHUNK]
            serials = [row.serial for row in chunk]
            existing = {
                row.serial: row for row in db.exec(select(MeterKey).where(col(MeterKey.serial).in_(serials)))
            }
            if any(row.owner_id != batch.organisation_id for row in existing.values()) or _foreign(
                db, batch.organisation_id, [(row.serial, row.manufacturer) for row in chunk]
            ):
                raise DomainError("keys.import.other_owner")
            # A key is linked only to a meter of the importer's own organisation.
            meters = dict(
                db.exec(
                    select(Meter.serial, Meter.id).where(
                        col(Meter.serial).in_(serials), Meter.owner_id == batch.organisation_id
                    )
                ).all()
            )
            new_values = []
            for row in chunk:
                sealed = {
                    "encryption_key_sealed": row.encryption_key_sealed,
                    "wrapped_data_key": row.wrapped_data_key,
                    "authentication_key_sealed": row.authentication_key_sealed,
                    "master_key_id": row.master_key_id,
                    "kind": row.kind,
                    "updated_at": now,
                }
                unit = existing.get(row.serial)
                if unit is None:
                    new_values.append(
                        {
                            **sealed,
                            "serial": row.serial,
                            "owner_id": batch.organisation_id,
                            "manufacturer": row.manufacturer,
                            "model": row.model,
                            "medium": row.medium,
                            "system_title": row.system_title,
                            "meter_id": meters.get(row.serial),
                            "wmbus_version": row.wmbus_version,
                            "wmbus_device_type": row.wmbus_device_type,
                            "created_at": now,
                            "reader_count": 0,
                        }
                    )
                    continue
                if not replace_existing:
                    skipped.append(row.serial)
                    continue
                replaced.append(row.serial)
                for name, value in sealed.items():
                    setattr(unit, name, value)
                unit.model = row.model or unit.model
                unit.medium = row.medium or unit.medium
                unit.system_title = row.system_title or unit.system_title
                if row.wmbus_version is not None or row.wmbus_device_type is not None:
                    unit.wmbus_version, unit.wmbus_device_type = row.wmbus_version, row.wmbus_device_type
                db.add(unit)
            if new_values:
                db.execute(insert(MeterKey), new_values)
            db.flush()
            if progress is not None:
                progress(min(start + _CHUNK, total), total)
        batch.status = ImportBatchStatus.CONFIRMED.value
        batch.decided_at = now
        db.add(batch)
        # The sealed copies have done their work.
        db.execute(delete(KeyImportRow).where(col(KeyImportRow.batch_id) == batch.id))
        not_written = set(skipped)
        written = [row.serial for row in staged if row.serial not in not_written]
        source = f"{batch.filename} ({batch.file_kind})"
        audit_units(
            db,
            "key.import",
            caller,
            written,
            organisation_id=batch.organisation_id,
            detail=f"{source}: {len(written)} written, {len(replaced)} replaced, {len(skipped)} skipped",
        )
        if replaced:
            audit_units(
                db,
                "key.import",
                caller,
                replaced,
                organisation_id=batch.organisation_id,
                detail=f"{source}: replaced existing keys",
            )
        if skipped:
            audit_units(
                db,
                "key.import",
                caller,
                skipped,
                organisation_id=batch.organisation_id,
                detail=f"{source}: skipped, key exists",
            )
    if progress is not None and total == 0:
        progress(0, 0)
    return ImportOutcome(len(written), replaced, skipped)


def cancel_import(db: Session, caller: Caller, batch_id: int) -> None:
    """Drop the batch: nothing is written."""
    batch = _staged_batch(db, caller, batch_id)
    batch.status = ImportBatchStatus.CANCELLED.value
    batch.decided_at = utcnow()
    db.add(batch)
    db.execute(delete(KeyImportRow).where(col(KeyImportRow.batch_id) == batch.id))
    audit_units(
        db,
        "key.import_cancelled",
        caller,
        [],
        organisation_id=batch.organisation_id,
        detail=f"{batch.filename} ({batch.file_kind}): nothing written",
    )
