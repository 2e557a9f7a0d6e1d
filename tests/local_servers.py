"""Servers a test starts on this machine: a free port, whether one answers, and stopping one."""

from __future__ import annotations

import contextlib
import socket
import subprocess
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
    """Terminate ``server`` and every process it started (make -> reflex -> workers)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        for process in [*psutil.Process(server.pid).children(recursive=True), psutil.Process(server.pid)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=timeout)
    if server.poll() is None:
        server.kill()
