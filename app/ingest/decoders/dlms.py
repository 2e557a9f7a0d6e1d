"""DLMS application layer as pushed by HAN ports: LLC header and the data-notification APDU."""

from __future__ import annotations

from dataclasses import dataclass

from app.ingest.decoders.axdr import OCTET_STRING, AxdrNode, parse_data
from app.ingest.decoders.errors import DecodeError

DATA_NOTIFICATION = 0x0F
LLC_HEADERS = (b"\xe6\xe7\x00", b"\xe6\xe6\x00")


@dataclass(slots=True)
class DataNotification:
    """A decoded data-notification; `datetime_raw` is the optional 12-byte COSEM date-time."""

    invoke_id: int
    datetime_raw: bytes | None
    body: AxdrNode


def strip_llc(pdu: bytes) -> bytes:
    """The APDU inside an LLC PDU (E6 E7 00 from the meter, E6 E6 00 towards it)."""
    if pdu[:3] in LLC_HEADERS:
        return pdu[3:]
    raise DecodeError("missing LLC header")


def notification_body_offset(apdu: bytes) -> tuple[int, bytes | None]:
    """Offset of the notification body and the header date-time (None when absent).

    The date-time is an optional octet string; meters send it as a bare length (0x00 or 0x0C)
    and Kaifa as a tagged octet string (09 0C ...).
    """
    if len(apdu) < 6 or apdu[0] != DATA_NOTIFICATION:
        raise DecodeError("not a data-notification APDU")
    pos = 5
    marker = apdu[pos]
    if marker == 0x00:
        return pos + 1, None
    if marker == 0x0C:
        end = pos + 13
    elif marker == OCTET_STRING and apdu[pos + 1 : pos + 2] == b"\x0c":
        pos += 1
        end = pos + 13
    else:
        raise DecodeError("bad date-time in data-notification")
    if end > len(apdu):
        raise DecodeError("data-notification truncated")
    return end, bytes(apdu[pos + 1 : end])


def parse_data_notification(apdu: bytes) -> DataNotification:
    offset, datetime_raw = notification_body_offset(apdu)
    body = parse_data(apdu, offset)
    if body.end != len(apdu):
        raise DecodeError("trailing bytes after data-notification body")
    return DataNotification(int.from_bytes(apdu[1:5], "big"), datetime_raw, body)
