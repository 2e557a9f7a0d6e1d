"""The Reflex app: every page, and how refused or mistaken handlers answer."""

from __future__ import annotations

import logging

import reflex as rx
from reflex.event import EventSpec

from app.api import api
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
from app.services.errors import AccessDenied, DomainError
from app.states.session import SessionState

log = logging.getLogger(__name__)

# Refuse to start with settings that would leak codes or make every limit site-wide.
check_deployment(settings)


def handle_backend_exception(exception: Exception) -> list[EventSpec]:
    """Answer a handler that raised, in the user's own language.

    This hook sees only the exception, not the state, so it sends the browser an event back to
    its session state, which translates the message with the tab's language. A refused handler
    sends the browser to the start page; nothing else is revealed.
    """
    if isinstance(exception, AccessDenied):
        return [SessionState.show_refusal(exception.key)]
    if isinstance(exception, DomainError):
        return [SessionState.show_error(exception.key, {k: str(v) for k, v in exception.params.items()})]
    log.exception("unhandled error in an event handler", exc_info=exception)
    return [SessionState.show_error("error.generic", {})]


app = rx.App(
    # The default language; each page load sets the tab's own (SessionState.refresh_session).
    html_lang="nb",
    backend_exception_handler=handle_backend_exception,
    # Plain toasts: sonner's rich colours put green text on pale green at 3.8:1 (WCAG AA needs 4.5).
    toaster=rx.toast.provider(rich_colors=False),
    # GET /api/installations (the installer portal's installation look-up) beside Reflex's own routes.
    api_transformer=api,
)
