"""Servers a test starts on this machine: a free port, whether one answers, and stopping one."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request

import psutil


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str, timeout: float = 2) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def stop_process_tree(server: subprocess.Popen, timeout: float = 30) -> None:
    """Terminate ``server`` and every process it started (make -> reflex -> workers); whatever
    has not ended after ``timeout`` is killed, so no stuck worker outlives its test holding
    database locks."""
    processes: list[psutil.Process] = []
    with contextlib.suppress(psutil.NoSuchProcess):
        processes = [*psutil.Process(server.pid).children(recursive=True), psutil.Process(server.pid)]
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=timeout)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=timeout)


class OwnRedis:
    """A redis-server of the tests' own on a free port, without persistence, that a test may stop
    and start again (the machine's shared Redis is never touched)."""

    def __init__(self, binary: str, directory: str) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> None:
        self.process = subprocess.Popen(
            # Nothing kept on disk: a restart loses every tab's state.
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.directory,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            assert self.process.poll() is None, "redis-server stopped"
            assert time.monotonic() < deadline, f"redis-server did not answer in {timeout} s"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
