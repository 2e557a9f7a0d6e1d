"""The streaming HDLC reader on real frames cut and mixed the way serial ports deliver them."""

from __future__ import annotations

import pytest
from ingest_vectors import load, vectors_dir

from app.ingest.decoders import decode_any
from app.ingest.decoders.crc import crc16_x25
from app.ingest.decoders.dlms import strip_llc
from app.ingest.decoders.han_lists import HanListDecoder
from app.ingest.decoders.hdlc import HdlcFrame, HdlcFrameReader, decode_hdlc_frame

pytestmark = pytest.mark.skipif(not vectors_dir().exists(), reason="shared/vectors not found")


def _frames() -> list[bytes]:
    return [bytes.fromhex(row["hex"]) for row in load("han_hdlc.jsonl") if row["hex"].startswith("7e")]


def _informations(frames: list[HdlcFrame]) -> list[bytes]:
    return [frame.information for frame in frames]


def test_corpus_has_whole_frames() -> None:
    assert len(_frames()) == 28


def test_one_read_with_all_frames_and_separate_flags() -> None:
    frames = _frames()
    reader = HdlcFrameReader()
    got = reader.feed(b"".join(frames))
    assert _informations(got) == [decode_hdlc_frame(f).information for f in frames]
    assert (reader.ok, reader.bad) == (len(frames), 0)


def test_shared_flags_between_frames() -> None:
    frames = _frames()
    stream = frames[0] + b"".join(frame[1:] for frame in frames[1:])
    reader = HdlcFrameReader()
    assert len(reader.feed(stream)) == len(frames)
    assert reader.bad == 0


def test_garbage_between_frames_is_skipped() -> None:
    frames = _frames()[:6]
    garbage = [b"\x00\xff", b"\x7e\x7e\x7e", b"\x7e\xa0\x05junk", b"hello\x7e", b"\xa0\x7e\xa1\x00"]
    stream = b"noise" + b"".join(frame + junk for frame, junk in zip(frames, [*garbage, b""], strict=True))
    reader = HdlcFrameReader()
    got = reader.feed(stream)
    assert _informations(got) == [decode_hdlc_frame(f).information for f in frames]
    assert reader.skipped_bytes > 0


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1000])
def test_frames_split_across_reads(chunk: int) -> None:
    frames = _frames()
    stream = b"\x01\x02" + b"".join(frames)
    reader = HdlcFrameReader()
    got = []
    for start in range(0, len(stream), chunk):
        got += reader.feed(stream[start : start + chunk])
    assert len(got) == len(frames)
    assert reader.bad == 0


def test_bad_fcs_is_reported_and_the_next_frame_still_decodes() -> None:
    good, other = _frames()[0], _frames()[1]
    broken = bytearray(good)
    broken[len(broken) // 2] ^= 0x01
    errors = []
    reader = HdlcFrameReader(on_error=errors.append)
    got = reader.feed(bytes(broken) + other)
    assert _informations(got) == [decode_hdlc_frame(other).information]
    assert reader.bad == 1
    assert str(errors[0]) == "FCS mismatch"
    assert reader.errors[-1] is errors[0]


def test_bad_hcs_is_reported() -> None:
    broken = bytearray(_frames()[0])
    broken[6] ^= 0x10  # a header byte: HCS catches it before the FCS does
    reader = HdlcFrameReader()
    assert reader.feed(bytes(broken)) == []
    assert reader.bad == 1
    assert str(reader.errors[0]) in ("HCS mismatch", "bad HDLC address")


def test_truncated_frame_is_dropped_and_the_reader_resyncs() -> None:
    first, second = _frames()[0], _frames()[1]
    reader = HdlcFrameReader()
    got = reader.feed(first[: len(first) // 2] + second + second)
    assert len(got) == 2


def _frame_bytes(information: bytes, segmented: bool) -> bytes:
    header = bytes([0xA8 if segmented else 0xA0, 0, 0x41, 0x08, 0x83, 0x13])
    length = len(header) + 2 + len(information) + 2
    header = bytes([header[0] | (length >> 8), length & 0xFF]) + header[2:]
    hcs = crc16_x25(header).to_bytes(2, "little")
    body = header + hcs + information
    return b"\x7e" + body + crc16_x25(body).to_bytes(2, "little") + b"\x7e"


def test_segmented_frames_are_reassembled() -> None:
    row = next(
        row for row in load("han_hdlc.jsonl") if row.get("list") == "no_list_3" and row["meter"] == "Aidon"
    )
    pdu = bytes.fromhex(row["hex"])
    cut = len(pdu) // 3
    stream = (
        _frame_bytes(pdu[:cut], True)
        + _frame_bytes(pdu[cut : 2 * cut], True)
        + _frame_bytes(pdu[2 * cut :], False)
    )
    frames = HdlcFrameReader().feed(stream)
    assert len(frames) == 1 and frames[0].information == pdu
    frame = HanListDecoder().decode_apdu(strip_llc(frames[0].information))
    assert frame.values["active_power_import_total"] == row["expected"]["active_power_import_total"]
    assert decode_any(stream).values == frame.values
