"""Wired M-Bus long frames `68 L L 68 C A CI data CS 16` (EN 13757-2).

Also carries DLMS over M-Bus (Austrian HAN ports): CI 0x00-0x1F marks a segment, bit 4 the last
one; each segment has STSAP and DTSAP bytes before its piece of the APDU.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.ingest.decoders.errors import DecodeError

START = 0x68
STOP = 0x16


@dataclass(frozen=True, slots=True)
class MbusLongFrame:
    control: int
    address: int
    ci: int
    data: bytes


def split_long_frames(data: bytes) -> list[MbusLongFrame]:
    """One or more consecutive long frames, each with its checksum verified."""
    frames = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 9 or data[pos] != START or data[pos + 3] != START:
            raise DecodeError("not an M-Bus long frame")
        length = data[pos + 1]
        if data[pos + 2] != length or length < 3:
            raise DecodeError("M-Bus length fields differ")
        end = pos + 4 + length
        if end + 2 > len(data):
            raise DecodeError("M-Bus frame truncated")
        body = data[pos + 4 : end]
        if sum(body) & 0xFF != data[end]:
            raise DecodeError("M-Bus checksum mismatch")
        if data[end + 1] != STOP:
            raise DecodeError("M-Bus frame without stop byte")
        frames.append(MbusLongFrame(body[0], body[1], body[2], bytes(body[3:])))
        pos = end + 2
    return frames


def is_dlms_segment(frame: MbusLongFrame) -> bool:
    return frame.ci < 0x20


def join_dlms_segments(frames: list[MbusLongFrame]) -> bytes:
    """The APDU carried by DLMS segments in sequence order; the last one has bit 4 set."""
    pieces = []
    for expected, frame in enumerate(frames):
        if not is_dlms_segment(frame) or frame.ci & 0x0F != expected % 16:
            raise DecodeError("DLMS segments out of order")
        pieces.append(frame.data[2:])  # skip STSAP, DTSAP
        if frame.ci & 0x10:
            if expected != len(frames) - 1:
                raise DecodeError("data after the last DLMS segment")
            return b"".join(pieces)
    raise DecodeError("last DLMS segment missing")
