"""The serial source through a pseudo-terminal: a HAN frame stream with garbage and a split frame
ends up in the database, and an unplugged port is reopened."""

from __future__ import annotations

import os
import pty
import time
import tty
from datetime import UTC, datetime, timedelta

import pytest
from ingest_factories import readings_in, wait_until

from app.ingest.frame_builders import han_list3_apdu, hdlc_frame
from app.ingest.sources.serial_port import SerialSettings, SerialSource
from app.ingest.worker import FramePipeline

START = datetime(2026, 1, 15, 10, tzinfo=UTC)


def _frame(hour: int, serial: str = "AID57000000") -> bytes:
    clock = START + timedelta(hours=hour)
    return hdlc_frame(han_list3_apdu(serial, clock, 10_000_000 + hour * 1_500, 1500))


class FakeHanPort:
    """A pty pair behind a stable path, as /dev/serial/by-id/… is for a USB adapter."""

    def __init__(self, link: str) -> None:
        self.link = link
        self.master = self.slave = -1

    def plug(self) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        if os.path.lexists(self.link):
            os.unlink(self.link)
        os.symlink(os.ttyname(self.slave), self.link)

    def unplug(self) -> None:
        os.unlink(self.link)
        os.close(self.slave)
        os.close(self.master)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)


@pytest.fixture
def han_port(tmp_path):
    port = FakeHanPort(str(tmp_path / "ttyHAN"))
    port.plug()
    yield port
    if os.path.lexists(port.link):
        port.unplug()


def _start(store, link: str) -> tuple[SerialSource, object]:
    pipeline = FramePipeline(store, store.source(f"serial:{link}", "serial", "collected"))
    settings = SerialSettings.for_protocol(
        link, "han", read_timeout=0.05, backoff_initial=0.05, backoff_max=0.2
    )
    source = SerialSource(settings, pipeline)
    return source, source.start()


def test_frames_with_garbage_and_a_split_frame_reach_the_database(store, engine, meters, han_port):
    source, thread = _start(store, han_port.link)
    assert wait_until(lambda: source.connects == 1)
    good = [_frame(hour) for hour in range(4)]
    damaged = bytearray(_frame(9))
    damaged[-3] ^= 0xFF  # FCS broken
    han_port.write(b"\x00\xff garbage \x7e\x7e" + good[0] + b"\x13\x37" + bytes(damaged))
    han_port.write(good[1][:20])  # a frame split across two reads
    time.sleep(0.2)
    han_port.write(good[1][20:] + good[2] + good[3] + b"tail")
    energy = lambda: readings_in(engine, "1-0:1.8.0")  # noqa: E731
    assert wait_until(lambda: len(energy()) == 4)
    source.stop()
    thread.join(5)
    rows = energy()
    assert [row[0] for row in rows] == [meters["AID57000000"]] * 4
    assert [row[2] for row in rows] == [int((START + timedelta(hours=h)).timestamp()) for h in range(4)]
    assert [row[3] for row in rows] == [10_000.0, 10_001.5, 10_003.0, 10_004.5]
    assert rows[0][4:] == ("kWh", "collected")
    counters = store.source(f"serial:{han_port.link}", "serial")
    assert (counters.frames_ok, counters.frames_bad) == (4, 1)


def test_an_unplugged_port_is_reopened(store, engine, meters, han_port, caplog):
    caplog.set_level("INFO", logger="app.ingest")
    source, thread = _start(store, han_port.link)
    assert wait_until(lambda: source.connects == 1)
    han_port.write(_frame(0) + _frame(1))
    assert wait_until(lambda: len(readings_in(engine, "1-0:1.8.0")) == 2)
    han_port.unplug()  # the adapter is pulled out mid-stream
    assert wait_until(lambda: source._state in ("disconnected", "waiting for device"))
    time.sleep(0.5)  # several reconnect attempts while it is away
    han_port.plug()
    assert wait_until(lambda: source.connects == 2)
    han_port.write(_frame(2)[:10])
    time.sleep(0.1)
    han_port.write(_frame(2)[10:] + _frame(3))
    assert wait_until(lambda: len(readings_in(engine, "1-0:1.8.0")) == 4)
    source.stop()
    thread.join(5)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("app.ingest.sources")]
    # One line per state change, not one per retry.
    assert sum("waiting for device" in m for m in messages) <= 2
    assert sum(m.endswith("connected (2400 8E1)") for m in messages) == 2
