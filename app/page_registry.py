"""Every page of the app, as the page decorator declared it: its route, the key of its
translated title and the roles it admits.

The menu, the sign-in redirect, the browser tab's title and the handler-authorization test read
this registry; a page names its roles once, in its ``@template(...)`` line. Administrators are
admitted everywhere (as ``services.access.require_role`` lets them pass every check).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Role, role_admitted


@dataclass(frozen=True)
class PageSpec:
    route: str
    title_key: str
    # Empty: a public page (sign-in pages, the start page, about pages).
    roles: frozenset[Role]
    # Full names of the states whose handlers load the page (its on_load); their substates
    # belong to the page too.
    states: tuple[str, ...] = ()

    @property
    def public(self) -> bool:
        return not self.roles

    def admits(self, role: Role | None) -> bool:
        """Whether a caller of ``role`` (None: no session) may use this page's handlers."""
        if self.public:
            return True
        return role_admitted(role, set(self.roles))


PAGES: dict[str, PageSpec] = {}


def register_page(spec: PageSpec) -> None:
    """Called once per page by the page decorator; a route declared twice is a mistake."""
    known = PAGES.get(spec.route)
    if known is not None and known != spec:
        raise ValueError(f"page {spec.route} declared twice")
    PAGES[spec.route] = spec


def as_records() -> list[dict[str, object]]:
    """The registry as plain data (a process that never imports the pages reads it this way)."""
    return [
        {"route": p.route, "title_key": p.title_key, "roles": sorted(p.roles), "states": list(p.states)}
        for p in PAGES.values()
    ]


def load_records(records: list[dict[str, object]]) -> None:
    for record in records:
        register_page(
            PageSpec(
                route=str(record["route"]),
                title_key=str(record["title_key"]),
                roles=frozenset(Role(role) for role in record["roles"]),  # type: ignore[attr-defined]
                states=tuple(record["states"]),  # type: ignore[arg-type]
            )
        )


def page_at(path: str) -> PageSpec | None:
    """The page serving ``path`` (its query and a trailing slash ignored)."""
    route = path.split("?", 1)[0].split("#", 1)[0]
    route = route.rstrip("/") or "/"
    return PAGES.get(route)
