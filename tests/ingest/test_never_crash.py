"""Whatever bytes arrive, decoders raise DecodeError or return a frame: never anything else."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_vectors import load

from app.ingest.decoders import DecodedFrame, DecodeError, decode_any
from app.ingest.decoders.hdlc import HdlcFrameReader


def _corpus() -> list[bytes]:
    frames = [bytes.fromhex(row["hex"]) for row in load("han_hdlc.jsonl")]
    frames += [bytes.fromhex(row["hex"]) for row in load("p1.jsonl")]
    frames += [bytes.fromhex(row["hex"]) for row in load("dlms_gcm.jsonl")]
    frames += [
        bytes.fromhex(part.replace("_", ""))
        for row in load("wmbus_kamstrup.jsonl")
        for part in row["hex"].split(",")
    ]
    return frames or [b"\x7e\xa0\x07\x01\x02\x03\x00\x00\x7e"]


CORPUS = _corpus()


@st.composite
def mutated_frames(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(len(frame) - 1, 0)))
        if action == "flip" and frame:
            frame[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "truncate":
            del frame[position:]
        elif action == "insert":
            frame[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif frame:
            del frame[position]
    return bytes(frame)


def _decode(data: bytes) -> None:
    try:
        frame = decode_any(data)
    except DecodeError:
        return
    assert isinstance(frame, DecodedFrame)


FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    _decode(data)


@FUZZ
@given(mutated_frames())
def test_mutated_real_frames(data: bytes) -> None:
    _decode(data)


@FUZZ
@given(mutated_frames(), st.binary(max_size=40), st.integers(1, 64))
def test_stream_reader_survives_anything(frame: bytes, junk: bytes, chunk: int) -> None:
    reader = HdlcFrameReader()
    stream = junk + frame + junk + frame
    for start in range(0, len(stream), chunk):
        reader.feed(stream[start : start + chunk])
    assert reader.ok + reader.bad >= 0


@pytest.mark.parametrize("text", ["", "/", "/ABC5\r\n!", "/ABC5\r\n1-0:1.8.0(12*kWh)\r\n!ZZZZ", "\x00" * 10])
def test_odd_p1_text(text: str) -> None:
    with contextlib.suppress(DecodeError):
        decode_any(text)
