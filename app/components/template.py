"""The shared page decorator: where the route, the layout shell, the roles, the title and
on_load meet, and where each page enters the page registry (app/page_registry.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import reflex as rx

from app.components.shell import shell
from app.models import Role
from app.page_registry import PageSpec, register_page
from app.states.session import SessionState


def _state_of(handler: Any) -> str:
    """The full name of the state an on_load handler belongs to ("" for a plain event spec)."""
    return getattr(handler, "state_full_name", "") or getattr(
        getattr(handler, "handler", None), "state_full_name", ""
    )


def template(
    route: str,
    *,
    title_key: str,
    roles: Collection[Role] = (),
    on_load: Any | Sequence[Any] | None = None,
    states: Sequence[type[rx.State]] = (),
    wide: bool = False,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page at ``route`` inside the shell; the session is refreshed on every load.

    ``roles`` are the roles the page is for (none: a public page); administrators are admitted
    everywhere. The menu, the sign-in redirect and the handler-authorization test read them from
    the registry; each protected handler still checks its caller on the server. ``title_key``
    names the browser tab's title in app/i18n, shown in the reader's language. ``states`` names
    the states whose handlers the page calls besides those of ``on_load`` (their substates count).
    ``wide`` pages (long desktop lists) use the whole width of a 1440 px window, not the 72rem column.
    """
    extra = [] if on_load is None else list(on_load) if isinstance(on_load, Sequence) else [on_load]
    loaded = [name for name in map(_state_of, extra) if name]
    names = tuple(dict.fromkeys([*loaded, *(state.get_full_name() for state in states)]))
    register_page(PageSpec(route=route, title_key=title_key, roles=frozenset(roles), states=names))

    def decorate(page: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def framed() -> rx.Component:
            return shell(page(), wide=wide)

        framed.__name__ = page.__name__
        framed.__qualname__ = page.__qualname__
        # Reflex compiles a page's memoized parts into a module named after the page function's
        # module: named after the page's own, not this one, so each route loads its own parts
        # and not those of every page in the app (issue 28: a phone parsed 640 KB of them).
        framed.__module__ = page.__module__
        return rx.page(
            route=route,
            title=SessionState.t[title_key],
            on_load=[SessionState.refresh_session, *extra],
        )(framed)

    return decorate
