"""Store throughput and worker memory.

- Readings stored per second through the worker's store (batched, idempotent) into SQLite, and into
  PostgreSQL given by --database (or DATABASE_URL) in the same run (a private schema, dropped
  afterwards; COPY into a staging table and one merge). Targets: 50,000/s on SQLite, 100,000/s
  on PostgreSQL.
- Peak memory of a worker holding 1,000 meters' state: one pipeline (decoder plans, HDLC buffer)
  per meter stream, the meter directory and the counters, after each meter sent a list 3 frame.

Run: `.venv/bin/python bench/store.py [--readings 300000] [--database postgresql://…]`
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from app.db import make_engine
from app.ingest.frame_builders import han_list3_apdu, hdlc_frame
from app.ingest.registers import RawReading
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.migrate import upgrade_to_head

METERS = 1_000
T0 = 1_767_225_600  # 2026-01-01 00:00 UTC


def _add_meters(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES (:serial, 'Aidon', '6525', 'electricity', true, :now)"
            ),
            [{"serial": f"AID{70000000 + i}", "now": now} for i in range(count)],
        )


def _readings(count: int) -> list[RawReading]:
    per_meter = max(1, count // METERS)
    return [
        RawReading(f"AID{70000000 + m}", "1-0:1.8.0", T0 + h * 3600, 1000.0 + h * 1.25, "kWh")
        for m in range(METERS)
        for h in range(per_meter)
    ][:count]


def store_rate(url: str, count: int, spool_dir: Path) -> tuple[float, float]:
    upgrade_to_head(url)
    engine = make_engine(url)
    _add_meters(engine, METERS)
    readings = _readings(count)
    rates = []
    for _ in range(2):  # second pass: every reading is already stored (idempotent path)
        store = ReadingStore(engine, spool_dir / f"{uuid.uuid4().hex}.jsonl", batch_size=20_000, refresh=None)
        source = store.source("bench", "replay")
        started = time.perf_counter()
        for start in range(0, len(readings), 1_000):
            store.submit(source, readings[start : start + 1_000])
        store.flush()
        rates.append(len(readings) / (time.perf_counter() - started))
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM reading")).scalar_one()
    assert stored == len(readings), (stored, len(readings))
    engine.dispose()
    return rates[0], rates[1]


def worker_memory(spool_dir: Path) -> tuple[float, int]:
    url = f"sqlite:///{spool_dir / 'memory.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    _add_meters(engine, METERS)
    frames = [
        hdlc_frame(
            han_list3_apdu(
                f"AID{70000000 + m}",
                datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=1),
                5_000_000 + m,
                1200,
            )
        )
        for m in range(METERS)
    ]
    tracemalloc.start()
    store = ReadingStore(engine, spool_dir / "memory.jsonl", batch_size=50_000, refresh=None)
    pipelines = []
    for m in range(METERS):
        pipeline = FramePipeline(store, store.source(f"mqtt:ams/{m}", "mqtt", "collected"))
        pipeline.feed_hdlc(frames[m])
        pipelines.append(pipeline)
    store.flush()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM reading")).scalar_one()
    engine.dispose()
    return peak / 1e6, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=300_000)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", ""),
        help="a postgresql:// URL to measure beside SQLite",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        spool_dir = Path(directory)
        first, again = store_rate(f"sqlite:///{spool_dir / 'bench.db'}", args.readings, spool_dir)
        print(
            f"SQLite:     {first:>9,.0f} readings/s stored, {again:>9,.0f}/s when already stored "
            f"({args.readings:,} readings, {METERS:,} meters; target 50,000/s)"
        )
        database_url = args.database
        if database_url.startswith("postgresql"):
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(database_url)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            separator = "&" if "?" in database_url else "?"
            try:
                url = f"{database_url}{separator}options=-csearch_path%3D{schema}"
                first, again = store_rate(url, args.readings, spool_dir)
                print(f"PostgreSQL: {first:>9,.0f} readings/s stored, {again:>9,.0f}/s when already stored")
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            print("PostgreSQL: skipped (give --database postgresql://… to include it)")
        peak_mb, stored = worker_memory(spool_dir)
        print(
            f"Worker with {METERS:,} meters' state (a pipeline per meter, one list 3 frame each, "
            f"{stored:,} readings stored): peak {peak_mb:.1f} MB traced (tracemalloc)"
        )


if __name__ == "__main__":
    main()
