"""Tell frame kinds apart and route them to their decoder.

Recognised: a whole HDLC frame (7E..7E, possibly several segments), an HDLC information field
(LLC PDU E6 E7 00 ...), a bare data-notification or general-glo-ciphering APDU, wired M-Bus
long frames (DLMS segments or RSP_UD), a wireless M-Bus telegram and a P1 text telegram.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from app.ingest.decoders.dlms import DATA_NOTIFICATION, LLC_HEADERS, strip_llc
from app.ingest.decoders.dlms_cipher import (
    GENERAL_GLO_CIPHERING,
    SECURITY_AUTHENTICATED,
    SECURITY_ENCRYPTED,
    decrypt_glo_ciphering,
)
from app.ingest.decoders.errors import DecodeError
from app.ingest.decoders.han_lists import DEFAULT_ZONE, HanListDecoder
from app.ingest.decoders.hdlc import FLAG, HdlcFrameReader, parse_hdlc_body
from app.ingest.decoders.mbus_frame import is_dlms_segment, join_dlms_segments, split_long_frames
from app.ingest.decoders.p1 import P1TelegramDecoder
from app.ingest.decoders.reading import DecodedFrame
from app.ingest.decoders.wmbus import WmbusDecoder

KeyLookup = Callable[[Any], Any]
# FLAG ids (first bytes of a DLMS system title) of makes seen on HAN ports
_FLAG_MANUFACTURERS = {"KFM": "Kaifa", "KAM": "Kamstrup", "LGZ": "Landis+Gyr", "ISK": "Iskraemeco"}
_WMBUS_CONTROL_FIELDS = frozenset({0x44, 0x46, 0x47, 0x48, 0x08, 0x18, 0x28, 0x38, 0x06, 0x40})


class FrameDecoder:
    """Holds the per-stream state (HAN parse plans, compact-frame formats) of one source."""

    def __init__(self, local_zone: tzinfo = DEFAULT_ZONE) -> None:
        self.han = HanListDecoder(local_zone)
        self.p1 = P1TelegramDecoder(local_zone)
        self.wmbus = WmbusDecoder(local_zone=local_zone)

    def decode(
        self,
        data: bytes | bytearray | memoryview | str,
        key: bytes | None = None,
        auth_key: bytes | None = None,
        key_for: KeyLookup | None = None,
    ) -> DecodedFrame:
        if isinstance(data, str):
            return self.p1.decode(data)
        data = bytes(data)
        if len(data) < 2:
            raise DecodeError("frame too short")
        first = data[0]
        if first == FLAG and data[-1] == FLAG:
            return self._decode_hdlc(data, key, auth_key, key_for)
        if data[:3] in LLC_HEADERS:
            return self.decode_apdu(strip_llc(data), key, auth_key, key_for)
        if first in (DATA_NOTIFICATION, GENERAL_GLO_CIPHERING):
            return self.decode_apdu(data, key, auth_key, key_for)
        if first == 0x68 and len(data) > 4 and data[3] == 0x68:
            return self._decode_mbus(data, key, auth_key, key_for)
        if _looks_like_wmbus(data):
            self.wmbus._key_for = key_for
            try:
                return self.wmbus.decode(data, key)
            finally:
                self.wmbus._key_for = None
        if b"/" in data[:8] and b"!" in data:
            return self.p1.decode(data)
        raise DecodeError("unrecognised frame")

    def decode_apdu(
        self,
        apdu: bytes,
        key: bytes | None = None,
        auth_key: bytes | None = None,
        key_for: KeyLookup | None = None,
    ) -> DecodedFrame:
        """A DLMS APDU: data-notification, or one wrapped in general-glo-ciphering."""
        if not apdu:
            raise DecodeError("empty APDU")
        if apdu[0] != GENERAL_GLO_CIPHERING:
            return self.han.decode_apdu(apdu)
        plaintext, ciphered = decrypt_glo_ciphering(apdu, key, auth_key, key_for)
        if not plaintext or plaintext[0] != DATA_NOTIFICATION:
            # Without an authentication tag a wrong key only shows as nonsense plaintext.
            raise DecodeError("wrong key (decrypted APDU is not a data-notification)")
        try:
            frame = self.han.decode_apdu(plaintext)
        except DecodeError as error:
            raise DecodeError(f"wrong key or bad APDU ({error})") from None
        frame.plaintext = plaintext
        frame.encrypted = bool(ciphered.security_control & SECURITY_ENCRYPTED)
        frame.authenticated = bool(ciphered.security_control & SECURITY_AUTHENTICATED)
        frame.system_title = ciphered.system_title
        maker = _FLAG_MANUFACTURERS.get(ciphered.system_title[:3].decode("latin-1"))
        if maker is not None and frame.list_ver_id is None:
            # Without a list id the layout only hints at a make; the system title names it.
            frame.manufacturer = maker
            frame.values["meter_manufacturer"] = maker
        return frame

    def _decode_hdlc(
        self, data: bytes, key: bytes | None, auth_key: bytes | None, key_for: KeyLookup | None
    ) -> DecodedFrame:
        if len(data) > 3 and ((data[1] & 0x07) << 8 | data[2]) + 2 == len(data) and not data[1] & 0x08:
            # The common case, one unsegmented frame: no stream reader needed.
            frame = parse_hdlc_body(data[1:-1])
            return self.decode_apdu(strip_llc(frame.information), key, auth_key, key_for)
        errors: list[DecodeError] = []
        reader = HdlcFrameReader(on_error=errors.append)
        frames = reader.feed(data)
        if errors:
            raise errors[0]
        if len(frames) != 1 or reader.skipped_bytes:
            raise DecodeError("expected exactly one HDLC frame" if frames else "incomplete HDLC frame")
        return self.decode_apdu(strip_llc(frames[0].information), key, auth_key, key_for)

    def _decode_mbus(
        self, data: bytes, key: bytes | None, auth_key: bytes | None, key_for: KeyLookup | None
    ) -> DecodedFrame:
        frames = split_long_frames(data)
        if is_dlms_segment(frames[0]):
            return self.decode_apdu(join_dlms_segments(frames), key, auth_key, key_for)
        return self.wmbus.decode_wired(frames, key)


def _looks_like_wmbus(data: bytes) -> bool:
    length = data[0]
    return (
        len(data) >= 12
        and data[1] in _WMBUS_CONTROL_FIELDS
        and len(data)
        in (
            length + 1,
            _format_a_size(length),
        )
    )


def _format_a_size(length: int) -> int:
    # first block 10 bytes, then blocks of 16, each followed by a 2-byte CRC
    rest = max(length - 9, 0)
    return 12 + rest + 2 * ((rest + 15) // 16)


_DEFAULT = FrameDecoder()


def decode_any(
    data: bytes | bytearray | memoryview | str,
    key: bytes | None = None,
    auth_key: bytes | None = None,
    key_for: KeyLookup | None = None,
) -> DecodedFrame:
    """Decode whatever one frame this is; raises DecodeError with a reason when it is not valid.

    `key`/`auth_key` decrypt DLMS (general-glo-ciphering) and wireless M-Bus; `key_for` looks keys
    up instead: with the DLMS system title (bytes) -> (encryption key, authentication key), or
    with a wireless M-Bus meter id (str) -> key.
    """
    return _DEFAULT.decode(data, key, auth_key, key_for)
