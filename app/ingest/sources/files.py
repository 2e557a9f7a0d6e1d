"""Files: a captured HAN/P1 byte stream and wireless M-Bus telegrams as hex lines.

Billing-grade history (hourly values, register readings) is imported by `billing_files`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)
CHUNK = 4096
HOUR = 3600
ENERGY_REGISTER = "1-0:1.8.0"


def replay_stream(path: Path, pipeline: FramePipeline, protocol: str = "auto") -> int:
    """Feed a captured serial byte stream through the pipeline in port-sized chunks.

    The capture is streamed, never read whole: memory stays flat whatever its size.
    """
    with path.open("rb") as handle:
        if protocol == "auto":
            protocol = detect_capture_protocol(handle)
            handle.seek(0)
        if protocol == "hex":
            return feed_hex_lines(capture_lines(handle), pipeline)
        feed = pipeline.feed_p1 if protocol == "p1" else pipeline.feed_hdlc
        queued = 0
        while chunk := handle.read(CHUNK):
            queued += feed(chunk)
            pipeline.store.flush_due()
        return queued


# How far into a capture its format is looked for, and the longest line a hex capture may have
# (a wireless M-Bus telegram is at most 256 bytes, 512 hex digits, plus a receiver's prefix).
DETECT_BYTES = 65_536
MAX_LINE = 8_192


def detect_capture_protocol(handle: BinaryIO) -> str:
    """`p1`, `hex` or `han`, from the first non-blank line within DETECT_BYTES of the start."""
    scanned = 0
    while scanned < DETECT_BYTES:
        line = handle.readline(DETECT_BYTES - scanned)
        if not line:
            break
        scanned += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[:1] == b"/":
            return "p1"
        return "hex" if telegram_from_line(stripped.decode("ascii", "replace")) is not None else "han"
    return "han"


def capture_lines(handle: BinaryIO) -> Iterator[str]:
    """The lines of a capture as text, each cut at MAX_LINE (the rest of an overlong line is
    skipped): a file without line ends is never held whole."""
    while line := handle.readline(MAX_LINE):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
        yield line.decode("ascii", "replace")


_HEX_TOKEN = re.compile(r"(?:0x)?([0-9A-Fa-f_|]{24,})")


def telegram_from_line(line: str) -> bytes | None:
    """The telegram in a receiver's log line: bare hex, `0x…`, rtl-wmbus `T1;…;0x…`, or wmbusmeters
    `telegram=|…|` (the `_` and `|` separators are dropped)."""
    candidates = _HEX_TOKEN.findall(line)
    if not candidates:
        return None
    token = max(candidates, key=len).replace("_", "").replace("|", "")
    if len(token) % 2:
        return None
    try:
        return bytes.fromhex(token)
    except ValueError:
        return None


def feed_hex_lines(lines: Iterable[str], pipeline: FramePipeline) -> int:
    """Wireless M-Bus (or any) telegrams, one per line; comments and blank lines skipped."""
    queued = 0
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        telegram = telegram_from_line(stripped)
        if telegram is None:
            pipeline.source.frame_bad("no telegram on the line")
            continue
        queued += pipeline.handle_frame(telegram)
        pipeline.store.flush_due()
    return queued
