"""Key exports: the selected units' keys as a file, for their distributor or a reader holding the
right, only within a few minutes of the person proving who they are; audited with the serials."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from app.clock import utcnow
from app.models import MeterKey, User, UserSession
from app.services import passwords
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.keys.key_audit import audit_units
from app.services.keys.sealing import OpenedKey, open_unit_keys
from app.services.keys.unit_access import readable_units
from app.services.keys.worker_json import worker_json
from app.services.keys.worker_keys import meter_number
from app.services.login_throttle import (
    claim_password_attempt,
    email_identity,
    forget_password_failures,
)
from app.services.rate_limit import default_rate_limiter
from app.services.spreadsheet_cells import neutralise_row

# An export asks for the password again when the last sign-in is older than this.
FRESH_AUTHENTICATION = timedelta(minutes=5)


class ExportFormat(StrEnum):
    CSV = "csv"
    SERIAL_KEY_LINES = "serial_key_lines"  # MANUFACTURER;SERIAL;KEY, as meter-reading software imports
    WMBUSMETERS = "wmbusmeters"  # a ZIP of wmbusmeters meter files
    WORKER_JSON = "worker_json"  # what `python -m app.ingest keys import FILE.json` reads


class ReauthenticationRequired(DomainError):
    """The last sign-in is too old for an export: the password must be given again."""

    def __init__(self) -> None:
        super().__init__("keys.error.reauthenticate", field="password")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    media_type: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _require_fresh_authentication(db: Session, caller: Caller) -> None:
    session = db.get(UserSession, caller.session_id) if caller.session_id is not None else None
    if session is None or session.revoked_at is not None or session.user_id != caller.user_id:
        raise ReauthenticationRequired()
    if session.authenticated_at is None or utcnow() - _aware(session.authenticated_at) > FRESH_AUTHENTICATION:
        raise ReauthenticationRequired()


def reauthenticate(db: Session, caller: Caller, password: str) -> None:
    """Check the account's password again (the sign-in's limits apply) and mark the session freshly
    authenticated. A wrong password: DomainError on the field "password"."""
    account = db.get(User, caller.user_id) if caller.user_id is not None else None
    session = db.get(UserSession, caller.session_id) if caller.session_id is not None else None
    if account is None or session is None or session.user_id != account.id or not account.email:
        raise AccessDenied("auth.denied")
    limiter = default_rate_limiter(db)
    identity = email_identity(account.email)
    claim_password_attempt(limiter, identity, caller.client_address)
    if not password or not passwords.verify_password(account.password_hash, password):
        record_audit(db, "key.reauthenticate", caller, outcome="refused", subject_type="user",
                     subject_id=account.id or "", detail="wrong password")  # fmt: skip
        db.commit()  # the counted attempt and its audit row survive the caller's rollback
        raise DomainError("keys.error.wrong_password", field="password")
    forget_password_failures(limiter, identity, caller.client_address)
    session.authenticated_at = utcnow()
    db.add(session)
    record_audit(db, "key.reauthenticate", caller, subject_type="user", subject_id=account.id or "")


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
        cells = [row.serial, row.manufacturer, row.kind, row.model, row.medium,
                 opened.encryption_key.hex().upper(), auth, row.system_title or ""]  # fmt: skip
        writer.writerow(neutralise_row(cells))
    return out.getvalue().encode()


def _serial_key_lines(units: list[tuple[MeterKey, OpenedKey]]) -> bytes:
    # Semicolon-separated values: a spreadsheet opens them too.
    rows = [[row.manufacturer or "KAM", _number(row), opened.encryption_key.hex().upper()]
            for row, opened in units]  # fmt: skip
    lines = [";".join(neutralise_row(cells)) for cells in rows]
    return ("\n".join(lines) + "\n").encode()


def _wmbusmeters(units: list[tuple[MeterKey, OpenedKey]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for row, opened in units:
            # wmbusmeters' meter file (etc/wmbusmeters.d/<name>): one setting per line.
            body = (f"name={row.serial}\nid={_number(row)}\nkey={opened.encryption_key.hex().upper()}\n"
                    "driver=auto\n")  # fmt: skip
            info = zipfile.ZipInfo(row.serial, date_time=(2026, 1, 1, 0, 0, 0))
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
    _require_fresh_authentication(db, caller)
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
