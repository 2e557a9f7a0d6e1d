"""Nothing acknowledged is lost: kill the worker mid-batch, with the database up and with it away."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ingest_factories import readings_in
from sqlalchemy import text

from app.db import make_engine
from app.migrate import upgrade_to_head

HELPER = Path(__file__).with_name("spool_worker.py")
# The helper must import this checkout's `app`, not the one the shared venv's editable install names.
HELPER_ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
T0 = 1_780_000_000 - 1_780_000_000 % 3600


def _lines(start: int, count: int) -> bytes:
    return b"".join(f"57000074,{T0 + i * 3600},{i}.5\n".encode() for i in range(start, start + count))


def _run_and_kill(url: str, spool: Path, lines: bytes, kill_after_acks: int) -> int:
    """Feed lines; SIGKILL the worker once it acknowledged `kill_after_acks` batches. Returns the last ack."""
    process = subprocess.Popen(
        [sys.executable, str(HELPER), url, str(spool)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        env=HELPER_ENV,
    )
    assert process.stdout is not None and process.stdin is not None
    assert process.stdout.readline().strip() == b"READY"
    writer = threading.Thread(target=_write_slowly, args=(process.stdin, lines), daemon=True)
    writer.start()
    last_ack = -1
    acks = 0
    for raw in process.stdout:
        if raw.startswith(b"ACK"):
            last_ack = int(raw.split()[1])
            acks += 1
            if acks >= kill_after_acks:
                process.send_signal(signal.SIGKILL)  # mid-stream: more lines are queued and in flight
                break
    process.wait(10)
    return last_ack


def _write_slowly(stdin, lines: bytes) -> None:  # type: ignore[no-untyped-def]
    try:
        for start in range(0, len(lines), 200):
            stdin.write(lines[start : start + 200])
            stdin.flush()
        stdin.close()
    except (BrokenPipeError, OSError):
        pass


def _finish(url: str, spool: Path) -> None:
    process = subprocess.run(
        [sys.executable, str(HELPER), url, str(spool)],
        input=b"",
        capture_output=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        env=HELPER_ENV,
    )
    assert b"DONE" in process.stdout, process.stderr.decode()


def _add_meter(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES ('KAM57000074', 'Kamstrup', 'M', 'heat', 0, '2026-01-01')"
            )
        )
    engine.dispose()


def _stored_values(url: str) -> list[float]:
    engine = make_engine(url)
    try:
        return [row[3] for row in readings_in(engine, "heat_energy")]
    finally:
        engine.dispose()


def test_killed_mid_batch_with_the_database_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade_to_head(url)
    _add_meter(url)
    last_ack = _run_and_kill(url, tmp_path / "spool.jsonl", _lines(0, 2000), kill_after_acks=5)
    assert last_ack >= 124
    values = _stored_values(url)
    assert [v for v in values if v <= last_ack + 0.5] == [i + 0.5 for i in range(last_ack + 1)]


def test_killed_while_spooling_and_again_while_replaying(tmp_path):
    # The database is a file without tables: unavailable until it is migrated.
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    make_engine(url).dispose()
    spool = tmp_path / "spool.jsonl"
    last_ack = _run_and_kill(url, spool, _lines(0, 3000), kill_after_acks=8)
    assert last_ack >= 199 and spool.stat().st_size > 0
    upgrade_to_head(url)
    _add_meter(url)
    # Restart and kill it during the replay (the spool holds many batches), then finish.
    process = subprocess.Popen(
        [sys.executable, str(HELPER), url, str(spool)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        env=HELPER_ENV,
    )
    time.sleep(0.8)  # start-up takes about this long: the kill lands before, in or after the replay
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    _finish(url, spool)
    values = _stored_values(url)
    assert [v for v in values if v <= last_ack + 0.5] == [i + 0.5 for i in range(last_ack + 1)]
    assert len(values) == len(set(values))
