"""The wired M-Bus master against simulated heat meters on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import tty

import pytest
from ingest_factories import readings_in
from mbus_meter_sim import SimulatedBus, SimulatedMeter

from app.ingest.frame_builders import HeatMeterState
from app.ingest.sources.mbus_master import MbusPoller, MeterAddress
from app.ingest.sources.serial_port import SerialSettings
from app.ingest.worker import FramePipeline


@pytest.fixture
def bus():
    master, slave = pty.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    meters = [
        SimulatedMeter(5, "57000074", HeatMeterState(12_345_678, 2_222, 70.5, 40.25)),
        SimulatedMeter(7, "57000111", HeatMeterState(99_000_001, 5_000, 60.0, 35.0), silent_requests=1),
    ]
    simulated = SimulatedBus(master, meters).start()
    yield os.ttyname(slave), meters
    simulated.stop()
    os.close(slave)
    os.close(master)


def test_address_parsing():
    assert MeterAddress.parse("5") == MeterAddress(primary=5)
    assert MeterAddress.parse("57000074") == MeterAddress(secondary="57000074")
    with pytest.raises(ValueError):
        MeterAddress.parse("251")


def test_polls_by_primary_and_secondary_address_with_retries_and_timeouts(store, engine, meters, bus):
    port, simulated = bus
    pipeline = FramePipeline(store, store.source("mbus:test", "mbus"))
    settings = SerialSettings(port, 2400, "8E1", "mbus", read_timeout=0.02)
    addresses = [MeterAddress(primary=5), MeterAddress(secondary="57000111"), MeterAddress(primary=9)]
    poller = MbusPoller(settings, pipeline, addresses, interval=0, timeout=0.3, retries=1)
    poller.run(cycles=1)

    energy = {row[0]: row[3] for row in readings_in(engine, "heat_energy")}
    assert energy == {meters["KAM57000074"]: 12_345.678, meters["KAM57000111"]: 99_000.001}
    assert simulated[0].log == ["SND_NKE", "REQ_UD2"]
    # The second meter ignored its first request: the master retried after the timeout.
    assert simulated[1].log == ["selected", "REQ_UD2", "selected", "REQ_UD2"]
    counters = pipeline.source
    assert (counters.frames_ok, counters.frames_bad) == (2, 1)  # address 9 never answered
    assert "meter 9" in counters.last_error
    volumes = {row[0]: row[3] for row in readings_in(engine, "heat_volume")}
    assert volumes[meters["KAM57000074"]] == 2.222
