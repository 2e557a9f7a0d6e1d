"""A HAN (HDLC/DLMS) or P1 (text) serial port, reopened with back-off when the device goes away.

Norwegian HAN ports talk 2400 baud 8E1 through an M-Bus-to-USB adapter; Swedish P1 ports
115200 8N1. The log has one line per state change (connected, disconnected, gave up), not one
per retry.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import serial

from app.ingest.worker import FramePipeline

log = logging.getLogger(__name__)

PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass(frozen=True, slots=True)
class SerialSettings:
    port: str
    baudrate: int = 2400
    framing: str = "8E1"  # data bits, parity, stop bits
    protocol: str = "han"  # "han" (HDLC) or "p1" (text telegrams)
    read_timeout: float = 0.2
    backoff_initial: float = 1.0
    backoff_max: float = 60.0

    @classmethod
    def for_protocol(
        cls, port: str, protocol: str, baudrate: int | None = None, framing: str | None = None, **extra: float
    ) -> SerialSettings:
        if protocol == "p1":
            return cls(port, baudrate or 115200, framing or "8N1", "p1", **extra)
        return cls(port, baudrate or 2400, framing or "8E1", "han", **extra)


def open_port(settings: SerialSettings) -> serial.Serial:
    bits, parity, stop = int(settings.framing[0]), settings.framing[1].upper(), int(settings.framing[2])
    return serial.Serial(
        settings.port,
        settings.baudrate,
        bytesize=bits,
        parity=PARITIES[parity],
        stopbits=stop,
        timeout=settings.read_timeout,
    )


class SerialSource:
    """Reads a port until stopped; reconnects with exponential back-off."""

    def __init__(self, settings: SerialSettings, pipeline: FramePipeline) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.stop_event = threading.Event()
        self.connects = 0
        self._state = ""

    def _change_state(self, state: str, detail: str = "") -> None:
        if state == self._state:
            return
        self._state = state
        self.pipeline.source.set_state(state, detail)
        message = f"serial {self.settings.port}: {state}" + (f" ({detail})" if detail else "")
        (log.info if state == "connected" else log.warning)(message)

    def run(self) -> None:
        delay = self.settings.backoff_initial
        feed = self.pipeline.feed_p1 if self.settings.protocol == "p1" else self.pipeline.feed_hdlc
        store = self.pipeline.store
        while not self.stop_event.is_set():
            try:
                port = open_port(self.settings)
            except (serial.SerialException, OSError, ValueError) as error:
                self._change_state("waiting for device", str(error).splitlines()[0][:150])
                store.flush_due()
                self.stop_event.wait(delay)
                delay = min(delay * 2, self.settings.backoff_max)
                continue
            self.connects += 1
            delay = self.settings.backoff_initial
            self._change_state("connected", f"{self.settings.baudrate} {self.settings.framing}")
            try:
                with port:
                    while not self.stop_event.is_set():
                        # Block for one byte (or the timeout), then take whatever else has arrived.
                        chunk = port.read(port.in_waiting or 1)
                        if chunk and port.in_waiting:
                            chunk += port.read(port.in_waiting)
                        if chunk:
                            feed(chunk)
                        store.flush_due()
            except (serial.SerialException, OSError) as error:
                self._change_state("disconnected", str(error).splitlines()[0][:150])
                self.stop_event.wait(delay)
        store.flush()
        self._change_state("stopped")

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"serial {self.settings.port}", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()
