"""Files: a captured HAN/P1 byte stream and wireless M-Bus telegrams as hex lines.

Billing-grade history (hourly values, register readings) is imported by `billing_files`.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)
CHUNK = 4096
HOUR = 3600
ENERGY_REGISTER = "1-0:1.8.0"


def replay_stream(path: Path, pipeline: FramePipeline, protocol: str = "auto") -> int:
    """Feed a captured serial byte stream through the pipeline in port-sized chunks."""
    data = path.read_bytes()
    if protocol == "auto":
        protocol = "p1" if data.lstrip()[:1] == b"/" else "hex" if _looks_like_hex_lines(data) else "han"
    if protocol == "hex":
        return feed_hex_lines(io.StringIO(data.decode("ascii", "replace")), pipeline)
    feed = pipeline.feed_p1 if protocol == "p1" else pipeline.feed_hdlc
    queued = 0
    for start in range(0, len(data), CHUNK):
        queued += feed(data[start : start + CHUNK])
        pipeline.store.flush_due()
    return queued


def _looks_like_hex_lines(data: bytes) -> bool:
    first = data.strip().splitlines()[:1]
    return bool(first) and telegram_from_line(first[0].decode("ascii", "replace")) is not None


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
