"""Helpers shared by the worker tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine


def readings_in(engine: Engine, register: str | None = None) -> list[tuple]:
    query = "SELECT meter_id, register_code, ts, value, unit, source FROM reading"
    params = {}
    if register:
        query += " WHERE register_code = :r"
        params["r"] = register
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(text(query + " ORDER BY meter_id, register_code, ts"), params)
        ]


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
