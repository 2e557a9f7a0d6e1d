"""app/worker_liveness.py against a real redis-server of the test's own: a dead worker's socket
record is not a duplicate tab, a live worker's is, and a Redis restart is noticed."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from app.worker_liveness import LivenessTokenManager
from tests.local_servers import OwnRedis


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    binary = shutil.which("redis-server")
    if not os.environ.get("TEST_REDIS_URL") or binary is None:
        pytest.skip("worker liveness tests need TEST_REDIS_URL (a machine with redis-server)")
    redis = OwnRedis(binary, str(tmp_path))
    redis.start()
    yield redis
    redis.stop()


def _hold_a_tab_then_hang(url: str, token: str, ready) -> None:  # type: ignore[no-untyped-def]
    """Another worker: links ``token`` and stays alive until killed."""

    async def run() -> None:
        manager = LivenessTokenManager(Redis.from_url(url))
        assert await manager.link_token_to_sid(token, "sid-elsewhere") is None
        ready.set()
        await asyncio.sleep(3600)

    asyncio.run(run())


def _other_worker(url: str, token: str) -> multiprocessing.Process:
    ready = multiprocessing.get_context("spawn").Event()
    process = multiprocessing.get_context("spawn").Process(
        target=_hold_a_tab_then_hang, args=(url, token, ready)
    )
    process.start()
    assert ready.wait(30)
    return process


def test_a_tab_of_a_killed_worker_keeps_its_token_and_a_duplicate_of_a_live_one_does_not(own_redis):
    other = _other_worker(own_redis.url, "tab-a")
    try:

        async def while_alive() -> str | None:
            manager = LivenessTokenManager(Redis.from_url(own_redis.url))
            try:
                return await manager.link_token_to_sid("tab-a", "sid-here")
            finally:
                await manager.close()

        assert asyncio.run(while_alive()) is not None  # a duplicate tab: a new token
    finally:
        other.kill()
        other.join()

    async def after_death() -> str | None:
        manager = LivenessTokenManager(Redis.from_url(own_redis.url))
        try:
            return await manager.link_token_to_sid("tab-a", "sid-here")
        finally:
            await manager.close()

    assert asyncio.run(after_death()) is None  # the same tab, back: its own token


def test_a_redis_restart_makes_the_worker_reconnect_its_tabs(own_redis):
    async def run() -> int:
        restarts = 0

        async def on_restart() -> None:
            nonlocal restarts
            restarts += 1

        manager = LivenessTokenManager(Redis.from_url(own_redis.url), on_redis_restart=on_restart)
        try:
            await manager.link_token_to_sid("tab-b", "sid-b")
            await asyncio.to_thread(own_redis.stop)
            await asyncio.sleep(1)
            await asyncio.to_thread(own_redis.start)
            for _ in range(100):
                if restarts:
                    break
                await asyncio.sleep(0.1)
            # The keyspace notifications Reflex's locks wait on are on again.
            events = await manager.redis.config_get("notify-keyspace-events")
            assert "K" in str(next(iter(events.values())))
            return restarts
        finally:
            await manager.close()

    assert asyncio.run(run()) == 1
