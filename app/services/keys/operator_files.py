"""The operator's key files at the command line: a CSV of keys in, a CSV of an owner's keys out.

The key service's own imports (previewed, staged) and exports (four formats) are in
``imports.py`` and ``exports.py``; these two serve ``python -m app.ingest keys import|export``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import KeyKind, MeterKey
from app.services.audit import record_audit
from app.services.caller import CLI_CALLER, Caller
from app.services.errors import DomainError
from app.services.keys.sealing import InvalidMeterKey, add_key, master_key, open_unit_keys
from app.services.spreadsheet_cells import neutralise_row


@dataclass(frozen=True, slots=True)
class KeyImportResult:
    added: int
    replaced: int
    rejected: list[tuple[int, str]]  # (line number, reason)


_SERIAL_COLUMNS = ("serial", "meter", "meter_serial", "meter_id", "id")
_KEY_COLUMNS = ("key", "encryption_key", "ek", "guek", "aes_key")
_AUTH_COLUMNS = ("auth_key", "authentication_key", "ak", "gak")
_TITLE_COLUMNS = ("system_title", "systemtitle", "title")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for index, name in enumerate(header):
        if name in names:
            return index
    return None


def import_keys_csv(
    db: Session,
    text: str,
    *,
    owner_id: int | None = None,
    actor: Caller = CLI_CALLER,
    replace: bool = False,
    source_name: str = "",
) -> KeyImportResult:
    """Import keys from CSV (`serial,key[,auth_key][,system_title][,kind]`, `,` or `;`), audited.

    A bad line is reported with its number and skipped; the others are stored.
    """
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    if not rows:
        raise InvalidMeterKey("keys.bad_csv")
    header = [cell.strip().lower() for cell in rows[0]]
    serial_at, key_at = _column(header, _SERIAL_COLUMNS), _column(header, _KEY_COLUMNS)
    auth_at, title_at = _column(header, _AUTH_COLUMNS), _column(header, _TITLE_COLUMNS)
    kind_at = _column(header, ("kind", "type"))
    if serial_at is None or key_at is None:
        raise InvalidMeterKey("keys.bad_csv")
    added = replaced = 0
    rejected: list[tuple[int, str]] = []
    # One master key for the whole file, even if a rotation starts halfway through it.
    master = master_key()
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index].strip() if index is not None and index < len(cells) else ""

        serial = cell(serial_at)
        try:
            with db.begin_nested():
                existed = db.exec(select(MeterKey.id).where(MeterKey.serial == serial)).first() is not None
                add_key(
                    db,
                    serial,
                    cell(key_at),
                    cell(auth_at) or None,
                    system_title=cell(title_at) or None,
                    kind=cell(kind_at) or KeyKind.METER,
                    owner_id=owner_id,
                    actor=actor,
                    replace=replace,
                    master=master,
                )
        except (InvalidMeterKey, ValueError) as error:
            reason = error.message("en") if isinstance(error, DomainError) else str(error)
            rejected.append((number, reason))
            continue
        if existed:
            replaced += 1
        else:
            added += 1
    record_audit(
        db,
        "key.import",
        actor,
        subject_type="meter_key",
        detail=f"{source_name} added={added} replaced={replaced} rejected={len(rejected)}",
    )
    return KeyImportResult(added, replaced, rejected)


def export_keys_csv(db: Session, owner_id: int | None, actor: Caller) -> str:
    """Plaintext CSV of an owner's keys (None: all), for a holder of the right; one audit row per export."""
    query = select(MeterKey).order_by(MeterKey.serial)
    if owner_id is not None:
        query = query.where(MeterKey.owner_id == owner_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["serial", "key", "auth_key", "system_title", "kind"])
    count = 0
    for row in db.exec(query):
        opened = open_unit_keys(row)
        writer.writerow(
            neutralise_row(
                [
                    row.serial,
                    opened.encryption_key.hex(),
                    opened.authentication_key.hex() if opened.authentication_key else "",
                    row.system_title or "",
                    row.kind,
                ]
            )
        )
        count += 1
    record_audit(
        db,
        "key.export",
        actor,
        subject_type="organisation",
        subject_id=owner_id if owner_id is not None else "",
        detail=f"{count} keys",
    )
    return out.getvalue()
