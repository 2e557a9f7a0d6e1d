"""The form kit's state side: read a submitted form, run its service, map domain errors to fields.

A form handler reads what it needs from the submitted form (``form_text``, ``form_id``,
``form_checked``: a missing or odd field is "" / None / False, never "None"), runs one service
call off the event loop (``run_form``), and gets either the result or ``errors`` set next to
the fields they concern. Typed values are never state vars.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import reflex as rx

from app.i18n import translate
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors

T = TypeVar("T")


def field_messages(error: DomainError, language: str) -> dict[str, str]:
    """Field name -> message; errors that concern no single field go under "form"."""
    if isinstance(error, FieldErrors):
        return {field: translate(key, language) for field, key in error.errors.items()}
    return {error.field or "form": error.message(language)}


def form_text(form: dict | None, name: str) -> str:
    """A submitted field's text as typed (a browser may send anything: non-text counts as empty).

    Not stripped: a password's spaces are part of it; services normalise what they parse.
    """
    value = (form or {}).get(name, "")
    return value if isinstance(value, str) else ""


def int_or_none(value: object) -> int | None:
    """A browser-sent id or number as an int; anything else is none (the browser may send anything)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def form_id(form: dict | None, name: str) -> int | None:
    """A submitted field holding an id or a number (a hidden input, a select's value); None otherwise."""
    return int_or_none(form_text(form, name))


def form_checked(form: dict | None, name: str) -> bool:
    """Whether a native checkbox was ticked (browsers send "on"; Radix sends true)."""
    return str((form or {}).get(name, "")).lower() in {"on", "true"}


class FormHolder(Protocol):
    errors: dict[str, str]
    language: str


@dataclass(frozen=True, slots=True)
class Submitted(Generic[T]):
    ok: bool
    value: T | None = None
    # What refused it, when it was refused (its messages are already in ``errors``).
    error: DomainError | None = None
    # What refused it, in one sentence in the form's language ("" when it went through).
    message: str = ""
    # An error that concerns no field, as a toast, when ``run_form`` was asked to toast it.
    toast: rx.event.EventSpec | None = None


async def run_form(
    state: FormHolder,
    work: Callable[[], T],
    *,
    passes: tuple[type[Exception], ...] = (),
    field_prefix: str = "",
    toast_form_error: bool = False,
) -> Submitted[T]:
    """Run ``work`` (one service call in its own transaction) in a worker thread.

    A slow query or a password hash then never stalls the other sessions on this worker's
    event loop. A ``DomainError`` becomes field messages in ``state.errors``; ``AccessDenied``
    is not a form error and goes on to the app's handler (a toast and the start page), as do
    the exceptions in ``passes`` (a flow's own, e.g. asking for the password again).

    ``field_prefix``: the errors' keys start with it (a page with one form per row: ``"12."``).
    ``toast_form_error``: an error that concerns no single field is not put in ``errors`` but
    returned as ``Submitted.toast`` for the handler to return; a field's error stays by its field.
    """
    try:
        value = await asyncio.to_thread(work)
    except AccessDenied:
        raise
    except DomainError as error:
        if isinstance(error, passes):
            raise
        messages = field_messages(error, state.language)
        toast = None
        if toast_form_error and "form" in messages:
            toast = rx.toast.error(messages.pop("form"))
        state.errors = {f"{field_prefix}{field}": message for field, message in messages.items()}
        return Submitted(ok=False, error=error, message=error.message(state.language), toast=toast)
    state.errors = {}
    return Submitted(ok=True, value=value)
