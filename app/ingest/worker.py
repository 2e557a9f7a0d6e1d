"""One source's pipeline: bytes -> frames -> decoded readings -> the store.

A source owns one `FramePipeline`: the per-stream decoder state (HAN parse plans, compact-frame
formats, the HDLC reassembly buffer, the last meter id seen) lives here, while keys come from
the shared key ring and readings go to the shared store.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from app.clock import utcnow
from app.config import settings
from app.ingest.decoders import DecodedFrame, DecodeError
from app.ingest.decoders.dlms import strip_llc
from app.ingest.decoders.frame_decoder import FrameDecoder
from app.ingest.decoders.hdlc import HdlcFrameReader
from app.ingest.keyring import KeyRing, KeyTableUnavailable, protection_refusal
from app.ingest.registers import frame_readings
from app.ingest.store import ReadingStore, SourceCounters

log = logging.getLogger(__name__)

# A P1 telegram: from "/" to "!" and its optional 4-hex-digit CRC, then the line end.
_P1_TELEGRAM = re.compile(rb"/[^/!]*?![0-9A-Fa-f]{0,4}\r?\n")
_P1_BUFFER_LIMIT = 16_384
_LOGGED_REFUSALS = 1_000


class FramePipeline:
    def __init__(
        self,
        store: ReadingStore,
        source: SourceCounters,
        keys: KeyRing | None = None,
        *,
        meter_ref: str | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.keys = keys
        # A fixed meter (a HAN port belongs to one meter; list 1 frames carry no meter id).
        self.meter_ref = meter_ref
        self.decoder = FrameDecoder(ZoneInfo(settings.timezone))
        self._hdlc = HdlcFrameReader(on_error=self._bad_frame)
        self._p1_buffer = bytearray()
        self._last_meter: str | None = meter_ref
        self._refused_meters: set[str] = set()

    # -- whole frames -------------------------------------------------------------------------

    def handle_frame(self, data: bytes | str, receive_time: datetime | None = None) -> int:
        """Decode one frame or telegram (any kind) and queue its readings; returns readings queued."""
        try:
            frame = self.decoder.decode(data, key_for=self.keys)
        except DecodeError as error:
            self._bad_frame(error)
            return 0
        except Exception as error:  # no input may stop a source
            self._decoder_failed(error)
            return 0
        return self.handle_decoded(frame, receive_time)

    def handle_decoded(self, frame: DecodedFrame, receive_time: datetime | None = None) -> int:
        now = receive_time or utcnow()
        ref = self.meter_ref or frame.meter_id or self._last_meter
        refusal = self._protection_refusal(ref, frame) if ref else None
        if refusal is not None:
            self.source.frame_refused(refusal)
            # Logged once per meter: a flood of forged frames must not flood the log too.
            if len(self._refused_meters) >= _LOGGED_REFUSALS:
                self._refused_meters.clear()
            first = ref not in self._refused_meters
            self._refused_meters.add(ref)
            (log.warning if first else log.debug)("%s: refused a frame: %s", self.source.name, refusal)
            return 0
        self.source.frame_ok(now)
        if frame.meter_id:
            self._last_meter = frame.meter_id
        if not ref:
            log.debug("%s: frame without meter id before any identified frame; skipped", self.source.name)
            return 0
        try:
            readings = frame_readings(frame, now, ref)
        except Exception as error:  # e.g. a meter clock beyond any date
            self._decoder_failed(error)
            return 0
        hints = {ref: _meter_hint(frame)}
        self.store.submit(self.source, readings, hints)
        return len(readings)

    # -- streams ------------------------------------------------------------------------------

    def feed_hdlc(self, chunk: bytes, receive_time: datetime | None = None) -> int:
        """Bytes from a HAN port: frames are cut out, garbage and split frames tolerated."""
        queued = 0
        for hdlc_frame in self._hdlc.feed(chunk):
            try:
                apdu = strip_llc(hdlc_frame.information)
                frame = self.decoder.decode_apdu(apdu, key_for=self.keys)
            except DecodeError as error:
                self._bad_frame(error)
                continue
            except Exception as error:  # no input may stop a source
                self._decoder_failed(error)
                continue
            queued += self.handle_decoded(frame, receive_time)
        return queued

    def feed_p1(self, chunk: bytes, receive_time: datetime | None = None) -> int:
        """Bytes from a P1 port: each complete telegram is decoded."""
        buffer = self._p1_buffer
        buffer += chunk
        queued = 0
        consumed = 0
        for match in _P1_TELEGRAM.finditer(buffer):
            queued += self.handle_frame(bytes(match.group()).decode("ascii", "replace"), receive_time)
            consumed = match.end()
        if consumed:
            del buffer[:consumed]
        if len(buffer) > _P1_BUFFER_LIMIT:
            start = buffer.rfind(b"/")
            del buffer[: start if start > 0 else len(buffer)]
        return queued

    def _protection_refusal(self, ref: str, frame: DecodedFrame) -> str | None:
        """Why a keyed meter's frame is refused (it did not arrive encrypted with the meter's key)."""
        if self.keys is None:
            return None
        try:
            # The frame's own wireless M-Bus identity, unless the source names a fixed meter.
            identity = frame.wmbus_identity if ref == frame.meter_id and not self.meter_ref else None
            return protection_refusal(ref, frame, self.keys.protection(ref, identity))
        except KeyTableUnavailable as error:
            if frame.encrypted or frame.authenticated:
                return None  # opened with a key the ring holds: the key table spoke before
            return f"plaintext data for {ref}: the key table cannot be read to check it ({error})"

    def _decoder_failed(self, error: Exception) -> None:
        # A decoder bug met by hostile input: counted and logged, and the source reads on.
        self.source.frame_bad(f"decoder error: {type(error).__name__}: {error}")
        log.exception("%s: decoder failed on a frame", self.source.name)

    def _bad_frame(self, error: DecodeError) -> None:
        self.source.frame_bad(str(error))
        log.debug("%s: rejected frame: %s", self.source.name, error)


_MEDIUM_OF_MEDIA = {"heat": "heat", "water": "water", "warm water": "water", "cold water": "water"}
# (media, manufacturer, model) -> the hint: a few per make, shared by every frame (never changed).
_HINTS: dict[tuple[str, str | None, str | None], dict[str, str]] = {}
_HINTS_LIMIT = 1_000


def _meter_hint(frame: DecodedFrame) -> dict[str, str]:
    media = str(frame.values.get("media", "electricity"))
    key = (media, frame.manufacturer, frame.meter_type)
    hint = _HINTS.get(key)
    if hint is None:
        if len(_HINTS) >= _HINTS_LIMIT:
            _HINTS.clear()
        hint = _HINTS[key] = {
            "manufacturer": frame.manufacturer or "unknown",
            "model": frame.meter_type or "",
            "medium": _MEDIUM_OF_MEDIA.get(media, "electricity"),
        }
    return hint
