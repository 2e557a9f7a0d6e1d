"""The shared page decorator: where the route, the layout shell, the role and on_load meet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from app.components.shell import shell
from app.states.session import SessionState


def template(
    route: str,
    title: str,
    *,
    on_load: Any | Sequence[Any] | None = None,
    wide: bool = False,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page at ``route`` inside the shell; the session is refreshed on every load.

    Pages only lay out; each protected handler checks its caller on the server. ``wide`` pages
    (long desktop lists) use the whole width of a 1440 px window instead of the 72rem column.
    """
    extra = [] if on_load is None else list(on_load) if isinstance(on_load, Sequence) else [on_load]

    def decorate(page: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        @rx.page(route=route, title=title, on_load=[SessionState.refresh_session, *extra])
        def framed() -> rx.Component:
            return shell(page(), wide=wide)

        framed.__name__ = page.__name__
        return framed

    return decorate
