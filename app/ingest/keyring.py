"""Meter keys for the decoders, opened from the key table once per worker process.

The decoders ask with a DLMS system title (bytes) or a wireless M-Bus meter id (str); each key is
opened (and its view audited) the first time it is needed, then kept in this process only.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.services.keys import OpenedKey, key_for_serial, key_for_system_title

log = logging.getLogger(__name__)
_MISS_RETRY_SECONDS = 60.0


class KeyRing:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._keys: dict[Any, OpenedKey | None] = {}
        self._missed_at: dict[Any, float] = {}
        self._lock = threading.Lock()

    def _lookup(self, ident: bytes | str) -> OpenedKey | None:
        with self._lock:
            if ident in self._keys:
                return self._keys[ident]
            missed = self._missed_at.get(ident)
            if missed is not None and time.monotonic() - missed < _MISS_RETRY_SECONDS:
                return None
            try:
                with Session(self.engine) as db:
                    if isinstance(ident, bytes):
                        opened = key_for_system_title(db, ident)
                    else:
                        opened = key_for_serial(db, ident)
                    db.commit()  # the audit row of the view
            except OperationalError as error:
                log.warning("key table unavailable: %s", str(error).splitlines()[0][:200])
                return None
            if opened is None:
                self._missed_at[ident] = time.monotonic()
                log.debug("no key for %r", ident)
                return None
            self._keys[ident] = opened
            return opened

    def __call__(self, ident: Any) -> Any:
        """The `key_for` callback of decode_any: (enc, auth) for a system title, a key for an id."""
        if isinstance(ident, (bytes, bytearray)):
            opened = self._lookup(bytes(ident))
            return (opened.encryption_key, opened.authentication_key) if opened else None
        opened = self._lookup(str(ident))
        return opened.encryption_key if opened else None
