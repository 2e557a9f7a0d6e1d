"""How the app answers a handler that raised: a toast in the tab's language, a refusal sent on.

Kept out of ``app/app.py`` so tests can import it without registering every page (importing
the app module before the browser tests' harness starts left the harness with too few pages).
"""

from __future__ import annotations

import logging

from reflex.event import EventSpec

from app.services.errors import AccessDenied, DomainError
from app.states.session import SessionState

log = logging.getLogger(__name__)


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
