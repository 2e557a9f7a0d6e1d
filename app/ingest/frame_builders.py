"""Building frames the way meters send them: for the demo feed, the simulated bus meter and tests.

- HAN: an HDLC type 3 frame around a DLMS data-notification with a Nordic list 3 (OBIS-tagged
  structures, as Aidon sends them), optionally wrapped in general-glo-ciphering (AES-128-GCM).
- Wireless M-Bus: a Kamstrup heat meter telegram, TPL security mode 5 (AES-128-CBC).
- Wired M-Bus: the master's short frames (SND_NKE, REQ_UD2), secondary-address selection, and a
  meter's RSP_UD long frame with the same data records.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.ingest.decoders.crc import crc16_x25
from app.ingest.decoders.wmbus_crypto import mode5_iv

# -- HAN ----------------------------------------------------------------------------------------

_OBIS = {
    "list_ver_id": bytes([1, 1, 0, 2, 129, 255]),
    "meter_id": bytes([0, 0, 96, 1, 0, 255]),
    "meter_type": bytes([0, 0, 96, 1, 7, 255]),
    "clock": bytes([0, 0, 1, 0, 0, 255]),
    "active_power_import": bytes([1, 0, 1, 7, 0, 255]),
    "active_power_import_total": bytes([1, 0, 1, 8, 0, 255]),
    "active_power_export_total": bytes([1, 0, 2, 8, 0, 255]),
}
_UNIT_W, _UNIT_WH = 27, 30
LIST_IDS = {"Aidon": "AIDON_V0001", "Kaifa": "KFM_001", "Kamstrup": "Kamstrup_V0001"}


def _visible(text: str) -> bytes:
    raw = text.encode()
    return bytes([0x0A, len(raw)]) + raw


def _tagged(name: str, value: bytes, scaler_unit: tuple[int, int] | None = None) -> bytes:
    obis = b"\x09\x06" + _OBIS[name]
    if scaler_unit is None:
        return b"\x02\x02" + obis + value
    scaler, unit = scaler_unit
    return b"\x02\x03" + obis + value + bytes([0x02, 0x02, 0x0F, scaler & 0xFF, 0x16, unit])


def cosem_datetime(moment: datetime) -> bytes:
    """12-byte COSEM date-time in UTC (deviation 0), so no local-time ambiguity reaches the decoder."""
    utc = moment.astimezone(UTC)
    return (
        struct.pack(
            ">HBBBBBBB", utc.year, utc.month, utc.day, utc.isoweekday(), utc.hour, utc.minute, utc.second, 0
        )
        + b"\x00\x00"  # deviation 0 minutes
        + b"\x00"  # clock status
    )


def han_list3_apdu(
    meter_id: str,
    clock: datetime,
    import_wh: int,
    power_w: int,
    *,
    manufacturer: str = "Aidon",
    meter_type: str = "6525",
    export_wh: int = 0,
    invoke_id: int = 0x40000000,
) -> bytes:
    """A data-notification with the hourly list 3: identity, clock, power and the energy registers."""
    elements = [
        _tagged("list_ver_id", _visible(LIST_IDS.get(manufacturer, "AIDON_V0001"))),
        _tagged("meter_id", _visible(meter_id)),
        _tagged("meter_type", _visible(meter_type)),
        _tagged("active_power_import", b"\x06" + struct.pack(">I", power_w), (0, _UNIT_W)),
        _tagged("clock", b"\x09\x0c" + cosem_datetime(clock)),
        _tagged("active_power_import_total", b"\x06" + struct.pack(">I", import_wh), (0, _UNIT_WH)),
        _tagged("active_power_export_total", b"\x06" + struct.pack(">I", export_wh), (0, _UNIT_WH)),
    ]
    body = bytes([0x01, len(elements)]) + b"".join(elements)
    return b"\x0f" + invoke_id.to_bytes(4, "big") + b"\x00" + body


def _axdr_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    if length < 0x100:
        return bytes([0x81, length])
    return bytes([0x82]) + length.to_bytes(2, "big")


def glo_cipher(
    apdu: bytes,
    system_title: bytes,
    encryption_key: bytes,
    authentication_key: bytes,
    invocation_counter: int,
) -> bytes:
    """general-glo-ciphering with authentication and encryption (security control 0x30)."""
    security_control = 0x30
    iv = system_title + invocation_counter.to_bytes(4, "big")
    aad = bytes([security_control]) + authentication_key
    sealed = AESGCM(encryption_key).encrypt(iv, apdu, aad)
    ciphertext, tag = sealed[:-16], sealed[-16:-4]  # DLMS keeps 12 bytes of the tag
    content = bytes([security_control]) + invocation_counter.to_bytes(4, "big") + ciphertext + tag
    return b"\xdb\x08" + system_title + _axdr_length(len(content)) + content


def hdlc_frame(
    information: bytes, destination: bytes = b"\x41", source: bytes = b"\x08\x83", control: int = 0x13
) -> bytes:
    """An HDLC type 3 frame (7E ... 7E) with HCS and FCS, carrying an LLC PDU (E6 E7 00 + APDU)."""
    llc = b"\xe6\xe7\x00" + information
    length = 2 + len(destination) + len(source) + 1 + 2 + len(llc) + 2
    header = bytes([0xA0 | (length >> 8), length & 0xFF]) + destination + source + bytes([control])
    header += crc16_x25(header).to_bytes(2, "little")
    body = header + llc
    return b"\x7e" + body + crc16_x25(body).to_bytes(2, "little") + b"\x7e"


# -- M-Bus data records -------------------------------------------------------------------------

KAMSTRUP = 0x2C2D
HEAT = 0x04


def _bcd_id(number: str) -> bytes:
    return bytes.fromhex(number.rjust(8, "0")[-8:])[::-1]


@dataclass(frozen=True, slots=True)
class HeatMeterState:
    energy_wh: int
    volume_l: int
    flow_c: float
    return_c: float


def heat_records(state: HeatMeterState) -> bytes:
    """Heat energy (Wh), volume (l), flow and return temperature (0.01 °C)."""
    return (
        b"\x04\x03"
        + struct.pack("<I", state.energy_wh)
        + b"\x04\x13"
        + struct.pack("<I", state.volume_l)
        + b"\x02\x59"
        + struct.pack("<h", round(state.flow_c * 100))
        + b"\x02\x5d"
        + struct.pack("<h", round(state.return_c * 100))
    )


def type_f_datetime(local: datetime, summer_time: bool) -> bytes:
    """Date and time type F (EN 13757-3) of a local wall-clock time, with its summer-time bit."""
    year = local.year - 2000
    return bytes(
        [
            local.minute & 0x3F,
            (local.hour & 0x1F) | (0x80 if summer_time else 0),
            (local.day & 0x1F) | ((year & 0x07) << 5),
            (local.month & 0x0F) | ((year & 0x78) << 1),
        ]
    )


def wmbus_heat_telegram(
    meter_number: str,
    state: HeatMeterState,
    key: bytes | None,
    access: int,
    version: int = 0x1C,
    clock: bytes | None = None,
) -> bytes:
    """A Kamstrup heat meter's wireless telegram (CI 0x7A), encrypted with mode 5 when `key` is given;
    `clock` (see `type_f_datetime`) adds the meter's date-time record."""
    address = _bcd_id(meter_number) + bytes([version, HEAT])
    manufacturer = KAMSTRUP.to_bytes(2, "little")
    payload = b"\x2f\x2f" + heat_records(state) + (b"\x04\x6d" + clock if clock else b"")
    if key is not None:
        payload += b"\x2f" * (-len(payload) % 16)
        encryptor = Cipher(
            algorithms.AES(key), modes.CBC(mode5_iv(manufacturer, address, access))
        ).encryptor()
        payload = encryptor.update(payload) + encryptor.finalize()
        configuration = (5 << 8) | ((len(payload) // 16) << 4)
    else:
        configuration = 0
    body = (
        b"\x44"
        + manufacturer
        + address
        + b"\x7a"
        + bytes([access, 0x00])
        + configuration.to_bytes(2, "little")
    )
    body += payload
    return bytes([len(body)]) + body


# -- wired M-Bus --------------------------------------------------------------------------------

ACK = 0xE5
SND_NKE = 0x40
REQ_UD2 = 0x5B
FCB = 0x20
SELECT_ADDRESS = 0xFD
BROADCAST = 0xFF


def short_frame(control: int, address: int) -> bytes:
    return bytes([0x10, control, address, (control + address) & 0xFF, 0x16])


def long_frame(control: int, address: int, ci: int, data: bytes) -> bytes:
    body = bytes([control, address, ci]) + data
    return bytes([0x68, len(body), len(body), 0x68]) + body + bytes([sum(body) & 0xFF, 0x16])


def secondary_address(
    meter_number: str, manufacturer: int = 0xFFFF, version: int = 0xFF, medium: int = 0xFF
) -> bytes:
    """Id (BCD), manufacturer, version and medium; 0xFF/0xFFFF are wildcards in a selection."""
    return _bcd_id(meter_number) + manufacturer.to_bytes(2, "little") + bytes([version, medium])


def select_frame(meter_number: str) -> bytes:
    """SND_UD to address 253 with CI 0x52: select the meter with this secondary address."""
    return long_frame(0x53, SELECT_ADDRESS, 0x52, secondary_address(meter_number))


def rsp_ud(
    primary: int, meter_number: str, records: bytes, access: int, version: int = 0x1C, medium: int = HEAT
) -> bytes:
    """A meter's answer to REQ_UD2: long frame, CI 0x72, unencrypted."""
    header = _bcd_id(meter_number) + KAMSTRUP.to_bytes(2, "little") + bytes([version, medium, access, 0x00])
    return long_frame(0x08, primary, 0x72, header + b"\x00\x00" + records)
