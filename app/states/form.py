"""The form kit's state side: read a submitted form, run its service, map domain errors to fields.

A form handler reads what it needs from the submitted form (``form_text``), runs one service
call off the event loop (``run_form``), and gets either the result or ``errors`` set next to
the fields they concern. Typed values are never state vars.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

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


async def run_form(state: FormHolder, work: Callable[[], T]) -> Submitted[T]:
    """Run ``work`` (one service call in its own transaction) in a worker thread.

    A slow query or a password hash then never stalls the other sessions on this worker's
    event loop. A ``DomainError`` becomes field messages in ``state.errors``.
    """
    try:
        value = await asyncio.to_thread(work)
    except DomainError as error:
        state.errors = field_messages(error, state.language)
        return Submitted(ok=False, error=error)
    state.errors = {}
    return Submitted(ok=True, value=value)


def run_form_inline(state: FormHolder, work: Callable[[], T]) -> Submitted[T]:
    """``run_form`` on the event loop, for a short write of one row (a note, a decision).

    ``AccessDenied`` is not a form error: it goes on to the app's handler (a toast and the start page).
    """
    try:
        value = work()
    except AccessDenied:
        raise
    except DomainError as error:
        state.errors = field_messages(error, state.language)
        return Submitted(ok=False, error=error)
    state.errors = {}
    return Submitted(ok=True, value=value)
