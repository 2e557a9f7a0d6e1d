"""Wired M-Bus master (EN 13757-2): poll heat meters on a bus through a level converter.

Per meter and cycle: SND_NKE (reset, answered by E5), for a secondary address the selection
(SND_UD to 253, CI 0x52), then REQ_UD2, whose RSP_UD long frame carries the same data records as
wireless M-Bus and goes through the same decoder. A meter that stays silent past its timeout is
retried, then counted as a bad frame, and the cycle goes on to the next meter.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import serial

from app.ingest.frame_builders import (
    ACK,
    FCB,
    REQ_UD2,
    SELECT_ADDRESS,
    SND_NKE,
    select_frame,
    short_frame,
)
from app.ingest.sources.serial_port import SerialSettings, open_port
from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)


class BusPort(Protocol):
    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def reset_input_buffer(self) -> None: ...


@dataclass(frozen=True, slots=True)
class MeterAddress:
    """A primary address (1-250) or a secondary one (the 8-digit meter number)."""

    primary: int | None = None
    secondary: str | None = None

    @classmethod
    def parse(cls, text: str) -> MeterAddress:
        text = text.strip()
        if len(text) == 8 and text.isdigit():
            return cls(secondary=text)
        number = int(text)
        if not 0 <= number <= 250:
            raise ValueError(f"primary address {number} outside 0-250")
        return cls(primary=number)

    def __str__(self) -> str:
        return self.secondary if self.secondary is not None else str(self.primary)


class MbusMaster:
    def __init__(
        self,
        port: BusPort,
        pipeline: FramePipeline,
        addresses: list[MeterAddress],
        *,
        timeout: float = 1.0,
        retries: int = 2,
    ) -> None:
        self.port = port
        self.pipeline = pipeline
        self.addresses = addresses
        self.timeout = timeout
        self.retries = retries
        self._fcb: dict[int, bool] = {}

    # -- link layer ---------------------------------------------------------------------------

    def _read_exact(self, count: int, deadline: float) -> bytes:
        data = bytearray()
        while len(data) < count and time.monotonic() < deadline:
            data += self.port.read(count - len(data))
        return bytes(data)

    def _expect_ack(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            byte = self.port.read(1)
            if byte == bytes([ACK]):
                return True
            if byte:
                continue  # line noise before the answer
        return False

    def _read_long_frame(self, deadline: float) -> bytes | None:
        while time.monotonic() < deadline:
            start = self.port.read(1)
            if start != b"\x68":
                continue
            header = self._read_exact(3, deadline)
            if len(header) < 3 or header[0] != header[1] or header[2] != 0x68:
                continue
            rest = self._read_exact(header[0] + 2, deadline)
            if len(rest) < header[0] + 2:
                return None
            return b"\x68" + header + rest
        return None

    def _reset(self, address: int, deadline: float) -> bool:
        self.port.write(short_frame(SND_NKE, address))
        self._fcb[address] = True  # after SND_NKE the next REQ_UD2 carries FCB set
        return self._expect_ack(deadline)

    def _select(self, number: str, deadline: float) -> bool:
        self.port.write(select_frame(number))
        return self._expect_ack(deadline)

    def _request(self, address: int, deadline: float) -> bytes | None:
        fcb = self._fcb.get(address, True)
        self._fcb[address] = not fcb
        self.port.write(short_frame(REQ_UD2 | (FCB if fcb else 0), address))
        return self._read_long_frame(deadline)

    # -- polling ------------------------------------------------------------------------------

    def read_meter(self, address: MeterAddress) -> bytes | None:
        """The RSP_UD of one meter, or None after the retries ran out."""
        for attempt in range(self.retries + 1):
            deadline = time.monotonic() + self.timeout
            self.port.reset_input_buffer()
            if address.secondary is not None:
                if not self._select(address.secondary, deadline):
                    log.debug("meter %s: no answer to selection (attempt %d)", address, attempt + 1)
                    continue
                bus_address = SELECT_ADDRESS
            else:
                bus_address = address.primary or 0
                if not self._reset(bus_address, deadline):
                    log.debug("meter %s: no answer to SND_NKE (attempt %d)", address, attempt + 1)
                    continue
            answer = self._request(bus_address, deadline)
            if answer is not None:
                return answer
        return None

    def poll_once(self) -> int:
        """One cycle over every meter; returns the readings queued."""
        queued = 0
        for address in self.addresses:
            answer = self.read_meter(address)
            if answer is None:
                self.pipeline.source.frame_bad(f"meter {address}: no answer")
                log.info("M-Bus meter %s did not answer", address)
                continue
            queued += self.pipeline.handle_frame(answer)
        self.pipeline.store.flush_due()
        return queued


class MbusPoller:
    """Polls on a schedule over a serial port, reopening the port when it fails."""

    def __init__(
        self,
        settings: SerialSettings,
        pipeline: FramePipeline,
        addresses: list[MeterAddress],
        *,
        interval: float = 900.0,
        timeout: float = 1.0,
        retries: int = 2,
    ) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.addresses = addresses
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.stop_event = threading.Event()
        self.cycles = 0

    def run(self, cycles: int | None = None) -> None:
        delay = self.settings.backoff_initial
        while not self.stop_event.is_set() and (cycles is None or self.cycles < cycles):
            try:
                port = open_port(self.settings)
            except (serial.SerialException, OSError) as error:
                self.pipeline.source.set_state("waiting for device", str(error)[:150])
                self.stop_event.wait(delay)
                delay = min(delay * 2, self.settings.backoff_max)
                continue
            delay = self.settings.backoff_initial
            self.pipeline.source.set_state("polling")
            try:
                with port:
                    master = MbusMaster(
                        port, self.pipeline, self.addresses, timeout=self.timeout, retries=self.retries
                    )
                    while not self.stop_event.is_set() and (cycles is None or self.cycles < cycles):
                        started = time.monotonic()
                        master.poll_once()
                        self.pipeline.store.flush()
                        self.cycles += 1
                        if cycles is not None and self.cycles >= cycles:
                            break
                        self.stop_event.wait(max(0.0, self.interval - (time.monotonic() - started)))
            except (serial.SerialException, OSError) as error:
                self.pipeline.source.set_state("disconnected", str(error)[:150])
                log.warning("M-Bus port %s: %s", self.settings.port, error)
        self.pipeline.store.flush()
