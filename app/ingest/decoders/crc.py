"""CRC-16 variants used by meter protocols.

X.25 (HDLC FCS/HCS) runs in C: binascii.crc_hqx computes the unreflected CCITT CRC, and X.25 is
the same polynomial reflected, so we bit-reverse the input bytes with bytes.translate and the
16-bit result afterwards. That keeps the per-frame cost free of Python byte loops.
"""

from __future__ import annotations

import binascii

_BIT_REVERSED = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def _reverse16(value: int) -> int:
    return (_BIT_REVERSED[value & 0xFF] << 8) | _BIT_REVERSED[value >> 8]


def crc16_x25(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/X-25 (poly 0x1021 reflected, init and xorout 0xFFFF): HDLC HCS and FCS."""
    return _reverse16(binascii.crc_hqx(bytes(data).translate(_BIT_REVERSED), 0xFFFF)) ^ 0xFFFF


def _reflected_table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


def _normal_table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


_ARC_TABLE = _reflected_table(0xA001)
_EN13757_TABLE = _normal_table(0x3D65)


def crc16_arc(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/ARC (IBM, poly 0x8005 reflected, init 0): the `!XXXX` checksum of P1 telegrams."""
    crc = 0
    table = _ARC_TABLE
    for byte in bytes(data):
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def crc16_en13757(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/EN-13757 (poly 0x3D65, init 0, xorout 0xFFFF): M-Bus blocks, ELL payloads, format signatures."""
    crc = 0
    table = _EN13757_TABLE
    for byte in bytes(data):
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ byte]
    return crc ^ 0xFFFF
