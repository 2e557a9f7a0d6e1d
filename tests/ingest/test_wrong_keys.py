"""A wrong key is an error, never empty or zero data."""

from __future__ import annotations

import pytest
from ingest_vectors import load, vectors_dir

from app.ingest.decoders import DecodeError, decode_any
from app.ingest.decoders.dlms_cipher import decrypt_ciphered
from app.ingest.decoders.wmbus import WmbusDecoder

pytestmark = pytest.mark.skipif(not vectors_dir().exists(), reason="shared/vectors not found")
WRONG_KEY = bytes.fromhex("00112233445566778899aabbccddeeff")


def _encrypted_wmbus() -> list[dict]:
    return [row for row in load("wmbus_kamstrup.jsonl") if row["key"] and row["expected"]]


@pytest.mark.parametrize("row", _encrypted_wmbus(), ids=lambda row: row["hex"][:24])
def test_wmbus_wrong_key_is_rejected(row: dict) -> None:
    with pytest.raises(DecodeError, match="wrong key"):
        decode_any(bytes.fromhex(row["hex"]), key=WRONG_KEY)


def test_wmbus_without_key_says_so() -> None:
    row = _encrypted_wmbus()[0]
    with pytest.raises(DecodeError, match="no key"):
        WmbusDecoder().decode(bytes.fromhex(row["hex"]))


def test_wmbus_key_lookup_by_meter_id() -> None:
    row = _encrypted_wmbus()[0]
    keys = {row["expected"]["id"]: bytes.fromhex(row["key"])}
    frame = WmbusDecoder(key_for=keys.get).decode(bytes.fromhex(row["hex"]))
    assert frame.values["total_m3"] == pytest.approx(row["expected"]["total_m3"])
    frame = decode_any(bytes.fromhex(row["hex"]), key_for=keys.get)
    assert frame.meter_id == row["expected"]["id"]


def test_dlms_authenticated_with_wrong_keys_fails_authentication() -> None:
    row = load("dlms_gcm.jsonl")[0]
    arguments = (
        bytes.fromhex(row["system_title"]),
        int(row["security_control"], 16),
        int(row["invocation_counter"], 16),
        bytes.fromhex(row["hex"]),
    )
    with pytest.raises(DecodeError, match="authentication failed"):
        decrypt_ciphered(*arguments, WRONG_KEY, bytes.fromhex(row["authentication_key"]))
    with pytest.raises(DecodeError, match="authentication failed"):
        decrypt_ciphered(*arguments, bytes.fromhex(row["key"]), WRONG_KEY)


def test_dlms_apdu_with_wrong_key_fails() -> None:
    row = load("dlms_gcm.jsonl")[2]
    with pytest.raises(DecodeError):
        decode_any(bytes.fromhex(row["hex"]), key=WRONG_KEY, auth_key=WRONG_KEY)


def test_dlms_encryption_only_with_wrong_key_fails() -> None:
    row = load("dlms_gcm.jsonl")[1]
    with pytest.raises(DecodeError, match="wrong key"):
        decode_any(bytes.fromhex(row["hex"]), key=WRONG_KEY)


def test_dlms_key_lookup_by_system_title() -> None:
    row = load("dlms_gcm.jsonl")[1]
    keys = {bytes.fromhex(row["system_title"]): (bytes.fromhex(row["key"]), None)}
    frame = decode_any(bytes.fromhex(row["hex"]), key_for=keys.get)
    assert frame.values["active_power_import_total"] == 9108
    with pytest.raises(DecodeError, match="no key"):
        decode_any(bytes.fromhex(row["hex"]))
