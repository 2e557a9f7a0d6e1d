"""Wireless M-Bus encryption: ELL AES-128-CTR (EN 13757-4) and TPL security mode 5 (AES-CBC).

Whether a key is right is proven by the plaintext, never assumed: the ELL payload carries a
CRC over the decrypted bytes, and a TPL mode 5 payload must start with the 2F 2F filler.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.ingest.decoders.errors import DecodeError

VERIFICATION_FILLER = b"\x2f\x2f"


def ell_iv(manufacturer: bytes, address: bytes, communication_control: int, session_number: bytes) -> bytes:
    """M (2) + A (6) + CC + SN (4) + FN (2, zero) + BC (1, zero)."""
    return manufacturer + address + bytes([communication_control]) + session_number + b"\x00\x00\x00"


def decrypt_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def mode5_iv(manufacturer: bytes, address: bytes, access_number: int) -> bytes:
    """M (2) + A (6) + access number repeated 8 times."""
    return manufacturer + address + bytes([access_number]) * 8


def decrypt_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    usable = len(data) - len(data) % 16
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data[:usable]) + decryptor.finalize() + data[usable:]


def check_key(key: bytes | None) -> bytes:
    if key is None:
        raise DecodeError("no key")
    if len(key) != 16:
        raise DecodeError("key must be 16 bytes")
    return key
