"""Frames per second of our decoders, and of amshan and dlms-cosem on the same frames.

    PYTHONPATH=. python bench/decode.py [--seconds 2]

Uses the shared corpus (../shared/vectors or $METERPORTAL_VECTORS). Each figure is whole-frame
work: HDLC checks + LLC + DLMS + list decoding to named values (dlms-cosem stops at the raw
A-XDR data, it has no HAN list mapping). Peers that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.ingest.decoders.frame_decoder import FrameDecoder
from app.ingest.decoders.wmbus import WmbusDecoder


def _vectors() -> Path:
    override = os.environ.get("METERPORTAL_VECTORS")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "vectors"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (_vectors() / name).read_text().splitlines() if line.strip()]


def rate(label: str, frames: list, decode: Callable[[object], object], seconds: float) -> float:
    usable = []
    for frame in frames:
        try:
            decode(frame)  # warm-up: fills parse plans and peer caches alike
        except Exception:
            continue
        usable.append(frame)
    if len(usable) < len(frames):
        label += f" [{len(frames) - len(usable)} of {len(frames)} frames fail]"
        frames = usable
    if not frames:
        print(f"  {label:<44} no frame decodes")
        return 0.0
    count = 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        for frame in frames:
            decode(frame)
        count += len(frames)
    per_second = count / (time.perf_counter() - start)
    print(f"  {label:<58} {per_second:>10,.0f} /s")
    return per_second


def bench_han(frames: list[bytes], seconds: float) -> None:
    ours = FrameDecoder()
    rate("meterportal (HDLC+DLMS+list)", frames, ours.decode, seconds)
    try:
        from han import autodecoder, hdlc
    except ImportError:
        print("  amshan: not installed, skipped")
    else:
        decoder = autodecoder.AutoDecoder()

        def amshan_decode(frame: bytes) -> object:
            reader = hdlc.HdlcFrameReader(False)
            return [decoder.decode_message(f) for f in reader.read(frame)]

        rate("amshan 2.x (HdlcFrameReader+AutoDecoder)", frames, amshan_decode, seconds)
    try:
        from dlms_cosem.hdlc.frames import UnnumberedInformationFrame
        from dlms_cosem.protocol.xdlms.data_notification import DataNotification
        from dlms_cosem.utils import parse_as_dlms_data
    except ImportError:
        print("  dlms-cosem: not installed, skipped")
    else:

        def cosem_decode(frame: bytes) -> object:
            information = UnnumberedInformationFrame.from_bytes(frame).payload
            return parse_as_dlms_data(DataNotification.from_bytes(information[3:]).body)

        rate("dlms-cosem (frame+APDU+A-XDR, no names)", frames, cosem_decode, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    seconds = parser.parse_args().seconds
    han = [row for row in _rows("han_hdlc.jsonl") if row["hex"].startswith("7e")]
    aidon_list3 = [bytes.fromhex(r["hex"]) for r in han if r["meter"].startswith("Aidon (NO")]
    print(f"Aidon list 3, whole HDLC frames ({len(aidon_list3)} frames, {len(aidon_list3[0])} bytes):")
    bench_han(aidon_list3, seconds)
    every = [bytes.fromhex(r["hex"]) for r in han]
    print(f"All whole HDLC frames of the corpus ({len(every)}: Aidon, Kaifa, Kamstrup, Landis+Gyr):")
    bench_han(every, seconds)

    encrypted = [r for r in _rows("wmbus_kamstrup.jsonl") if r["key"] and r["expected"]]
    telegrams = [(bytes.fromhex(r["hex"]), bytes.fromhex(r["key"])) for r in encrypted]
    decoder = WmbusDecoder()
    print(f"Wireless M-Bus, AES-CTR decrypt + decode ({len(telegrams)} Kamstrup telegrams):")
    rate("meterportal WmbusDecoder", telegrams, lambda t: decoder.decode(t[0], t[1]), seconds)


if __name__ == "__main__":
    main()
