"""Pure-Python decoders for meter frames: HAN (HDLC/DLMS), P1 text telegrams and wireless M-Bus.

Nothing here does I/O or imports Reflex: a source hands bytes in, a DecodedFrame comes out.
"""

from app.ingest.decoders.errors import DecodeError
from app.ingest.decoders.frame_decoder import decode_any
from app.ingest.decoders.reading import DecodedFrame, DecodedReading

__all__ = ["DecodeError", "DecodedFrame", "DecodedReading", "decode_any"]
