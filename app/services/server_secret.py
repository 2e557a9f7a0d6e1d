"""The server secret behind every HMAC of the customer sign-in (codes, device tokens, limit keys).

``AUTH_SECRET`` sets it (production: the same value on every server). Without it, it is derived
from ``MASTER_KEY`` when set, else generated once into ``auth_secret.key`` next to the master key
file (a laptop).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path

from app.config import settings
from app.private_files import create_private_file_once, private_directory


def _secret_file() -> Path:
    return Path(settings.master_key_file).with_name("auth_secret.key")


@lru_cache(maxsize=1)
def server_secret() -> bytes:
    configured = settings.auth_secret
    if configured:
        return configured.encode()
    if settings.master_key:
        return hmac.new(settings.master_key.encode(), b"meterportal auth v1", "sha256").digest()
    path = _secret_file()
    if not path.exists():
        # Private from its first byte (never written 0644 and narrowed after).
        private_directory(path.parent)
        create_private_file_once(path, secrets.token_hex(32))
    return path.read_text().strip().encode()


def keyed_digest(purpose: str, message: str) -> str:
    """HMAC-SHA256 (hex) of ``message`` under the server secret, separated by ``purpose``."""
    return hmac.new(server_secret(), f"{purpose}\x00{message}".encode(), hashlib.sha256).hexdigest()
