"""A simulated M-Bus slave (or several on one bus) answering on the far end of a pseudo-terminal."""

from __future__ import annotations

import os
import select
import threading
from dataclasses import dataclass, field

from app.ingest.frame_builders import ACK, HeatMeterState, heat_records, rsp_ud


@dataclass
class SimulatedMeter:
    primary: int
    number: str
    state: HeatMeterState
    # How many requests to ignore first (a meter that is slow to wake up).
    silent_requests: int = 0
    requests: int = 0
    selected: bool = False
    access: int = 0
    log: list[str] = field(default_factory=list)


class SimulatedBus:
    def __init__(self, fd: int, meters: list[SimulatedMeter]) -> None:
        self.fd = fd
        self.meters = meters
        self._stop = threading.Event()
        self._buffer = bytearray()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> SimulatedBus:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(2)

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                self._buffer += os.read(self.fd, 256)
            except OSError:
                return
            self._parse()

    def _parse(self) -> None:
        buffer = self._buffer
        while buffer:
            if buffer[0] == 0x10:
                if len(buffer) < 5:
                    return
                control, address = buffer[1], buffer[2]
                del buffer[:5]
                self._short(control, address)
            elif buffer[0] == 0x68:
                if len(buffer) < 4:
                    return
                total = buffer[1] + 6
                if len(buffer) < total:
                    return
                frame = bytes(buffer[:total])
                del buffer[:total]
                self._long(frame)
            else:
                del buffer[:1]

    def _short(self, control: int, address: int) -> None:
        if control == 0x40:  # SND_NKE
            for meter in self.meters:
                if address in (meter.primary, 0xFD):
                    meter.log.append("SND_NKE")
                    if address == meter.primary or meter.selected:
                        os.write(self.fd, bytes([ACK]))
            return
        if control & 0xDF == 0x5B:  # REQ_UD2, FCB either way
            for meter in self.meters:
                if address == meter.primary or (address == 0xFD and meter.selected):
                    meter.requests += 1
                    meter.log.append("REQ_UD2")
                    if meter.requests <= meter.silent_requests:
                        return
                    meter.access = (meter.access + 1) & 0xFF
                    os.write(
                        self.fd, rsp_ud(meter.primary, meter.number, heat_records(meter.state), meter.access)
                    )

    def _long(self, frame: bytes) -> None:
        control, address, ci = frame[4], frame[5], frame[6]
        if control == 0x53 and address == 0xFD and ci == 0x52:
            wanted = frame[7:11][::-1].hex()
            for meter in self.meters:
                meter.selected = meter.number == wanted
                if meter.selected:
                    meter.log.append("selected")
                    os.write(self.fd, bytes([ACK]))
