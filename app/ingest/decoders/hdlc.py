"""HDLC framing of the HAN port (IEC 62056-46, frame format type 3).

A frame is `7E | A? LL | dest | src | control | HCS | information | FCS | 7E` where the 11-bit length
counts everything between the flags. Addresses are 1-4 bytes each and end at the byte whose least
significant bit is 1. HCS and FCS are CRC-16/X.25, low byte first. Meters do not byte-stuff, so a
0x7E may appear inside a frame: the length field, not the next flag, says where a frame ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from app.ingest.decoders.crc import crc16_x25
from app.ingest.decoders.errors import DecodeError

FLAG = 0x7E
_SEGMENTED = 0x08
_MAX_ADDRESS_BYTES = 4


class HdlcFrame(NamedTuple):
    """One checked HDLC frame; `information` is the LLC PDU (or a segment of it). A named tuple:
    built for every frame, and a frozen dataclass costs twice as much to build (issue 25)."""

    destination: int
    source: int
    control: int
    information: bytes
    segmented: bool


def _read_address(frame: bytes, pos: int, end: int) -> tuple[int, int]:
    address = 0
    for count in range(_MAX_ADDRESS_BYTES):
        if pos >= end:
            break
        byte = frame[pos]
        address = (address << 7) | (byte >> 1)
        pos += 1
        if byte & 1:
            return address, pos
        if count == _MAX_ADDRESS_BYTES - 1:
            break
    raise DecodeError("bad HDLC address")


def parse_hdlc_body(body: bytes) -> HdlcFrame:
    """Check and split the bytes between the two flags (format byte .. FCS)."""
    size = len(body)
    if size < 7:
        raise DecodeError("HDLC frame too short")
    fmt = body[0]
    if fmt >> 4 != 0xA:
        raise DecodeError("not an HDLC type 3 frame")
    length = ((fmt & 0x07) << 8) | body[1]
    if length != size:
        raise DecodeError(f"HDLC length {length} does not match {size} bytes")
    destination, pos = _read_address(body, 2, size - 2)
    source, pos = _read_address(body, pos, size - 2)
    control = body[pos]
    pos += 1
    fcs = body[-2] | (body[-1] << 8)
    if pos == size - 2:
        # A frame without information field: the FCS is the only check and covers the header.
        if crc16_x25(body[:-2]) != fcs:
            raise DecodeError("FCS mismatch")
        return HdlcFrame(destination, source, control, b"", bool(fmt & _SEGMENTED))
    if pos + 2 > size - 2:
        raise DecodeError("HDLC header truncated")
    hcs = body[pos] | (body[pos + 1] << 8)
    if crc16_x25(body[:pos]) != hcs:
        raise DecodeError("HCS mismatch")
    if crc16_x25(body[:-2]) != fcs:
        raise DecodeError("FCS mismatch")
    return HdlcFrame(destination, source, control, body[pos + 2 : -2], bool(fmt & _SEGMENTED))


def decode_hdlc_frame(data: bytes) -> HdlcFrame:
    """Check one whole frame `7E ... 7E`."""
    if len(data) < 9 or data[0] != FLAG or data[-1] != FLAG:
        raise DecodeError("HDLC frame must start and end with 7E")
    return parse_hdlc_body(bytes(data[1:-1]))


class HdlcFrameReader:
    """Cuts a serial byte stream into checked frames.

    Tolerates garbage between frames, frames split across reads, several frames per read and a
    flag shared by consecutive frames. A frame that fails a check is counted in `bad`, kept in
    `errors` (the last few) and passed to `on_error`; the reader then resynchronises on the next
    flag. Segmented frames are joined: the yielded frame carries the whole information field.
    """

    def __init__(
        self,
        on_error: Callable[[DecodeError], None] | None = None,
        max_frame_length: int = 2048,
        reassemble: bool = True,
    ) -> None:
        self._buffer = bytearray()
        self._segments: list[bytes] = []
        self._on_error = on_error
        self._max_length = max_frame_length
        self._reassemble = reassemble
        self.ok = 0
        self.bad = 0
        self.skipped_bytes = 0
        self.errors: deque[DecodeError] = deque(maxlen=16)

    def _report(self, error: DecodeError) -> None:
        self.bad += 1
        self.errors.append(error)
        if self._on_error is not None:
            self._on_error(error)

    def feed(self, data: bytes | bytearray | memoryview) -> list[HdlcFrame]:
        """Add bytes read from the port; returns the frames completed by them, in order."""
        frames: list[HdlcFrame] = []
        buffer = self._buffer
        buffer += data
        pos = 0
        while True:
            start = buffer.find(FLAG, pos)
            if start < 0:
                self.skipped_bytes += len(buffer) - pos
                pos = len(buffer)
                break
            self.skipped_bytes += start - pos
            pos = start
            if len(buffer) - start < 3:
                break
            fmt = buffer[start + 1]
            if fmt == FLAG:
                pos = start + 1  # two flags in a row: the first closed something or was idle
                continue
            if fmt >> 4 != 0xA:
                # A closing flag whose frame we lost, or a 7E inside garbage: not a frame start.
                pos = start + 1
                self.skipped_bytes += 1
                continue
            length = ((fmt & 0x07) << 8) | buffer[start + 2]
            if length < 7 or length > self._max_length:
                pos = start + 1
                self.skipped_bytes += 1
                continue
            end = start + length + 1
            if end >= len(buffer):
                later = self._complete_frame_after(start + 1)
                if later is None:
                    break  # wait for the rest of this frame
                # A checked frame further on proves this start was garbage with a long length.
                self.skipped_bytes += later - start
                pos = later
                continue
            if buffer[end] != FLAG:
                # Bytes were lost or this 7E was data: look for the next flag.
                pos = start + 1
                self.skipped_bytes += 1
                continue
            try:
                frame = parse_hdlc_body(bytes(buffer[start + 1 : end]))
            except DecodeError as error:
                self._report(error)
                # Only a failed FCS proves the header (and so the length) was right.
                pos = end if str(error) == "FCS mismatch" else start + 1
                continue
            self.ok += 1
            pos = end  # the closing flag may open the next frame
            assembled = self._assemble(frame)
            if assembled is not None:
                frames.append(assembled)
        if pos:
            del buffer[:pos]
        return frames

    def _complete_frame_after(self, pos: int) -> int | None:
        """Start of the first complete, checked frame after `pos` in the buffer, if any."""
        buffer = self._buffer
        while True:
            start = buffer.find(FLAG, pos)
            if start < 0 or len(buffer) - start < 9:
                return None
            fmt = buffer[start + 1]
            length = ((fmt & 0x07) << 8) | buffer[start + 2]
            end = start + length + 1
            if fmt >> 4 == 0xA and length >= 7 and end < len(buffer) and buffer[end] == FLAG:
                try:
                    parse_hdlc_body(bytes(buffer[start + 1 : end]))
                except DecodeError:
                    pass
                else:
                    return start
            pos = start + 1

    def _assemble(self, frame: HdlcFrame) -> HdlcFrame | None:
        if not self._reassemble:
            return frame
        if frame.segmented:
            self._segments.append(frame.information)
            return None
        if not self._segments:
            return frame
        information = b"".join(self._segments) + frame.information
        self._segments.clear()
        return HdlcFrame(frame.destination, frame.source, frame.control, information, True)
