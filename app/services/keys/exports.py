"""Key exports: the selected units' keys as a file, for their distributor or a reader holding the
right, only within a few minutes of the person proving who they are; audited with the serials."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from app.clock import utcnow
from app.models import MeterKey
from app.services.caller import Caller
from app.services.errors import DomainError
from app.services.keys.fresh_authentication import (
    ReauthenticationRequired,
    reauthenticate,
    require_fresh_authentication,
)
from app.services.keys.key_audit import audit_units
from app.services.keys.sealing import OpenedKey, open_unit_keys
from app.services.keys.unit_access import readable_units
from app.services.keys.worker_json import worker_json
from app.services.keys.worker_keys import meter_number
from app.services.spreadsheet_cells import neutralise_row

__all__ = ["ExportFile", "ExportFormat", "ReauthenticationRequired", "export_keys", "reauthenticate"]


class ExportFormat(StrEnum):
    CSV = "csv"
    SERIAL_KEY_LINES = "serial_key_lines"  # MANUFACTURER;SERIAL;KEY, as meter-reading software imports
    WMBUSMETERS = "wmbusmeters"  # a ZIP of wmbusmeters meter files
    WORKER_JSON = "worker_json"  # what `python -m app.ingest keys import FILE.json` reads


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    media_type: str


def _number(row: MeterKey) -> str:
    """The serial without the maker's prefix, as meter-reading software and radios name it."""
    if row.manufacturer and row.serial.upper().startswith(row.manufacturer.upper()):
        return row.serial[len(row.manufacturer) :].lstrip("-_ ") or row.serial
    return meter_number(row.serial) or row.serial


def _csv(units: list[tuple[MeterKey, OpenedKey]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["serial", "manufacturer", "kind", "model", "medium", "key", "auth_key", "system_title"])
    for row, opened in units:
        auth = opened.authentication_key.hex().upper() if opened.authentication_key else ""
        cells = [
            row.serial,
            row.manufacturer,
            row.kind,
            row.model,
            row.medium,
            opened.encryption_key.hex().upper(),
            auth,
            row.system_title or "",
        ]
        writer.writerow(neutralise_row(cells))
    return out.getvalue().encode()


def _serial_key_lines(units: list[tuple[MeterKey, OpenedKey]]) -> bytes:
    # Semicolon-separated values: a spreadsheet opens them too.
    rows = [
        [row.manufacturer or "KAM", _number(row), opened.encryption_key.hex().upper()]
        for row, opened in units
    ]
    lines = [";".join(neutralise_row(cells)) for cells in rows]
    return ("\n".join(lines) + "\n").encode()


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _member_name(serial: str) -> str:
    """A serial as a file name in the ZIP: no directories, no "..", nothing an unzip could place
    outside the folder it unpacks into (a serial is what an import said it is)."""
    return _UNSAFE_IN_NAME.sub("_", serial).lstrip(".") or "unit"


def _wmbusmeters(units: list[tuple[MeterKey, OpenedKey]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for row, opened in units:
            # wmbusmeters' meter file (etc/wmbusmeters.d/<name>): one setting per line.
            body = (
                f"name={row.serial}\nid={_number(row)}\nkey={opened.encryption_key.hex().upper()}\n"
                "driver=auto\n"
            )
            info = zipfile.ZipInfo(_member_name(row.serial), date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o600 << 16  # the files hold keys: owner-only when unpacked
            archive.writestr(info, body)
    return out.getvalue()


def export_keys(db: Session, caller: Caller, unit_ids: Sequence[int], fmt: ExportFormat) -> ExportFile:
    """The keys of these units as a file in ``fmt``; ReauthenticationRequired when the sign-in is
    older than five minutes. Audited with every serial."""
    fmt = ExportFormat(fmt)
    if not unit_ids:
        raise DomainError("keys.error.no_units")
    rows = readable_units(db, caller, unit_ids)
    require_fresh_authentication(db, caller)
    units = [(row, open_unit_keys(row)) for row in rows]
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if fmt is ExportFormat.CSV:
        file = ExportFile(f"keys-{stamp}.csv", _csv(units), "text/csv")
    elif fmt is ExportFormat.SERIAL_KEY_LINES:
        file = ExportFile(f"keys-{stamp}.txt", _serial_key_lines(units), "text/plain")
    elif fmt is ExportFormat.WMBUSMETERS:
        file = ExportFile(f"wmbusmeters-{stamp}.zip", _wmbusmeters(units), "application/zip")
    else:
        file = ExportFile(f"keys-{stamp}.json", worker_json(units), "application/json")
    audit_units(db, "key.export", caller, [row.serial for row, _ in units], detail=f"format {fmt.value}")
    return file
