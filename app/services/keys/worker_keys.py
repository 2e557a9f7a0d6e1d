"""The worker's side of the key table: which meters must send protected data, and the plaintext
keys of one meter, found by its DLMS system title or its serial; every key opened is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import Meter, MeterKey
from app.services.audit import record_audit
from app.services.caller import WORKER_CALLER, Caller
from app.services.keys.sealing import OpenedKey, _normalise_system_title, open_unit_keys


def _opened(db: Session, row: MeterKey | None, actor: Caller, how: str) -> OpenedKey | None:
    if row is None:
        return None
    opened = open_unit_keys(row)
    record_audit(
        db, "key.view", actor, subject_type="meter_key",
        subject_id=row.id or "", detail=f"serial={row.serial} by {how}"
    )  # fmt: skip
    return opened


def key_for_system_title(
    db: Session, system_title: bytes | str, actor: Caller = WORKER_CALLER
) -> OpenedKey | None:
    """The plaintext keys of the HAN meter with this DLMS system title (for the worker), audited."""
    title = _normalise_system_title(system_title)
    row = db.exec(select(MeterKey).where(MeterKey.system_title == title)).first()
    return _opened(db, row, actor, "system title")


def _row_for_serial(db: Session, serial: str) -> MeterKey | None:
    serial = serial.strip()
    row = db.exec(select(MeterKey).where(MeterKey.serial == serial)).first()
    if row is None and serial.isdigit() and len(serial) >= 6:
        # A meter sends its number ("57000074"); the portal may know it with a make prefix.
        candidates = db.exec(select(MeterKey).where(MeterKey.serial.endswith(serial))).all()  # type: ignore[attr-defined]
        matching = [c for c in candidates if not c.serial[: -len(serial)][-1:].isdigit()]
        row = matching[0] if len(matching) == 1 else None
    return row


def key_for_serial(db: Session, serial: str, actor: Caller = WORKER_CALLER) -> OpenedKey | None:
    """The plaintext keys of the meter with this serial (for the worker), audited."""
    return _opened(db, _row_for_serial(db, serial), actor, "serial")


@dataclass(frozen=True, slots=True)
class KeyProtection:
    """How the data of a meter whose key we hold must arrive: encrypted (or authenticated) with
    its key, authenticated too when it has an authentication key, from its own DLMS system title."""

    serial: str
    system_title: bytes | None
    authenticated: bool


_TRAILING_NUMBER = re.compile(r"(\d{6,})$")


def meter_number(ref: str) -> str | None:
    """The number part of a serial ("57000074" of "KAM57000074"), as wireless meters send it."""
    match = _TRAILING_NUMBER.search(ref.strip())
    return match.group(1) if match else None


def key_protections(db: Session) -> dict[str, KeyProtection]:
    """Every name a meter whose key we hold may send (the key's serial, the serial of the meter it
    is linked to, and their number parts) -> how its data must arrive. Opens no key."""
    rows = db.exec(
        select(MeterKey.serial, MeterKey.system_title, MeterKey.authentication_key_sealed, Meter.serial).join(
            Meter, Meter.id == MeterKey.meter_id, isouter=True
        )  # type: ignore[arg-type]
    ).all()
    protections: dict[str, KeyProtection] = {}
    for serial, title, authentication_sealed, linked_serial in rows:
        protection = KeyProtection(serial, bytes.fromhex(title) if title else None,
                                   authentication_sealed is not None)  # fmt: skip
        for name in (serial, linked_serial):
            if not name:
                continue
            for alias in (name, meter_number(name)):
                # Two keys behind one number: the stricter rule holds.
                if alias and (alias not in protections or protection.authenticated):
                    protections[alias] = protection
    return protections
