"""Wireless M-Bus data link layer (EN 13757-4): L, C, M, A and the first CI field.

Receivers hand over telegrams with the block CRCs already removed (as here), or in frame
format A with them: both are accepted, and format A CRCs are checked and stripped.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.ingest.decoders.crc import crc16_en13757
from app.ingest.decoders.errors import DecodeError

MEDIA = {
    0x00: "other",
    0x01: "oil",
    0x02: "electricity",
    0x03: "gas",
    0x04: "heat",
    0x05: "steam",
    0x06: "warm water",
    0x07: "water",
    0x08: "heat cost allocation",
    0x09: "compressed air",
    0x0A: "cooling load volume at outlet",
    0x0B: "cooling load volume at inlet",
    0x0C: "heat volume at inlet",
    0x0D: "heat/cooling load",
    0x0E: "bus/system component",
    0x15: "hot water",
    0x16: "cold water",
    0x17: "hot/cold water",
    0x18: "pressure",
    0x19: "A/D converter",
    0x1A: "smoke detector",
    0x1B: "room sensor",
    0x1C: "gas detector",
}


@dataclass(frozen=True, slots=True)
class LinkHeader:
    length: int
    control: int
    manufacturer_code: int
    address: bytes  # 6 bytes: id (4, BCD little-endian), version, device type
    ci: int

    @property
    def manufacturer(self) -> str:
        return manufacturer_name(self.manufacturer_code)

    @property
    def meter_id(self) -> str:
        return self.address[3::-1].hex()

    @property
    def version(self) -> int:
        return self.address[4]

    @property
    def device_type(self) -> int:
        return self.address[5]

    @property
    def manufacturer_bytes(self) -> bytes:
        return self.manufacturer_code.to_bytes(2, "little")


def manufacturer_name(code: int) -> str:
    """The three-letter FLAG id packed into 15 bits (0x2C2D -> KAM)."""
    return "".join(chr(((code >> shift) & 0x1F) + 64) for shift in (10, 5, 0))


def strip_format_a_crcs(frame: bytes) -> bytes:
    """Remove the block CRCs of a frame format A telegram (10-byte first block, then 16s)."""
    length = frame[0]
    out = bytearray(frame[:10])
    if crc16_en13757(frame[:10]) != int.from_bytes(frame[10:12], "big"):
        raise DecodeError("block CRC mismatch")
    pos = 12
    remaining = length - 9
    while remaining > 0:
        size = min(16, remaining)
        block = frame[pos : pos + size]
        check = frame[pos + size : pos + size + 2]
        if len(block) < size or len(check) < 2:
            raise DecodeError("telegram truncated")
        if crc16_en13757(block) != int.from_bytes(check, "big"):
            raise DecodeError("block CRC mismatch")
        out += block
        pos += size + 2
        remaining -= size
    return bytes(out)


def parse_link_header(telegram: bytes) -> tuple[LinkHeader, bytes]:
    """Link header and the bytes after the CI field (frame without block CRCs, or format A)."""
    if len(telegram) < 12:
        raise DecodeError("wireless M-Bus telegram too short")
    length = telegram[0]
    if len(telegram) != length + 1:
        if len(telegram) >= length + 3:
            telegram = strip_format_a_crcs(telegram)
        if len(telegram) != length + 1:
            raise DecodeError("L field does not match telegram length")
    header = LinkHeader(
        length=length,
        control=telegram[1],
        manufacturer_code=int.from_bytes(telegram[2:4], "little"),
        address=bytes(telegram[4:10]),
        ci=telegram[10],
    )
    return header, bytes(telegram[11:])
