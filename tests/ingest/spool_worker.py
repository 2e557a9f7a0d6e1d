"""A worker process for the crash test: reads `meter,ts,value` lines from stdin, stores them in
small batches and prints `ACK n` once reading n (and all before it) is acknowledged, i.e.
committed to the database or fsync'ed to the spool."""

from __future__ import annotations

import sys
from pathlib import Path

from app.db import make_engine
from app.ingest.registers import RawReading
from app.ingest.store import ReadingStore


def main() -> None:
    url, spool = sys.argv[1], Path(sys.argv[2])
    store = ReadingStore(make_engine(url), spool, batch_size=25, refresh=None, retry_seconds=0)
    source = store.source("crash-test", "replay")
    store.flush_due()  # replays whatever an earlier run left in the spool
    print("READY", flush=True)
    index = -1
    for index, line in enumerate(sys.stdin):
        meter, ts, value = line.strip().split(",")
        if store.submit(source, [RawReading(meter, "heat_energy", int(ts), float(value), "kWh")]):
            print(f"ACK {index}", flush=True)
    if store.flush():
        print(f"ACK {index}", flush=True)
    store.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
