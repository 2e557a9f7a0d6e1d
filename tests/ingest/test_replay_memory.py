"""Issue 10, item 14: `replay` streams a capture instead of reading it whole (60 MB used 1.28 GB)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ingest_factories import readings_in

from app.ingest.frame_builders import HeatMeterState, han_list3_apdu, hdlc_frame, wmbus_heat_telegram
from app.ingest.sources.files import replay_stream
from app.ingest.worker import FramePipeline

CAPTURE_MB = 12
# Far below the capture's size: the old code's peak was at least the whole file.
PEAK_LIMIT = 3 * 1024 * 1024


def _han_frame(hour: int) -> bytes:
    return hdlc_frame(han_list3_apdu("AID57000000", datetime(2026, 2, 1, hour, tzinfo=UTC), 1000 + hour, 50))


def _write_capture(path: Path, first: bytes, filler: bytes, last: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(first)
        block = filler * (1024 * 1024 // len(filler))
        for _ in range(CAPTURE_MB):
            handle.write(block)
        handle.write(last)


def _peak_while(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_han_capture_is_replayed_in_bounded_memory(store, engine, meters, tmp_path):
    capture = tmp_path / "han.bin"
    # Line noise between two good frames: bytes that are never a frame (no 0x7E flag).
    _write_capture(capture, _han_frame(10), bytes(range(0x7E)), _han_frame(11))
    assert capture.stat().st_size > CAPTURE_MB * 1024 * 1024
    pipeline = FramePipeline(store, store.source("replay:han.bin", "replay", "collected"))
    peak = _peak_while(lambda: replay_stream(capture, pipeline))
    store.flush()
    assert [row[3] for row in readings_in(engine, "1-0:1.8.0")] == [1.01, 1.011]
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB for a {CAPTURE_MB} MB capture"


def test_a_large_hex_capture_with_an_endless_line_is_replayed_in_bounded_memory(
    store, engine, meters, tmp_path
):
    capture = tmp_path / "wmbus.txt"
    first = wmbus_heat_telegram("57000074", HeatMeterState(1_000_000, 1, 60.0, 40.0), None, 1).hex()
    # Another meter: a telegram without a meter clock is stamped with the time it is read.
    last = wmbus_heat_telegram("57000111", HeatMeterState(1_001_000, 2, 60.0, 40.0), None, 2).hex()
    # A line with no end: the old detection split the whole file into lines, twice.
    _write_capture(capture, (first + "\n").encode(), b"ab" * 512, ("\n" + last + "\n").encode())
    pipeline = FramePipeline(store, store.source("replay:wmbus.txt", "replay", "collected"))
    peak = _peak_while(lambda: replay_stream(capture, pipeline))
    store.flush()
    stored = {row[0]: row[3] for row in readings_in(engine, "heat_energy")}
    assert stored == {meters["KAM57000074"]: 1000.0, meters["KAM57000111"]: 1001.0}
    assert pipeline.source.frames_bad >= 1  # the endless line, counted once cut
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB for a {CAPTURE_MB} MB capture"
