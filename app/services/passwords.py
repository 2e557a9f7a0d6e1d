"""Customer passwords: argon2id hashes and the rules for a new password.

Wrong-password lockout lives in ``login_throttle`` (per identity and client address).
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.services.form_errors import FieldErrors

MIN_LENGTH = 8
MAX_LENGTH = 256

_COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_hasher = PasswordHasher(type=Type.ID)
# Verified against when no account matches, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    """An argon2id hash (``$argon2id$...``) with argon2-cffi's recommended parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common_password(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def validate_new_password(
    password: str,
    password_again: str,
    *,
    field: str = "password",
    field_again: str = "password_again",
) -> None:
    """Raise FieldErrors unless the password is long enough, uncommon and typed the same twice."""
    errors: dict[str, str] = {}
    if len(password) < MIN_LENGTH:
        errors[field] = "password.too_short"
    elif len(password) > MAX_LENGTH:
        errors[field] = "password.too_long"
    elif is_common_password(password):
        errors[field] = "password.common"
    if password != password_again:
        errors[field_again] = "password.mismatch"
    if errors:
        raise FieldErrors(errors)
