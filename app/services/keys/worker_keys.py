"""The worker's side of the key table: which meters must send protected data, and the plaintext
keys of one meter; every key opened is audited.

A unit is found the way the meter identifies itself, exactly: a DLMS meter by its system title, a
wireless M-Bus meter by its manufacturer code and id ("KAM" + "57000074": a unit "KAM57000074",
or "57000074" whose maker is KAM), anything else by its full serial. Another maker's unit with the
same number ("XYZ57000074") is another meter: it neither hides nor guards this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Meter, MeterKey
from app.services.audit import record_audit
from app.services.caller import WORKER_CALLER, Caller
from app.services.keys.sealing import OpenedKey, _normalise_system_title, open_unit_keys


def _opened(db: Session, row: MeterKey | None, actor: Caller, how: str) -> OpenedKey | None:
    if row is None:
        return None
    opened = open_unit_keys(row)
    record_audit(
        db,
        "key.view",
        actor,
        subject_type="meter_key",
        subject_id=row.id or "",
        detail=f"serial={row.serial} by {how}",
    )
    return opened


def key_for_system_title(
    db: Session, system_title: bytes | str, actor: Caller = WORKER_CALLER
) -> OpenedKey | None:
    """The plaintext keys of the HAN meter with this DLMS system title (for the worker), audited."""
    title = _normalise_system_title(system_title)
    row = db.exec(select(MeterKey).where(MeterKey.system_title == title)).first()
    return _opened(db, row, actor, "system title")


def key_for_serial(db: Session, serial: str, actor: Caller = WORKER_CALLER) -> OpenedKey | None:
    """The plaintext keys of the unit with exactly this serial (for the worker), audited."""
    row = db.exec(select(MeterKey).where(MeterKey.serial == serial.strip())).first()
    return _opened(db, row, actor, "serial")


def wmbus_identity_of(serial: str, manufacturer: str = "") -> tuple[str, str] | None:
    """(maker code, wireless id) a unit answers to: ("KAM", "57000074") for "KAM57000074", or for
    "57000074" whose maker is KAM; None when its serial names no number or no maker (or two)."""
    number = meter_number(serial)
    if number is None:
        return None
    prefix = serial.strip()[: -len(number)].rstrip("-_ ").upper()
    maker = (manufacturer.strip() or prefix).upper()
    if not maker or (prefix and prefix != maker):
        return None
    return maker, number


_WMBUS_MAKER = re.compile(r"[A-Z]{3}")
_WMBUS_ID_DIGITS = 8


def canonical_serial(serial: str, manufacturer: str = "") -> str:
    """The serial a wireless M-Bus unit is stored under: maker code + id ("KAM-57000074" and
    "57000074" of maker KAM are "KAM57000074"), so one meter is one unit; other serials as given."""
    serial = serial.strip()
    identity = wmbus_identity_of(serial, manufacturer)
    if identity is None or len(identity[1]) != _WMBUS_ID_DIGITS or not _WMBUS_MAKER.fullmatch(identity[0]):
        return serial
    return identity[0] + identity[1]


def _same(stored: int | None, sent: int | None) -> bool:
    return stored is None or sent is None or stored == sent


def key_for_wmbus(
    db: Session,
    manufacturer: str,
    meter_id: str,
    actor: Caller = WORKER_CALLER,
    *,
    version: int | None = None,
    device_type: int | None = None,
) -> OpenedKey | None:
    """The plaintext keys of the wireless M-Bus meter with this maker code and id (and version and
    device type, where the unit records them), audited; None when no unit, or more than one,
    answers to exactly that."""
    wanted = (manufacturer.strip().upper(), meter_id.strip())
    candidates = db.exec(select(MeterKey).where(col(MeterKey.serial).endswith(wanted[1]))).all()
    exact = [
        row
        for row in candidates
        if wmbus_identity_of(row.serial, row.manufacturer) == wanted
        and _same(row.wmbus_version, version)
        and _same(row.wmbus_device_type, device_type)
    ]
    return _opened(db, exact[0] if len(exact) == 1 else None, actor, "wireless M-Bus identity")


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


@dataclass(frozen=True)
class KeyProtections:
    """The meters whose key we hold, as they identify themselves: by full serial (the unit's, and
    the meter's it is linked to) and, for wireless M-Bus, by (maker code, id). A bare number from a
    source that names no maker (a HAN reader's JSON "57000074") is guarded by every unit with that
    number: with no maker to tell them apart, a plaintext forgery must not pass."""

    by_serial: dict[str, KeyProtection]
    by_wmbus: dict[tuple[str, str], KeyProtection]
    by_number: dict[str, KeyProtection]

    def for_serial(self, serial: str) -> KeyProtection | None:
        serial = serial.strip()
        found = self.by_serial.get(serial)
        if found is None and serial.isdigit():
            found = self.by_number.get(serial)
        return found

    def for_wmbus(self, manufacturer: str, meter_id: str) -> KeyProtection | None:
        return self.by_wmbus.get((manufacturer.strip().upper(), meter_id.strip()))


def _stricter(known: KeyProtection | None, protection: KeyProtection) -> bool:
    # Two keys behind one name: the stricter rule holds.
    return known is None or protection.authenticated


def key_protections(db: Session) -> KeyProtections:
    """How the data of every meter whose key we hold must arrive, by the names it may send. Opens
    no key."""
    rows = db.exec(
        select(
            MeterKey.serial,
            MeterKey.manufacturer,
            MeterKey.system_title,
            MeterKey.authentication_key_sealed,
            Meter.serial,
        ).join(Meter, Meter.id == MeterKey.meter_id, isouter=True)  # type: ignore[arg-type]
    ).all()
    by_serial: dict[str, KeyProtection] = {}
    by_wmbus: dict[tuple[str, str], KeyProtection] = {}
    by_number: dict[str, KeyProtection] = {}
    for serial, manufacturer, title, authentication_sealed, linked_serial in rows:
        protection = KeyProtection(
            serial, bytes.fromhex(title) if title else None, authentication_sealed is not None
        )
        for name in (serial, linked_serial):
            if name and _stricter(by_serial.get(name), protection):
                by_serial[name] = protection
            number = meter_number(name) if name else None
            if number and _stricter(by_number.get(number), protection):
                by_number[number] = protection
        for identity in (
            wmbus_identity_of(serial, manufacturer),
            wmbus_identity_of(linked_serial) if linked_serial else None,
        ):
            if identity is not None and _stricter(by_wmbus.get(identity), protection):
                by_wmbus[identity] = protection
    return KeyProtections(by_serial, by_wmbus, by_number)
