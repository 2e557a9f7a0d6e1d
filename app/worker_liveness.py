"""A tab whose backend worker died reconnects to another worker under its own token, state and all.

With Redis, Reflex records each tab's socket in Redis (``token_manager_socket_record_<token>``,
kept for ``redis_token_expiration``, an hour) so that a second tab holding the same token (a
duplicated browser tab copies sessionStorage) gets a new token instead of sharing the first one's
state. A worker that is killed (SIGKILL, the OOM killer) never deletes its records, so when its
tabs reconnect to another worker, each looks like a duplicate of itself: Reflex gives it a new
token and an empty state, and the tab is back on a blank page (measured: every tab of the killed
worker came back with a new token).

Here each worker holds one Redis subscription to a channel named after its socket-owner identity
for as long as it lives; Redis drops it the moment the process's connection closes, which the
kernel does when the process dies however it dies. A socket record whose owner has no subscriber
is a dead worker's leftover: it is deleted, and the tab keeps its token and its state. A record of
a live worker is a real duplicate and gets a new token, as before.

The same subscription notices Redis restarting (its run id changes). A Redis that restarted without
its data has lost every tab's state, and Reflex, meeting a tab's next event without a state,
hydrates it without the browser's storage: the sign-in token is gone and the tab is sent to the
sign-in page (measured). So each worker then closes its tabs' connections at the transport level;
each tab reconnects by itself and hydrates from its browser (the session token in localStorage,
the session itself in the database), and the page's on_load reads its data again. It also turns
Redis's keyspace notifications on again (a runtime setting a restart forgets), which the state
manager's locks wait on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
from collections.abc import Awaitable, Callable

from reflex.istate.manager.redis import enable_keyspace_notifications
from reflex.utils.token_manager import RedisTokenManager, SocketRecord

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "meterportal_backend_worker_"
# How long a link waits for this worker's own subscription before linking anyway.
SUBSCRIBE_WAIT_SECONDS = 2.0
RESUBSCRIBE_SECONDS = 0.5
_DELETE_IF_UNCHANGED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


def liveness_channel(instance_id: str) -> str:
    return f"{CHANNEL_PREFIX}{instance_id}"


class LivenessTokenManager(RedisTokenManager):
    """Reflex's Redis token manager that tells a dead worker's socket records from a duplicate tab."""

    def __init__(self, redis, on_redis_restart: Callable[[], Awaitable[None]] | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(redis)
        self._on_redis_restart = on_redis_restart
        self._redis_run_id: str | None = None
        self._liveness_task: asyncio.Task | None = None
        self._liveness_instance: str | None = None
        self._subscribed = asyncio.Event()

    async def _hold_liveness_subscription(self, instance_id: str) -> None:
        """Subscribed to this worker's channel until cancelled; again after Redis comes back."""
        channel = liveness_channel(instance_id)
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(channel)
                    async for message in pubsub.listen():
                        # Again after each reconnect: redis-py resubscribes by itself.
                        if message["type"] == "subscribe":
                            await self._notice_restart()
                            self._subscribed.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis away: try again until it is back
                log.debug("liveness subscription lost: %s", error)
            self._subscribed.clear()
            await asyncio.sleep(RESUBSCRIBE_SECONDS)

    async def _notice_restart(self) -> None:
        run_id = (await self.redis.info("server")).get("run_id")
        restarted = self._redis_run_id is not None and run_id != self._redis_run_id
        self._redis_run_id = run_id
        if restarted:
            log.warning("Redis restarted: keyspace notifications on again, this worker's tabs reconnect")
            with contextlib.suppress(Exception):
                await enable_keyspace_notifications(self.redis)
            if self._on_redis_restart is not None:
                await self._on_redis_restart()

    async def _ensure_liveness(self) -> None:
        # The instance id is reset in each worker after the fork (App._setup_event_processor).
        if (
            self._liveness_instance != self.instance_id
            or self._liveness_task is None
            or self._liveness_task.done()
        ):
            if self._liveness_task is not None:
                self._liveness_task.cancel()
            self._subscribed.clear()
            self._liveness_instance = self.instance_id
            self._liveness_task = asyncio.create_task(
                self._hold_liveness_subscription(self.instance_id), name="meterportal-worker-liveness"
            )
        # Our own records must never look dead: link only once the subscription is in place.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_WAIT_SECONDS)

    async def _owner_alive(self, record: SocketRecord) -> bool:
        if record.instance_id == self.instance_id:
            # Ours: alive only while that socket is still linked here.
            return self.sid_to_token.get(record.sid) is not None
        counts = await self.redis.pubsub_numsub(liveness_channel(record.instance_id))
        return bool(counts and counts[0][1])

    async def _forget_dead_owner(self, token: str) -> None:
        key = self._get_redis_key(token)
        pickled = await self.redis.get(key)
        if not pickled:
            return
        record = pickle.loads(pickled)  # noqa: S301 - Reflex's own record, in the app's Redis (Reflex reads it so)
        if not await self._owner_alive(record):
            # Delete only that record: a link by another worker meanwhile is kept.
            await self.redis.eval(_DELETE_IF_UNCHANGED, 1, key, pickled)  # type: ignore[misc]
            log.info("tab %s reconnected from a worker that is gone; it keeps its state", token[:8])

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        record = self.token_to_socket.get(token)
        if record is None or record.sid != sid:
            await self._ensure_liveness()
            try:
                await self._forget_dead_owner(token)
            except Exception as error:  # Redis away: Reflex's own handling decides
                log.warning("could not check the previous owner of tab %s: %s", token[:8], error)
        return await super().link_token_to_sid(token, sid)

    async def close(self) -> None:
        if self._liveness_task is not None:
            self._liveness_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._liveness_task
        await super().close()


def reconnect_tabs_of_dead_workers(app) -> None:  # type: ignore[no-untyped-def]
    """Give the app's event namespace the token manager above (with Redis only)."""
    namespace = app.event_namespace
    manager = getattr(namespace, "_token_manager", None)
    if isinstance(manager, RedisTokenManager) and not isinstance(manager, LivenessTokenManager):

        async def reconnect_every_tab() -> None:
            # Closed at the transport, not with a socket.io disconnect (after which a tab stays
            # offline). engine.io's own close only sends a CLOSE packet, which the browser's
            # client ignores on a websocket: the None ends the socket's writer, which closes the
            # websocket, and the browser reconnects and hydrates from its own storage.
            server = app.sio.eio if app.sio is not None else None
            for sid, socket in list(server.sockets.items()) if server is not None else []:
                await socket.close(wait=False, abort=True, reason=server.reason.SERVER_DISCONNECT)
                socket.queue.put_nowait(None)
                server.sockets.pop(sid, None)

        namespace._token_manager = LivenessTokenManager(manager.redis, on_redis_restart=reconnect_every_tab)
