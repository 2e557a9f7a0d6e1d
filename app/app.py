"""The Reflex app: one Radix theme, every page, and how refused or mistaken handlers answer."""

from __future__ import annotations

import logging

import reflex as rx
from reflex.event import EventSpec

from app import routes
from app.i18n import translate
from app.pages import landing, portal_entry  # noqa: F401  (registers the pages)
from app.services.errors import AccessDenied, DomainError

log = logging.getLogger(__name__)


def handle_backend_exception(exception: Exception) -> list[EventSpec]:
    """A refused handler sends the browser to the start page; nothing else is revealed."""
    if isinstance(exception, AccessDenied):
        return [rx.toast.error(exception.message()), rx.redirect(routes.HOME)]
    if isinstance(exception, DomainError):
        return [rx.toast.error(exception.message())]
    log.exception("unhandled error in an event handler", exc_info=exception)
    return [rx.toast.error(translate("error.generic"))]


app = rx.App(
    theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium", scaling="100%"),
    backend_exception_handler=handle_backend_exception,
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
)
