"""DLMS general-glo-ciphering (tag 0xDB) with security suite 0/1 (AES-128-GCM).

The security control byte says what is applied: 0x10 authentication, 0x20 encryption, the low
nibble is the suite. IV = system title (8) + invocation counter (4); the authentication tag is
12 bytes; the additional data is SC + authentication key (+ the plaintext when only authenticated).
Encryption without authentication is GCM without the tag, i.e. AES-CTR starting at counter 2.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import NamedTuple

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.ingest.decoders.axdr import read_length
from app.ingest.decoders.errors import DecodeError

GENERAL_GLO_CIPHERING = 0xDB
TAG_LENGTH = 12
SECURITY_AUTHENTICATED = 0x10
SECURITY_ENCRYPTED = 0x20

# system title -> (encryption key, authentication key or None), or None when unknown
DlmsKeyLookup = Callable[[bytes], "tuple[bytes, bytes | None] | None"]


class CipheredApdu(NamedTuple):  # built for every frame: a named tuple costs half a dataclass
    system_title: bytes
    security_control: int
    invocation_counter: int
    ciphertext: bytes  # with the tag when authenticated


def parse_glo_ciphering(apdu: bytes) -> CipheredApdu:
    """Split a general-glo-ciphering APDU into its parts (no decryption)."""
    if len(apdu) < 2 or apdu[0] != GENERAL_GLO_CIPHERING:
        raise DecodeError("not a general-glo-ciphering APDU")
    title_length = apdu[1]
    pos = 2 + title_length
    if title_length != 8 or pos > len(apdu):
        raise DecodeError("bad system title")
    system_title = bytes(apdu[2:pos])
    length, pos = read_length(apdu, pos)
    if length < 5 or pos + length > len(apdu):
        raise DecodeError("ciphered APDU truncated")
    security_control = apdu[pos]
    invocation_counter = int.from_bytes(apdu[pos + 1 : pos + 5], "big")
    return CipheredApdu(
        system_title, security_control, invocation_counter, bytes(apdu[pos + 5 : pos + length])
    )


def decrypt_ciphered(
    system_title: bytes,
    security_control: int,
    invocation_counter: int,
    ciphertext: bytes,
    encryption_key: bytes,
    authentication_key: bytes | None = None,
) -> bytes:
    """Plaintext of a ciphered APDU; DecodeError("authentication failed") on a bad tag or key."""
    if len(encryption_key) != 16:
        raise DecodeError("encryption key must be 16 bytes")
    iv = system_title + invocation_counter.to_bytes(4, "big")
    authenticated = bool(security_control & SECURITY_AUTHENTICATED)
    encrypted = bool(security_control & SECURITY_ENCRYPTED)
    if not authenticated:
        if not encrypted:
            return ciphertext
        decryptor = Cipher(algorithms.AES(encryption_key), modes.CTR(iv + b"\x00\x00\x00\x02")).decryptor()
        return decryptor.update(ciphertext) + decryptor.finalize()
    if authentication_key is None:
        raise DecodeError("authentication key needed")
    if len(ciphertext) < TAG_LENGTH:
        raise DecodeError("ciphered APDU shorter than its tag")
    body, tag = ciphertext[:-TAG_LENGTH], ciphertext[-TAG_LENGTH:]
    aad = bytes([security_control]) + authentication_key
    aead = _aead(encryption_key)
    if encrypted:
        # GCM's keystream is AES-CTR from the IV's counter 2, so encrypting the ciphertext gives
        # back the plaintext; encrypting that plaintext gives back the ciphertext and GCM's full
        # 16-byte tag over (additional data, ciphertext), whose first 12 bytes must be the tag
        # sent. The same check as a GCM decryptor with a 12-byte tag, in two calls of the one-shot
        # AESGCM (a fifth of the CPU of building a Cipher and its decryptor for every frame).
        plaintext = aead.encrypt(iv, body, aad)[: len(body)]
        expected = aead.encrypt(iv, plaintext, aad)[len(body) :]
    else:
        # Authentication only (GMAC): the tag covers the plaintext as additional data.
        plaintext, expected = body, aead.encrypt(iv, b"", aad + body)
    if not hmac.compare_digest(expected[:TAG_LENGTH], tag):
        raise DecodeError("authentication failed (wrong key?)")
    return plaintext


# encryption key -> its AESGCM (the key schedule made once per meter key, not once per frame)
_AEADS: dict[bytes, AESGCM] = {}
_AEADS_LIMIT = 200_000


def _aead(key: bytes) -> AESGCM:
    aead = _AEADS.get(key)
    if aead is None:
        if len(_AEADS) >= _AEADS_LIMIT:
            _AEADS.clear()
        aead = _AEADS[key] = AESGCM(key)
    return aead


def decrypt_glo_ciphering(
    apdu: bytes,
    key: bytes | None = None,
    auth_key: bytes | None = None,
    key_for: DlmsKeyLookup | None = None,
) -> tuple[bytes, CipheredApdu]:
    """Decrypt a whole 0xDB APDU with a given key or one looked up by system title."""
    ciphered = parse_glo_ciphering(apdu)
    if key is None and key_for is not None:
        found = key_for(ciphered.system_title)
        if found is not None:
            key, auth_key = found
    if key is None:
        raise DecodeError(f"no key for system title {ciphered.system_title.hex()}")
    plaintext = decrypt_ciphered(
        ciphered.system_title,
        ciphered.security_control,
        ciphered.invocation_counter,
        ciphered.ciphertext,
        key,
        auth_key,
    )
    return plaintext, ciphered
