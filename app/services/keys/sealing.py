"""Meter keys: sealed at rest, opened only where they are used, every add, import, view and export audited.

Envelope encryption: each row has its own random 256-bit data key; the meter's encryption and
authentication keys are sealed with it (AES-256-GCM, the serial and field name as associated data,
so sealed values cannot be swapped between rows or fields). The data key is stored wrapped by the
master key from settings: `MASTER_KEY` (hex or base64 of 32 bytes) or the file `MASTER_KEY_FILE`,
which is generated (mode 0600) on a laptop when missing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, select

from app.clock import utcnow
from app.config import settings
from app.models import KeyKind, Meter, MeterKey
from app.private_files import private_directory
from app.services.audit import record_audit
from app.services.caller import CLI_CALLER, Caller
from app.services.errors import DomainError

log = logging.getLogger(__name__)

_NONCE = 12
_WRAP_CONTEXT = b"meterportal data key v1|"


class InvalidMeterKey(DomainError):
    """A key, serial or system title that cannot be stored."""


class MasterKeyError(RuntimeError):
    """The configured master key is missing, malformed, or does not open a stored data key."""


@dataclass(frozen=True, slots=True)
class MasterKey:
    key: bytes
    key_id: str


@dataclass(frozen=True, slots=True)
class OpenedKey:
    """Plaintext keys: handed to the worker's decoder, never to a page."""

    serial: str
    system_title: bytes | None
    encryption_key: bytes
    authentication_key: bytes | None


def _parse_master_key(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            key = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(key) == 32:
            return key
    raise MasterKeyError("the master key must be 32 bytes, hex or base64")


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def _master_key_texts(text: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", text.strip()) if part]


def load_master_keys(value: str | None = None, path: str | None = None) -> tuple[MasterKey, ...]:
    """Every configured master key, the current one first: MASTER_KEY (or the file) may hold the new
    and the old key together, separated by a comma, while `keys rewrap` moves the rows over. The
    first wraps every new data key; the others only open rows not yet re-wrapped."""
    value = settings.master_key if value is None else value
    if value:
        texts = _master_key_texts(value)
    else:
        file = Path(path or settings.master_key_file)
        if not file.exists():
            # A laptop: a development key, kept next to the SQLite file and readable by the owner only.
            private_directory(file.parent)
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            log.warning("generated a development master key in %s (set MASTER_KEY in production)", file)
        texts = _master_key_texts(file.read_text())
    if not texts:
        raise MasterKeyError("the master key must be 32 bytes, hex or base64")
    return tuple(MasterKey(key, _key_id(key)) for key in map(_parse_master_key, texts))


def load_master_key(value: str | None = None, path: str | None = None) -> MasterKey:
    """The current master key from MASTER_KEY, else MASTER_KEY_FILE (generated there when missing)."""
    return load_master_keys(value, path)[0]


@lru_cache(maxsize=1)
def master_key_ring() -> tuple[MasterKey, ...]:
    return load_master_keys()


@lru_cache(maxsize=1)
def master_key() -> MasterKey:
    return master_key_ring()[0]


def previous_master_keys() -> tuple[MasterKey, ...]:
    """The old master keys configured beside the current one (empty outside a rotation)."""
    return master_key_ring()[1:]


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], context)
    except InvalidTag:
        raise MasterKeyError("a stored key does not open (wrong master key or altered row)") from None


def _context(serial: str, field: str) -> bytes:
    return f"{serial}|{field}".encode()


def parse_key_hex(text: str, field: str = "key") -> bytes:
    cleaned = text.strip().replace(" ", "").replace(":", "").removeprefix("0x")
    try:
        key = bytes.fromhex(cleaned)
    except ValueError:
        raise InvalidMeterKey("keys.invalid_key", field=field) from None
    if len(key) != 16:
        raise InvalidMeterKey("keys.invalid_key", field=field)
    return key


def _normalise_system_title(text: str | bytes | None) -> str | None:
    if text is None or text == "" or text == b"":
        return None
    if isinstance(text, bytes):
        raw = text
    else:
        cleaned = text.strip().replace(" ", "")
        try:
            raw = bytes.fromhex(cleaned)
        except ValueError:
            # A system title may be given as its 8 ASCII characters (e.g. "KFM12345").
            raw = cleaned.encode()
    if len(raw) != 8:
        raise InvalidMeterKey("keys.invalid_system_title", field="system_title")
    return raw.hex()


_MAKER_PREFIX = re.compile(r"^([A-Za-z]{1,8})")


def manufacturer_of(serial: str) -> str:
    """The maker's prefix a serial carries ("KAM" of "KAM57000074"), or ""."""
    match = _MAKER_PREFIX.match(serial.strip())
    return match.group(1).upper()[:3] if match else ""


def _normalise_serial(serial: str) -> str:
    serial = serial.strip()
    if not serial or len(serial) > 40:
        raise InvalidMeterKey("keys.invalid_serial", field="serial")
    return serial


def _seal_row(
    row: MeterKey, encryption_key: bytes, authentication_key: bytes | None, master: MasterKey
) -> None:
    data_key = AESGCM.generate_key(bit_length=256)
    row.encryption_key_sealed = _seal(data_key, encryption_key, _context(row.serial, "enc"))
    row.authentication_key_sealed = (
        _seal(data_key, authentication_key, _context(row.serial, "auth"))
        if authentication_key is not None
        else None
    )
    row.wrapped_data_key = _seal(master.key, data_key, _WRAP_CONTEXT + row.serial.encode())
    row.master_key_id = master.key_id


def _wrapping_key(key_id: str, serial: str, master: MasterKey) -> MasterKey:
    for candidate in (master, *previous_master_keys()):
        if candidate.key_id == key_id:
            return candidate
    raise MasterKeyError(f"key of {serial} is wrapped by another master key ({key_id})")


def open_data_key(serial: str, wrapped_data_key: bytes, master: MasterKey) -> bytes:
    """A row's data key, unwrapped with ``master`` (the key its master_key_id names)."""
    return _open(master.key, wrapped_data_key, _WRAP_CONTEXT + serial.encode())


def wrap_data_key(serial: str, data_key: bytes, master: MasterKey) -> bytes:
    return _seal(master.key, data_key, _WRAP_CONTEXT + serial.encode())


def _open_row(row: MeterKey, master: MasterKey) -> OpenedKey:
    master = _wrapping_key(row.master_key_id, row.serial, master)
    data_key = _open(master.key, row.wrapped_data_key, _WRAP_CONTEXT + row.serial.encode())
    encryption_key = _open(data_key, row.encryption_key_sealed, _context(row.serial, "enc"))
    authentication_key = (
        _open(data_key, row.authentication_key_sealed, _context(row.serial, "auth"))
        if row.authentication_key_sealed is not None
        else None
    )
    title = bytes.fromhex(row.system_title) if row.system_title else None
    return OpenedKey(row.serial, title, encryption_key, authentication_key)


@dataclass(frozen=True, slots=True)
class SealedKeys:
    """A unit's keys sealed exactly as a meter_key row holds them (bound to the serial)."""

    encryption_key_sealed: bytes
    authentication_key_sealed: bytes | None
    wrapped_data_key: bytes
    master_key_id: str


def seal_keys(
    serial: str, encryption_key: bytes, authentication_key: bytes | None, master: MasterKey | None = None
) -> SealedKeys:
    """Seal keys for ``serial`` without storing them (a staged import holds them like this)."""
    row = MeterKey(serial=serial, encryption_key_sealed=b"", wrapped_data_key=b"", master_key_id="")
    _seal_row(row, encryption_key, authentication_key, master or master_key())
    return SealedKeys(
        row.encryption_key_sealed, row.authentication_key_sealed, row.wrapped_data_key, row.master_key_id
    )


def open_unit_keys(row: MeterKey) -> OpenedKey:
    """The plaintext keys of one row for a holder of the right; the caller audits the view."""
    return _open_row(row, master_key())


def add_key(
    db: Session,
    serial: str,
    encryption_key: bytes | str,
    authentication_key: bytes | str | None = None,
    *,
    system_title: str | bytes | None = None,
    kind: KeyKind | str = KeyKind.METER,
    owner_id: int | None = None,
    actor: Caller = CLI_CALLER,
    replace: bool = False,
    master: MasterKey | None = None,
    manufacturer: str | None = None,
    model: str | None = None,
    medium: str | None = None,
) -> MeterKey:
    """Store (or with `replace`, re-key) the keys of one meter or concentrator, audited."""
    serial = _normalise_serial(serial)
    if isinstance(encryption_key, str):
        encryption_key = parse_key_hex(encryption_key)
    if isinstance(authentication_key, str):
        authentication_key = parse_key_hex(authentication_key, "auth_key") if authentication_key else None
    if len(encryption_key) != 16 or (authentication_key is not None and len(authentication_key) != 16):
        raise InvalidMeterKey("keys.invalid_key", field="key")
    title = _normalise_system_title(system_title)
    kind = KeyKind(kind)
    row = db.exec(select(MeterKey).where(MeterKey.serial == serial)).first()
    if row is not None and not replace:
        raise InvalidMeterKey("keys.duplicate_serial", field="serial", serial=serial)
    action = "key.replace" if row is not None else "key.add"
    if row is None:
        row = MeterKey(serial=serial, encryption_key_sealed=b"", wrapped_data_key=b"", master_key_id="")
    meter = db.exec(select(Meter).where(Meter.serial == serial)).first()
    row.system_title = title
    row.kind = kind.value
    row.owner_id = owner_id if owner_id is not None else (row.owner_id or (meter.owner_id if meter else None))
    row.meter_id = meter.id if meter is not None else row.meter_id
    row.manufacturer = (manufacturer if manufacturer is not None else row.manufacturer) or manufacturer_of(
        serial
    )
    row.model = (model if model is not None else row.model) or (meter.model if meter else "")
    row.medium = (medium if medium is not None else row.medium) or (meter.medium if meter else "")
    row.updated_at = utcnow()
    _seal_row(row, encryption_key, authentication_key, master or master_key())
    db.add(row)
    db.flush()
    record_audit(
        db,
        action,
        actor,
        subject_type="meter_key",
        subject_id=row.id or "",
        detail=f"serial={serial} kind={kind.value}"
        + (" with authentication key" if authentication_key else ""),
    )
    return row
