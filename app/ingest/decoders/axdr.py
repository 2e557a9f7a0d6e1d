"""A-XDR encoded COSEM data (IEC 62056-6-2): the typed values inside DLMS APDUs.

`parse_data` returns a tree of `AxdrNode`s that remember where each value's bytes are, so a
caller can turn a decoded frame into a fast re-usable parse plan.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta, tzinfo

from app.ingest.decoders.errors import DecodeError

NULL = 0x00
ARRAY = 0x01
STRUCTURE = 0x02
BOOLEAN = 0x03
BIT_STRING = 0x04
INT32 = 0x05
UINT32 = 0x06
OCTET_STRING = 0x09
VISIBLE_STRING = 0x0A
UTF8_STRING = 0x0C
BCD = 0x0D
INT8 = 0x0F
INT16 = 0x10
UINT8 = 0x11
UINT16 = 0x12
INT64 = 0x14
UINT64 = 0x15
ENUM = 0x16
FLOAT32 = 0x17
FLOAT64 = 0x18
DATE_TIME = 0x19
DATE = 0x1A
TIME = 0x1B

# tag -> (size in bytes, signed) for the fixed-size integers
INTEGER_TYPES: dict[int, tuple[int, bool]] = {
    BOOLEAN: (1, False),
    INT32: (4, True),
    UINT32: (4, False),
    BCD: (1, False),
    INT8: (1, True),
    INT16: (2, True),
    UINT8: (1, False),
    UINT16: (2, False),
    INT64: (8, True),
    UINT64: (8, False),
    ENUM: (1, False),
}
_FIXED_BYTES = {FLOAT32: 4, FLOAT64: 8, DATE_TIME: 12, DATE: 5, TIME: 4}
_STRING_TYPES = frozenset({OCTET_STRING, VISIBLE_STRING, UTF8_STRING})
_MAX_DEPTH = 16


class AxdrNode:
    """One decoded value; `data_start:end` are the bytes of the value itself (no tag, no length)."""

    __slots__ = ("data_start", "end", "start", "tag", "value")

    def __init__(self, tag: int, value: object, start: int, data_start: int, end: int) -> None:
        self.tag = tag
        self.value = value
        self.start = start
        self.data_start = data_start
        self.end = end

    @property
    def children(self) -> list[AxdrNode]:
        return self.value if self.tag in (ARRAY, STRUCTURE) else []  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"AxdrNode(0x{self.tag:02x}, {self.value!r})"


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    """A-XDR length: one byte below 0x80, else 0x8N followed by N big-endian bytes."""
    if pos >= len(data):
        raise DecodeError("A-XDR length truncated")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count == 0 or count > 4 or pos + 1 + count > len(data):
        raise DecodeError("bad A-XDR length")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


def parse_data(data: bytes, pos: int = 0, depth: int = 0) -> AxdrNode:
    """Decode one A-XDR value starting at `pos`."""
    if depth > _MAX_DEPTH:
        raise DecodeError("A-XDR nesting too deep")
    if pos >= len(data):
        raise DecodeError("A-XDR data truncated")
    tag = data[pos]
    start = pos
    pos += 1
    if tag in (ARRAY, STRUCTURE):
        count, pos = read_length(data, pos)
        if count > len(data) - pos:
            raise DecodeError("A-XDR element count exceeds data")
        children = []
        for _ in range(count):
            child = parse_data(data, pos, depth + 1)
            children.append(child)
            pos = child.end
        return AxdrNode(tag, children, start, start + 1, pos)
    if tag in INTEGER_TYPES:
        size, signed = INTEGER_TYPES[tag]
        end = pos + size
        if end > len(data):
            raise DecodeError("A-XDR integer truncated")
        return AxdrNode(tag, int.from_bytes(data[pos:end], "big", signed=signed), start, pos, end)
    if tag in _STRING_TYPES:
        length, pos = read_length(data, pos)
        end = pos + length
        if end > len(data):
            raise DecodeError("A-XDR string truncated")
        raw = bytes(data[pos:end])
        value: object = raw if tag == OCTET_STRING else raw.decode("latin-1")
        return AxdrNode(tag, value, start, pos, end)
    if tag in _FIXED_BYTES:
        end = pos + _FIXED_BYTES[tag]
        if end > len(data):
            raise DecodeError("A-XDR value truncated")
        raw = bytes(data[pos:end])
        if tag == FLOAT32:
            return AxdrNode(tag, struct.unpack(">f", raw)[0], start, pos, end)
        if tag == FLOAT64:
            return AxdrNode(tag, struct.unpack(">d", raw)[0], start, pos, end)
        return AxdrNode(tag, raw, start, pos, end)
    if tag == BIT_STRING:
        bits, pos = read_length(data, pos)
        end = pos + (bits + 7) // 8
        if end > len(data):
            raise DecodeError("A-XDR bit string truncated")
        return AxdrNode(tag, bytes(data[pos:end]), start, pos, end)
    if tag == NULL:
        return AxdrNode(tag, None, start, pos, pos)
    raise DecodeError(f"unsupported A-XDR type 0x{tag:02x}")


def parse_cosem_datetime(raw: bytes, local_zone: tzinfo) -> datetime | None:
    """COSEM date-time (12 bytes) to an aware UTC datetime; None when the date is not specified.

    A deviation of 0x8000 means "not specified": the clock is then local time in `local_zone`.
    Otherwise the deviation is minutes of UTC minus local time (CET sends -60).
    """
    if len(raw) != 12:
        return None
    year = (raw[0] << 8) | raw[1]
    month, day, hour, minute, second = raw[2], raw[3], raw[5], raw[6], raw[7]
    if year == 0xFFFF or month > 12 or day > 31 or month == 0 or day == 0:
        return None
    hour = 0 if hour == 0xFF else hour
    minute = 0 if minute == 0xFF else minute
    second = 0 if second == 0xFF else second
    try:
        clock = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    deviation = (raw[9] << 8) | raw[10]
    if deviation == 0x8000:
        # Ambiguous autumn hour: the DST bit of the clock status says which one.
        fold = 0 if raw[11] != 0xFF and raw[11] & 0x80 else 1
        return clock.replace(tzinfo=local_zone, fold=fold).astimezone(UTC)
    if deviation >= 0x8000:
        deviation -= 0x10000
    return (clock + timedelta(minutes=deviation)).replace(tzinfo=UTC)
