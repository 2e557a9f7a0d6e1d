"""M-Bus data records (EN 13757-3): DIF/DIFE/VIF/VIFE headers and their values.

Shared by wireless M-Bus telegrams and wired M-Bus RSP_UD frames. Each record keeps its raw
header (`difvif`), what it measures (`quantity`, function, storage, tariff, subunit), its value
in the driver-facing unit (kWh, m3, m3/h, kW, °C, bar, h) and the unscaled integer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import date

from app.ingest.decoders.errors import DecodeError

INSTANTANEOUS, MAXIMUM, MINIMUM, AT_ERROR = 0, 1, 2, 3
BACKWARD_FLOW = 0x3C
FORWARD_FLOW = 0x3B
MANUFACTURER_COMBINABLE = 0x7F  # followed by a manufacturer's own code
_IDLE_FILLER = 0x2F
_MANUFACTURER_DATA = (0x0F, 0x1F)
_VARIABLE_LENGTH = 0x0D

# DIF data field -> data length in bytes
DATA_LENGTHS = {
    0x0: 0,
    0x1: 1,
    0x2: 2,
    0x3: 3,
    0x4: 4,
    0x5: 4,
    0x6: 6,
    0x7: 8,
    0x8: 0,
    0x9: 1,
    0xA: 2,
    0xB: 3,
    0xC: 4,
    0xE: 6,
}
_BCD = frozenset({0x9, 0xA, 0xB, 0xC, 0xE})

_SECONDS_TO_HOURS = (1 / 3600, 1 / 60, 1, 24)  # s, min, h, d


@dataclass(slots=True)
class MbusRecord:
    difvif: bytes
    function: int
    storage: int
    tariff: int
    subunit: int
    quantity: str
    scale: float  # multiply the raw number by this to get the driver-facing unit
    combinables: tuple[int, ...]
    data: bytes
    raw: int | float | str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def value(self) -> float | int | str | None:
        if isinstance(self.raw, (int, float)) and not isinstance(self.raw, bool):
            if self.quantity in ("date", "datetime", "fabrication_no", "enhanced_id"):
                return self.raw
            return self.raw * self.scale
        return self.raw

    @property
    def backward(self) -> bool:
        return BACKWARD_FLOW in self.combinables


def _primary_vif(code: int) -> tuple[str, float]:
    n = code & 0x07
    if code <= 0x07:
        return "energy", 10.0 ** (n - 3) / 1000  # Wh -> kWh
    if code <= 0x0F:
        return "energy", 10.0**n / 3.6e6  # J -> kWh
    if code <= 0x17:
        return "volume", 10.0 ** (n - 6)
    if code <= 0x1F:
        return "mass", 10.0 ** (n - 3)
    if code <= 0x23:
        return "on_time", _SECONDS_TO_HOURS[code & 0x03]
    if code <= 0x27:
        return "operating_time", _SECONDS_TO_HOURS[code & 0x03]
    if code <= 0x2F:
        return "power", 10.0 ** (n - 3) / 1000  # W -> kW
    if code <= 0x37:
        return "power", 10.0**n / 3.6e6  # J/h -> kW
    if code <= 0x3F:
        return "volume_flow", 10.0 ** (n - 6)
    if code <= 0x47:
        return "volume_flow", 10.0 ** (n - 7) * 60
    if code <= 0x4F:
        return "volume_flow", 10.0 ** (n - 9) * 3600
    if code <= 0x57:
        return "mass_flow", 10.0 ** (n - 3)
    n = code & 0x03
    if code <= 0x5B:
        return "flow_temperature", 10.0 ** (n - 3)
    if code <= 0x5F:
        return "return_temperature", 10.0 ** (n - 3)
    if code <= 0x63:
        return "temperature_difference", 10.0 ** (n - 3)
    if code <= 0x67:
        return "external_temperature", 10.0 ** (n - 3)
    if code <= 0x6B:
        return "pressure", 10.0 ** (n - 3)
    return {
        0x6C: ("date", 1.0),
        0x6D: ("datetime", 1.0),
        0x6E: ("hca", 1.0),
        0x78: ("fabrication_no", 1.0),
        0x79: ("enhanced_id", 1.0),
        0x7A: ("bus_address", 1.0),
    }.get(code, ("unknown", 1.0))


def _first_extension(code: int) -> tuple[str, float]:
    n = code & 0x01
    if code <= 0x01:
        return "energy", 10.0 ** (n - 1) * 1000  # MWh -> kWh
    if code <= 0x03:
        return "reactive_energy", 10.0 ** (n - 1)
    if 0x08 <= code <= 0x09:
        return "energy", 10.0 ** (n - 1) * 1e9 / 3.6e6  # GJ -> kWh
    if 0x10 <= code <= 0x11:
        return "volume", 10.0 ** (n + 2)
    if 0x18 <= code <= 0x19:
        return "mass", 10.0 ** (n + 2) * 1000
    if 0x28 <= code <= 0x29:
        return "power", 10.0 ** (n - 1) * 1000  # MW -> kW
    if 0x30 <= code <= 0x31:
        return "power", 10.0 ** (n - 1) * 1e9 / 3.6e6  # GJ/h -> kW
    return "unknown", 1.0


def _second_extension(code: int) -> tuple[str, float]:
    if code == 0x17:
        return "error_flags", 1.0
    if 0x48 <= code <= 0x4F:
        return "voltage", 10.0 ** ((code & 0x07) - 9)
    if 0x50 <= code <= 0x5F:
        return "current", 10.0 ** ((code & 0x0F) - 12)
    return "unknown", 1.0


def _bcd(data: bytes) -> int:
    digits = data[::-1].hex()
    if digits[:1] == "f":  # a leading F nibble marks a negative BCD number
        return -int(digits[1:] or "0")
    if not digits.isdigit():
        raise DecodeError("bad BCD digits")
    return int(digits)


def decode_type_g_date(data: bytes) -> str | None:
    """Date type G (2 bytes) as YYYY-MM-DD; None when unset or invalid."""
    if data == b"\xff\xff":
        return None
    day = data[0] & 0x1F
    month = data[1] & 0x0F
    year = 2000 + (((data[0] & 0xE0) >> 5) | ((data[1] & 0xF0) >> 1))
    if not 1 <= month <= 12 or day == 0:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def type_f_summer_time(data: bytes) -> bool:
    """The SU bit of a type F date-time: the meter's clock was on summer time (EN 13757-3)."""
    return len(data) == 4 and bool(data[1] & 0x80)


def decode_type_f_datetime(data: bytes) -> str | None:
    """Date and time type F (4 bytes) as "YYYY-MM-DD HH:MM"; None when invalid."""
    if data[0] & 0x80:  # IV bit: time invalid
        return None
    minute, hour = data[0] & 0x3F, data[1] & 0x1F
    day, month = data[2] & 0x1F, data[3] & 0x0F
    year = 2000 + (((data[2] & 0xE0) >> 5) | ((data[3] & 0xF0) >> 1))
    if not 1 <= month <= 12 or day == 0 or hour > 23 or minute > 59:
        return None
    try:
        return f"{date(year, month, day).isoformat()} {hour:02d}:{minute:02d}"
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Header:
    difvif: bytes
    data_length: int  # -1: variable (LVAR byte follows)
    function: int
    storage: int
    tariff: int
    subunit: int
    quantity: str
    scale: float
    combinables: tuple[int, ...]
    coding: int


def _read_header(payload: bytes, pos: int) -> tuple[_Header, int]:
    start = pos
    dif = payload[pos]
    pos += 1
    coding = dif & 0x0F
    function = (dif >> 4) & 0x03
    storage = (dif >> 6) & 0x01
    tariff = subunit = 0
    extension = dif & 0x80
    shift = 0
    while extension:
        if pos >= len(payload) or shift >= 10:
            raise DecodeError("DIFE chain truncated")
        dife = payload[pos]
        pos += 1
        storage |= (dife & 0x0F) << (1 + 4 * shift)
        tariff |= ((dife >> 4) & 0x03) << (2 * shift)
        subunit |= ((dife >> 6) & 0x01) << shift
        extension = dife & 0x80
        shift += 1
    if pos >= len(payload):
        raise DecodeError("record without VIF")
    vif = payload[pos]
    pos += 1
    code = vif & 0x7F
    if vif in (0xFB, 0xFD):
        if pos >= len(payload):
            raise DecodeError("VIF extension truncated")
        vife = payload[pos]
        pos += 1
        quantity, scale = (_first_extension if vif == 0xFB else _second_extension)(vife & 0x7F)
        extension = vife & 0x80
    elif code == 0x7F or vif == 0xFF:
        quantity, scale = "manufacturer", 1.0
        extension = vif & 0x80
    elif code == 0x7C:
        raise DecodeError("plain-text VIF not supported")
    else:
        quantity, scale = _primary_vif(code)
        extension = vif & 0x80
    combinables = []
    while extension:
        if pos >= len(payload) or len(combinables) > 10:
            raise DecodeError("VIFE chain truncated")
        vife = payload[pos]
        pos += 1
        combinables.append(vife & 0x7F)
        extension = vife & 0x80
    data_length = -1 if coding == _VARIABLE_LENGTH else DATA_LENGTHS[coding]
    header = _Header(
        bytes(payload[start:pos]),
        data_length,
        function,
        storage,
        tariff,
        subunit,
        quantity,
        scale,
        tuple(combinables),
        coding,
    )
    return header, pos


def _value(header: _Header, data: bytes) -> int | float | str | None:
    coding = header.coding
    if header.quantity == "date" and len(data) == 2:
        return decode_type_g_date(data)
    if header.quantity == "datetime" and len(data) == 4:
        return decode_type_f_datetime(data)
    if coding in _BCD:
        number = _bcd(data)
        if header.quantity == "fabrication_no":
            return data[::-1].hex()
        return number
    if coding == 0x5:
        return struct.unpack("<f", data)[0]
    if coding == _VARIABLE_LENGTH:
        return data[::-1].decode("latin-1")
    if not data:
        return None
    if header.quantity == "enhanced_id":
        return data[::-1].hex()
    return int.from_bytes(data, "little", signed=True)


def parse_records(payload: bytes) -> list[MbusRecord]:
    """All data records of an application payload (fillers skipped, manufacturer data kept aside)."""
    records: list[MbusRecord] = []
    pos = 0
    size = len(payload)
    while pos < size:
        dif = payload[pos]
        if dif == _IDLE_FILLER:
            pos += 1
            continue
        if dif in _MANUFACTURER_DATA:
            break
        header, pos = _read_header(payload, pos)
        length = header.data_length
        if length < 0:
            if pos >= size:
                raise DecodeError("variable-length record truncated")
            length = payload[pos]
            pos += 1
            if length > 0xBF:
                raise DecodeError("unsupported variable-length coding")
        if pos + length > size:
            raise DecodeError("record data truncated")
        data = bytes(payload[pos : pos + length])
        pos += length
        records.append(
            MbusRecord(
                header.difvif,
                header.function,
                header.storage,
                header.tariff,
                header.subunit,
                header.quantity,
                header.scale,
                header.combinables,
                data,
                _value(header, data),
            )
        )
    return records


def split_format(difvif: bytes) -> list[tuple[bytes, int]]:
    """A compact-frame format (the headers of a full frame) as (header, data length) pairs."""
    layout = []
    pos = 0
    while pos < len(difvif):
        header, pos = _read_header(difvif, pos)
        if header.data_length < 0:
            raise DecodeError("variable-length record in a compact format")
        layout.append((header.difvif, header.data_length))
    return layout


def record_headers(records: list[MbusRecord]) -> bytes:
    return b"".join(record.difvif for record in records)
