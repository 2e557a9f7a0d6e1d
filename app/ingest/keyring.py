"""Meter keys for the decoders, opened from the key table once per worker process.

The decoders ask with a DLMS system title (bytes) or a wireless M-Bus identity (maker code + id);
a plain string is a full serial. Each look-up is exact on that identity (another maker's meter with
the same number is another meter); each key is opened (and its view audited) the first time it is
needed, then kept in this process only.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.ingest.decoders import DecodedFrame
from app.ingest.decoders.reading import WmbusIdentity
from app.services.caller import WORKER_ROLE, Caller, process_caller
from app.services.keys.sealing import OpenedKey
from app.services.keys.worker_keys import (
    KeyProtection,
    KeyProtections,
    key_for_serial,
    key_for_system_title,
    key_for_wmbus,
    key_protections,
)

log = logging.getLogger(__name__)
_MISS_RETRY_SECONDS = 60.0
# A key added (or removed) in the portal applies to plaintext frames within this time.
_PROTECTION_SECONDS = 60.0
_PROTECTION_RETRY_SECONDS = 5.0


def protection_refusal(ref: str, frame: DecodedFrame, protection: KeyProtection | None) -> str | None:
    """Why the frame is not believed for the meter `ref`, or None when it is.

    Anyone who can publish to the broker or transmit on 868 MHz can send plaintext that claims a
    meter's id; only a frame opened with that meter's key proves it came from the meter.
    """
    if protection is None:
        return None
    if not (frame.encrypted or frame.authenticated):
        return f"plaintext data for {ref}, whose key we hold"
    if protection.authenticated and not frame.authenticated:
        return f"unauthenticated data for {ref}, whose key authenticates"
    if frame.system_title is not None and frame.system_title != protection.system_title:
        return f"data for {ref} opened with the key of system title {frame.system_title.hex()}"
    return None


class KeyTableUnavailable(Exception):
    pass


class KeyRing:
    def __init__(self, engine: Engine, actor: Caller | None = None) -> None:
        self.engine = engine
        # Who opens the keys, for the audit log: the worker, or an operator at a shell (`decode`).
        self.actor = actor or process_caller(WORKER_ROLE)
        self._keys: dict[Any, OpenedKey | None] = {}
        self._missed_at: dict[Any, float] = {}
        self._protections = KeyProtections({}, {}, {})
        self._protections_loaded = False
        self._protections_due = 0.0
        self._protections_error = ""
        self._lock = threading.Lock()

    def protection(self, meter_ref: str, identity: WmbusIdentity | None = None) -> KeyProtection | None:
        """How the data of this meter must arrive (None: we hold no key for it): by its wireless
        M-Bus identity when it sent one, else by its full serial.

        Every keyed meter is loaded at once and again each minute; while the database is away the
        last list holds. Never loaded at all, nobody can say a meter is unkeyed: KeyTableUnavailable.
        """
        if self._protections_loaded and time.monotonic() < self._protections_due:
            # The common case, without the lock: the list is replaced whole, never changed.
            return self._protection_in(self._protections, meter_ref, identity)
        with self._lock:
            if time.monotonic() >= self._protections_due:
                try:
                    with Session(self.engine) as db:
                        self._protections = key_protections(db)
                    self._protections_loaded = True
                    self._protections_due = time.monotonic() + _PROTECTION_SECONDS
                except OperationalError as error:
                    self._protections_due = time.monotonic() + _PROTECTION_RETRY_SECONDS
                    self._protections_error = str(error).splitlines()[0][:200]
            if not self._protections_loaded:
                raise KeyTableUnavailable(self._protections_error)
            protections = self._protections
        return self._protection_in(protections, meter_ref, identity)

    @staticmethod
    def _protection_in(
        protections: KeyProtections, meter_ref: str, identity: WmbusIdentity | None
    ) -> KeyProtection | None:
        if identity is None and isinstance(meter_ref, WmbusIdentity):
            identity = meter_ref
        if identity is not None:
            return protections.for_wmbus(identity.manufacturer, identity.meter_id)
        return protections.for_serial(meter_ref)

    def _lookup(self, ident: bytes | str) -> OpenedKey | None:
        # The cache is keyed on the whole identity: "57000074" of KAM is not "57000074" of XYZ.
        slot: Any = (
            ("wmbus", ident.manufacturer, ident.meter_id, ident.version, ident.device_type)
            if isinstance(ident, WmbusIdentity)
            else ident
        )
        opened = self._keys.get(slot)
        if opened is not None:
            return opened  # opened before: a dict read needs no lock
        with self._lock:
            if slot in self._keys:
                return self._keys[slot]
            missed = self._missed_at.get(slot)
            if missed is not None and time.monotonic() - missed < _MISS_RETRY_SECONDS:
                return None
            try:
                with Session(self.engine) as db:
                    if isinstance(ident, bytes):
                        opened = key_for_system_title(db, ident, self.actor)
                    elif isinstance(ident, WmbusIdentity):
                        opened = key_for_wmbus(
                            db,
                            ident.manufacturer,
                            ident.meter_id,
                            self.actor,
                            version=ident.version,
                            device_type=ident.device_type,
                        )
                    else:
                        opened = key_for_serial(db, ident, self.actor)
                    db.commit()  # the audit row of the view
            except OperationalError as error:
                log.warning("key table unavailable: %s", str(error).splitlines()[0][:200])
                return None
            if opened is None:
                self._missed_at[slot] = time.monotonic()
                log.debug("no key for %r", slot)
                return None
            self._keys[slot] = opened
            return opened

    def __call__(self, ident: Any) -> Any:
        """The `key_for` callback of decode_any: (enc, auth) for a system title, a key for an id."""
        if isinstance(ident, (bytes, bytearray)):
            opened = self._lookup(bytes(ident))
            return (opened.encryption_key, opened.authentication_key) if opened else None
        opened = self._lookup(ident if isinstance(ident, WmbusIdentity) else str(ident))
        return opened.encryption_key if opened else None
