"""A backend worker that dies is started again, and the others keep serving.

`reflex run --env prod` serves through granian, whose supervisor by default shuts the whole
server down when one worker exits unexpectedly (killed by the OOM killer, a segfault in a C
extension, an operator's SIGKILL): every tab of every worker loses its backend. Reflex passes
granian only the worker count and the log level, so the project makes granian's own
`respawn_failed_workers` the default here: the supervisor starts a new worker in the dead one's
place, and the dead worker's tabs reconnect to a live one (their state is in Redis). granian still
gives up on a crash loop (the same worker dying again within 5.5 s of its respawn), and then the
service manager restarts the whole server (the systemd unit in the README).

GRANIAN_RESPAWN_FAILED_WORKERS=0 turns it off (the variable granian's own command line reads).
"""

from __future__ import annotations

from typing import Any

import granian.server

from app.config import settings


def respawn_failed_workers() -> None:
    """Make every granian server started in this process respawn a worker that dies.

    Reflex imports `granian.server.Server` when it starts the production backend, after the
    configuration (rxconfig.py, which calls this) is loaded."""
    server_class: type = granian.server.Server
    if not settings.granian_respawn_failed_workers or getattr(server_class, "respawns_failed_workers", False):
        return

    class RespawningServer(server_class):  # type: ignore[misc, valid-type]
        respawns_failed_workers = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("respawn_failed_workers", True)
            super().__init__(*args, **kwargs)

    RespawningServer.__name__ = RespawningServer.__qualname__ = server_class.__name__
    granian.server.Server = RespawningServer
