"""Wireless (and wired) M-Bus telegrams to DecodedFrames.

Layers, outside in: link layer (L C M A CI), extended link layer (CI 0x8C/0x8D, AES-CTR),
transport layer (CI 0x7A short / 0x72 long header, security mode 5 AES-CBC), then data records:
full (CI 0x78, or after a TPL header) or Kamstrup compact (CI 0x79) whose headers come from a
format remembered per signature. A meter driver (app/ingest/decoders/wmbus_meters/, found by
its detection) names the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from app.ingest.decoders.crc import crc16_en13757
from app.ingest.decoders.errors import DecodeError
from app.ingest.decoders.mbus_frame import MbusLongFrame
from app.ingest.decoders.mbus_records import (
    MbusRecord,
    parse_records,
    record_headers,
    split_format,
    type_f_summer_time,
)
from app.ingest.decoders.reading import DecodedFrame, WmbusIdentity
from app.ingest.decoders.wmbus_crypto import (
    VERIFICATION_FILLER,
    check_key,
    decrypt_cbc,
    decrypt_ctr,
    ell_iv,
    mode5_iv,
)
from app.ingest.decoders.wmbus_link import MEDIA, manufacturer_name, parse_link_header
from app.ingest.decoders.wmbus_meters import driver_for, known_formats, maker_names

# Asked with the meter's identity: a str (its id) that carries the maker code, version and type.
WmbusKeyLookup = Callable[[WmbusIdentity], "bytes | None"]

CI_ELL_SHORT = 0x8C
CI_ELL_SESSION = 0x8D
CI_TPL_SHORT = 0x7A
CI_TPL_LONG = 0x72
CI_NO_HEADER = 0x78
CI_COMPACT = 0x79
DEFAULT_ZONE = ZoneInfo("Europe/Oslo")

_UNITS = (
    ("_kwh", "kWh"),
    ("_kvarh", "kvarh"),
    ("_kvah", "kVAh"),
    ("_m3h", "m3/h"),
    ("_m3c", "m3·C"),
    ("_m3", "m3"),
    ("_kw", "kW"),
    ("_c", "°C"),
    ("_bar", "bar"),
    ("_h", "h"),
    ("_hz", "Hz"),
)


def _unit_of(name: str) -> str | None:
    for suffix, unit in _UNITS:
        if name.endswith(suffix):
            return unit
    return None


def _signature(difvif: bytes) -> int:
    return crc16_en13757(difvif)


class WmbusDecoder:
    """Decodes telegrams of many meters; remembers compact-frame formats between telegrams."""

    def __init__(self, key_for: WmbusKeyLookup | None = None, local_zone: tzinfo = DEFAULT_ZONE) -> None:
        self._key_for = key_for
        self._zone = local_zone
        self._formats: dict[int, bytes] = {}
        for layout in known_formats():
            difvif = bytes.fromhex(layout)
            self._formats[_signature(difvif)] = difvif

    def decode(self, telegram: bytes, key: bytes | None = None) -> DecodedFrame:
        """A wireless telegram (without or with format A block CRCs)."""
        link, rest = parse_link_header(telegram)
        manufacturer = link.manufacturer_bytes
        address = link.address
        meter_id = link.meter_id
        identity = WmbusIdentity(meter_id, link.manufacturer, link.version, link.device_type)
        key = key if key is not None else self._lookup(identity)
        ci = link.ci
        payload = rest
        link_encrypted = False
        if ci in (CI_ELL_SHORT, CI_ELL_SESSION):
            if len(payload) < (6 if ci == CI_ELL_SESSION else 2) + 1:
                raise DecodeError("extended link layer truncated")
            if ci == CI_ELL_SESSION:
                payload, link_encrypted = self._open_ell(
                    manufacturer, address, payload[0], payload[2:6], payload[6:], key
                )
            else:
                payload = payload[2:]
            if not payload:
                raise DecodeError("no transport layer after the extended link layer")
            ci, payload = payload[0], payload[1:]
        frame = self._decode_transport(
            ci, payload, link.manufacturer, meter_id, address[4], address[5], manufacturer, address, key
        )
        frame.encrypted = frame.encrypted or link_encrypted
        return frame

    def decode_wired(self, frames: list[MbusLongFrame], key: bytes | None = None) -> DecodedFrame:
        """RSP_UD long frame(s) of a wired M-Bus meter (CI 0x72)."""
        if len(frames) != 1:
            raise DecodeError("multi-telegram M-Bus answers are not supported")
        frame = frames[0]
        if frame.ci != CI_TPL_LONG:
            raise DecodeError(f"unsupported M-Bus CI 0x{frame.ci:02x}")
        return self._decode_transport(frame.ci, frame.data, "", "", 0, 0, b"", b"", key)

    def _lookup(self, identity: WmbusIdentity) -> bytes | None:
        return self._key_for(identity) if self._key_for is not None else None

    def _open_ell(
        self,
        manufacturer: bytes,
        address: bytes,
        control: int,
        session: bytes,
        payload: bytes,
        key: bytes | None,
    ) -> tuple[bytes, bool]:
        """Payload after the ELL, decrypted and with its CRC checked and removed, and whether a key
        decrypted it."""
        encryption = int.from_bytes(session, "little") >> 29
        if len(payload) < 3:
            raise DecodeError("ELL payload truncated")
        if encryption == 0:
            return (payload[2:] if _payload_crc_ok(payload) else payload), False
        if key is not None:
            plaintext = decrypt_ctr(check_key(key), ell_iv(manufacturer, address, control, session), payload)
            if _payload_crc_ok(plaintext):
                return plaintext[2:], True
        if _payload_crc_ok(payload):
            # Already decrypted by whoever handed it to us: plaintext, whatever the header claims.
            return payload[2:], False
        raise DecodeError("no key" if key is None else "wrong key (or corrupted payload)")

    def _decode_transport(
        self,
        ci: int,
        payload: bytes,
        manufacturer_text: str,
        meter_id: str,
        version: int,
        device_type: int,
        manufacturer: bytes,
        address: bytes,
        key: bytes | None,
    ) -> DecodedFrame:
        tpl_status: int | None = None
        encrypted = False
        if ci == CI_TPL_LONG:
            if len(payload) < 12:
                raise DecodeError("long transport header truncated")
            address = payload[0:4] + payload[6:8]
            manufacturer = payload[4:6]
            manufacturer_text = manufacturer_name(int.from_bytes(manufacturer, "little"))
            meter_id = payload[3::-1].hex()
            version, device_type = payload[6], payload[7]
            if key is None:
                key = self._lookup(WmbusIdentity(meter_id, manufacturer_text, version, device_type))
            ci, payload = CI_TPL_SHORT, payload[8:]
        if ci == CI_TPL_SHORT:
            if len(payload) < 4:
                raise DecodeError("short transport header truncated")
            access, tpl_status = payload[0], payload[1]
            configuration = int.from_bytes(payload[2:4], "little")
            body, encrypted = self._open_tpl(configuration, access, manufacturer, address, payload[4:], key)
            records = parse_records(body)
            self._learn_format(records)
        elif ci == CI_NO_HEADER:
            records = parse_records(payload)
            self._learn_format(records)
        elif ci == CI_COMPACT:
            records = self._expand_compact(payload)
        else:
            raise DecodeError(f"unsupported CI 0x{ci:02x}")
        frame = self._frame(records, tpl_status, manufacturer_text, meter_id, version, device_type)
        frame.encrypted = encrypted
        if meter_id:
            frame.wmbus_identity = WmbusIdentity(meter_id, manufacturer_text, version, device_type)
        return frame

    def _open_tpl(
        self,
        configuration: int,
        access: int,
        manufacturer: bytes,
        address: bytes,
        body: bytes,
        key: bytes | None,
    ) -> tuple[bytes, bool]:
        """The transport layer's body, and whether a key decrypted it."""
        mode = (configuration >> 8) & 0x1F
        if mode == 0:
            return body, False
        if mode != 5:
            raise DecodeError(f"security mode {mode} not supported")
        blocks = (configuration >> 4) & 0x0F
        encrypted_length = min(len(body), blocks * 16) if blocks else len(body)
        if key is not None:
            iv = mode5_iv(manufacturer, address, access)
            plaintext = decrypt_cbc(check_key(key), iv, body[:encrypted_length]) + body[encrypted_length:]
            if plaintext.startswith(VERIFICATION_FILLER):
                return plaintext, True
        if body.startswith(VERIFICATION_FILLER):
            # Already decrypted (or never encrypted, whatever mode 5 claims): plaintext.
            return body, False
        raise DecodeError("no key" if key is None else "wrong key (or corrupted payload)")

    def _learn_format(self, records: list[MbusRecord]) -> None:
        difvif = record_headers(records)
        if difvif and all(record.difvif[0] & 0x0F != 0x0D for record in records):
            self._formats.setdefault(_signature(difvif), difvif)

    def _expand_compact(self, payload: bytes) -> list[MbusRecord]:
        if len(payload) < 4:
            raise DecodeError("compact frame truncated")
        signature = int.from_bytes(payload[0:2], "little")
        full_crc = int.from_bytes(payload[2:4], "little")
        difvif = self._formats.get(signature)
        if difvif is None:
            raise DecodeError(f"unknown compact frame format {signature:04x} (no full frame seen yet)")
        data = payload[4:]
        parts = []
        pos = 0
        for header, length in split_format(difvif):
            parts.append(header + data[pos : pos + length])
            pos += length
        if pos != len(data):
            raise DecodeError("compact frame length does not match its format")
        full = b"".join(parts)
        # The sender's CRC over the full records proves the layout (and the decryption) right.
        if crc16_en13757(full) != full_crc:
            raise DecodeError("compact frame does not match its format")
        return parse_records(full)

    def _frame(
        self,
        records: list[MbusRecord],
        tpl_status: int | None,
        manufacturer: str,
        meter_id: str,
        version: int,
        device_type: int,
    ) -> DecodedFrame:
        driver = driver_for(manufacturer, version, device_type)
        values: dict[str, Any] = {"media": MEDIA.get(device_type, "unknown"), "id": meter_id}
        if driver is not None:
            values.update(driver.decode(records, tpl_status))
        else:
            for record in records:
                values.setdefault(f"{record.quantity}_{record.difvif.hex()}", record.value)
        units = {name: unit for name in values if (unit := _unit_of(name)) is not None}
        meter_datetime = None
        clock = values.get("meter_datetime")
        if isinstance(clock, str):
            local = datetime.strptime(clock, "%Y-%m-%d %H:%M")
            # In the hour the clocks go back, the summer-time bit tells the two 02:00s apart
            # (fold 0 is the first, summer-time one); elsewhere fold changes nothing.
            fold = 0 if _clock_on_summer_time(records) else 1
            meter_datetime = local.replace(tzinfo=self._zone, fold=fold).astimezone(UTC)
        return DecodedFrame(
            meter_id=meter_id,
            meter_type=driver.name if driver else None,
            manufacturer=maker_names().get(manufacturer, manufacturer),
            meter_datetime=meter_datetime,
            values=values,
            units=units,
            source="wmbus",
        )


def _clock_on_summer_time(records: list[MbusRecord]) -> bool:
    clock = next((r for r in records if r.quantity == "datetime" and r.storage == 0), None)
    return clock is not None and type_f_summer_time(clock.data)


def _payload_crc_ok(payload: bytes) -> bool:
    return len(payload) >= 2 and crc16_en13757(payload[2:]) == int.from_bytes(payload[:2], "little")
