"""The worker's per-frame fast paths (issue 25) give what the general code gives."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.ingest.decoders import DecodeError, han_lists
from app.ingest.decoders.dlms_cipher import decrypt_ciphered
from app.ingest.decoders.frame_decoder import FrameDecoder
from app.ingest.frame_builders import glo_cipher, han_list3_apdu, hdlc_frame
from app.ingest.registers import frame_readings

TITLE = b"AIDM\x00\x00\x00\x07"
KEY = bytes(range(16))
AUTH = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf")


def _reference_gcm(security: int, counter: int, ciphertext: bytes, key: bytes, auth: bytes) -> bytes:
    """GCM with a 12-byte tag as `cryptography`'s decryptor checks it (the code before issue 25)."""
    body, tag = ciphertext[:-12], ciphertext[-12:]
    aad = bytes([security]) + auth + (b"" if security & 0x20 else body)
    decryptor = Cipher(
        algorithms.AES(key), modes.GCM(TITLE + counter.to_bytes(4, "big"), tag, min_tag_length=12)
    ).decryptor()
    decryptor.authenticate_additional_data(aad)
    plaintext = decryptor.update(body if security & 0x20 else b"") + decryptor.finalize()
    return plaintext if security & 0x20 else body


def _sealed(security: int, counter: int, plaintext: bytes) -> bytes:
    iv = TITLE + counter.to_bytes(4, "big")
    encryptor = Cipher(algorithms.AES(KEY), modes.GCM(iv)).encryptor()
    encrypted = bool(security & 0x20)
    encryptor.authenticate_additional_data(bytes([security]) + AUTH + (b"" if encrypted else plaintext))
    body = encryptor.update(plaintext) if encrypted else plaintext
    encryptor.finalize()
    return body + encryptor.tag[:12]


@pytest.mark.parametrize("security", [0x30, 0x10])
def test_gcm_through_the_one_shot_aead_opens_and_refuses_what_a_gcm_decryptor_does(security):
    for counter in range(1, 40):
        plaintext = os.urandom(counter * 3)
        sealed = _sealed(security, counter, plaintext)
        opened = decrypt_ciphered(TITLE, security, counter, sealed, KEY, AUTH)
        assert opened == plaintext == _reference_gcm(security, counter, sealed, KEY, AUTH)
        for flipped in (0, len(sealed) - 1, len(sealed) - 13, len(sealed) // 2):
            tampered = bytearray(sealed)
            tampered[flipped] ^= 0x01
            with pytest.raises(DecodeError, match="authentication failed"):
                decrypt_ciphered(TITLE, security, counter, bytes(tampered), KEY, AUTH)
        with pytest.raises(DecodeError, match="authentication failed"):
            decrypt_ciphered(TITLE, security, counter + 1, sealed, KEY, AUTH)  # another IV
        with pytest.raises(DecodeError, match="authentication failed"):
            decrypt_ciphered(TITLE, security ^ 0x01, counter, sealed, KEY, AUTH)  # another SC byte
        with pytest.raises(DecodeError, match="authentication failed"):
            decrypt_ciphered(TITLE, security, counter, sealed, KEY, AUTH[::-1])


def _frame(clock: datetime, import_wh: int, power_w: int, counter: int) -> bytes:
    apdu = han_list3_apdu("AID7000007", clock, import_wh, power_w)
    return hdlc_frame(glo_cipher(apdu, TITLE, KEY, AUTH, counter))


def test_a_streams_meters_sharing_a_clock_tick_have_it_worked_out_once(monkeypatch):
    parsed: list[bytes] = []
    real = han_lists.parse_cosem_datetime

    def counting(raw, zone):  # type: ignore[no-untyped-def]
        parsed.append(raw)
        return real(raw, zone)

    monkeypatch.setattr(han_lists, "parse_cosem_datetime", counting)
    decoder = FrameDecoder()
    keys = {TITLE: (KEY, AUTH)}.get
    hour = datetime(2026, 5, 1, 10, tzinfo=UTC)
    frames = [decoder.decode(_frame(hour, 1000 + n, n, n + 1), key_for=keys) for n in range(1, 6)]
    later = decoder.decode(_frame(datetime(2026, 5, 1, 11, tzinfo=UTC), 2000, 1, 9), key_for=keys)
    assert [f.meter_datetime for f in frames] == [hour] * 5
    assert later.meter_datetime == datetime(2026, 5, 1, 11, tzinfo=UTC)
    assert len(parsed) == 2  # once per tick, not once per frame (6)


def test_readings_of_a_known_layout_are_the_readings_the_general_path_gives():
    decoder = FrameDecoder()
    keys = {TITLE: (KEY, AUTH)}.get
    received = datetime(2026, 5, 1, 10, 0, 3, tzinfo=UTC)
    for n in range(1, 4):
        frame = decoder.decode(
            _frame(datetime(2026, 5, 1, 10, n, tzinfo=UTC), 12_345_678 + n, 2500 + n, n), key_for=keys
        )
        assert frame.layout is not None
        fast = frame_readings(frame, received)
        frame.layout = None
        assert fast == frame_readings(frame, received)
        assert [(r.register, r.value, r.unit) for r in fast] == [
            ("1-0:1.7.0", 2.5 + n / 1000, "kW"),
            ("1-0:1.8.0", round((12_345_678 + n) / 1000, 6), "kWh"),
            ("1-0:2.8.0", 0.0, "kWh"),
        ]
