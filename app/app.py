"""The Reflex app: every page, and how refused or mistaken handlers answer."""

from __future__ import annotations

import sys

import reflex as rx

from app.api import api
from app.asset_caching import with_cache_headers
from app.config import settings

# Importing an area's page package registers its pages (each package imports its modules).
from app.pages import (  # noqa: F401
    about,
    accounts,
    customer,
    han,
    installer,
    keys,
    landing,
    staff,
)
from app.services.deployment_checks import check_deployment
from app.services.notify.sender import run_outbox_sender
from app.states.error_answers import handle_backend_exception
from app.worker_liveness import reconnect_tabs_of_dead_workers

# The event loop shares the GIL with the threads that run database work (chart taps, forms). A
# thread whose query has returned waits for the loop to let go, by default up to 5 ms; at 1 ms
# the ceiling of chart taps per second on one worker rose by a tenth (bench/sessions.py).
sys.setswitchinterval(0.001)

# Refuse to start with settings that would leak codes or make every limit site-wide.
check_deployment(settings)


app = rx.App(
    # The default language; each page load sets the tab's own (SessionState.refresh_session).
    html_lang="nb",
    backend_exception_handler=handle_backend_exception,
    # Plain toasts: sonner's rich colours put green text on pale green at 3.8:1 (WCAG AA needs 4.5).
    toaster=rx.toast.provider(rich_colors=False),
    # GET /api/installations (the installer portal's installation look-up) beside Reflex's own routes;
    # then Cache-Control on the production server's static answers (hashed assets kept for a year).
    api_transformer=[api, with_cache_headers],
)

# A tab of a backend worker that died reconnects to another one under its own token, keeping its
# state (Reflex would take the dead worker's socket record for a duplicate tab's).
reconnect_tabs_of_dead_workers(app)

# Every backend worker sends the outbox's due mail and SMS (each message claimed by one of them),
# so `make run` and `make prod` need no separate sender process.
app.register_lifespan_task(run_outbox_sender)
