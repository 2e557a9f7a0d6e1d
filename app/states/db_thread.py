"""A read for a handler, in its own session, in a worker thread.

A query over thousands of rows then never stalls the other browsers this backend worker serves
(their events share its event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from app.db import session_scope

T = TypeVar("T")


async def read_in_thread(work: Callable[[Session], T]) -> T:
    def run() -> T:
        with session_scope() as db:
            return work(db)

    return await asyncio.to_thread(run)
