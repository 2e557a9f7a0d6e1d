"""Personal and organisation numbers sealed at rest: AES-256-GCM under the master key.

The notification's id and the field name are the associated data, so a sealed number cannot be
moved to another notification or party unnoticed.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.services.keys.sealing import master_key

_NONCE = 12


def _context(notification_id: int, field: str) -> bytes:
    return f"pre_notification|{notification_id}|{field}".encode()


def seal_number(notification_id: int, field: str, number: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(master_key().key).encrypt(nonce, number.encode(), _context(notification_id, field))


def open_number(notification_id: int, field: str, sealed: bytes | None) -> str:
    if not sealed:
        return ""
    plain = AESGCM(master_key().key).decrypt(
        sealed[:_NONCE], sealed[_NONCE:], _context(notification_id, field)
    )
    return plain.decode()
