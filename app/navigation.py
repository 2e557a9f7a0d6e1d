"""Which portal sections each role may use: the navigation shows only these."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urlsplit

from app import routes
from app.models import Role


@dataclass(frozen=True)
class NavEntry:
    label_key: str
    route: str
    roles: frozenset[Role]


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("nav.customer", routes.CUSTOMER_HOME, frozenset({Role.CUSTOMER})),
    NavEntry("nav.consumption", routes.CUSTOMER_CONSUMPTION, frozenset({Role.CUSTOMER})),
    NavEntry("nav.han", routes.CUSTOMER_HAN, frozenset({Role.CUSTOMER})),
    NavEntry("nav.keys", routes.KEYS_HOME, frozenset({Role.DISTRIBUTOR})),
    NavEntry("nav.keys_import", routes.KEYS_IMPORT, frozenset({Role.DISTRIBUTOR})),
    NavEntry("nav.keys_audit", routes.KEYS_AUDIT, frozenset({Role.DISTRIBUTOR})),
    NavEntry("nav.keys_reader", routes.KEYS_READER, frozenset({Role.KEY_READER})),
    NavEntry("nav.installer", routes.INSTALLER_HOME, frozenset({Role.INSTALLER})),
    NavEntry("nav.staff", routes.STAFF_HOME, frozenset({Role.GRID_STAFF})),
    NavEntry("nav.notifications", routes.STAFF_NOTIFICATIONS, frozenset({Role.GRID_STAFF})),
    NavEntry("nav.han_orders", routes.STAFF_HAN, frozenset({Role.GRID_STAFF})),
    # Every grid company's sources: the system operator's (issue 20.14).
    NavEntry("nav.ingest", routes.STAFF_INGEST, frozenset({Role.ADMIN})),
    NavEntry("nav.access", routes.ACCOUNT_ACCESS, frozenset({Role.REGISTERED})),
    NavEntry("nav.admin", routes.ADMIN_HOME, frozenset({Role.ADMIN})),
)

# Where an e-mail account lands after signing in: the portal its role allows.
HOME_BY_ROLE: dict[Role, str] = {
    Role.DISTRIBUTOR: routes.KEYS_HOME,
    Role.KEY_READER: routes.KEYS_READER,
    Role.INSTALLER: routes.INSTALLER_HOME,
    Role.GRID_STAFF: routes.STAFF_HOME,
    Role.ADMIN: routes.ADMIN_HOME,
    Role.REGISTERED: routes.ACCOUNT_ACCESS,
    Role.CUSTOMER: routes.CUSTOMER_HOME,
}


def entries_for(role: Role | None) -> list[NavEntry]:
    """Entries a signed-in role may open; administrators see all, visitors none."""
    if role is None:
        return []
    if role is Role.ADMIN:
        return [entry for entry in NAV_ENTRIES if Role.REGISTERED not in entry.roles]
    return [entry for entry in NAV_ENTRIES if role in entry.roles]


# A visitor refused on a portal's page signs in on that portal's sign-in page, then comes back.
SIGN_IN_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("/min-side", routes.CUSTOMER_LOGIN),
    ("/nokler", routes.KEYS_LOGIN),
    ("/installator", routes.INSTALLER_LOGIN),
    ("/saksbehandling", routes.STAFF_LOGIN),
    ("/admin", routes.ACCOUNT_LOGIN),
    ("/konto", routes.ACCOUNT_LOGIN),
)


def sign_in_page_for(path: str) -> str:
    """The sign-in page of the portal ``path`` belongs to, asked to return to ``path``."""
    for prefix, sign_in in SIGN_IN_BY_PREFIX:
        if (path == prefix or path.startswith(prefix + "/")) and path.rstrip("/") != sign_in:
            return f"{sign_in}?{urlencode({'next': path})}"
    return routes.HOME


def landing_after_sign_in(role: Role, next_path: str | None) -> str:
    """Where a person lands after signing in: the page they were sent away from, when it is a
    page of this site their role may open (never another site), else their portal's home."""
    home = HOME_BY_ROLE.get(role, routes.HOME)
    path = normalised_local_path(next_path)
    if path is None:
        return home
    allowed = [entry.route for entry in entries_for(role)] + [home]
    if any(path == route or path.startswith(route.rstrip("/") + "/") for route in allowed):
        return next_path or home
    return home


# Percent-decoding rounds before a path counts as hostile (``%252e`` is ``.`` after two).
_DECODE_ROUNDS = 3


def normalised_local_path(next_path: str | None) -> str | None:
    """The path part of a local ``next`` address, fully percent-decoded, or None when it is not
    a plain path of this site: another site (``//``, ``\\``, a scheme), a ``.`` or ``..``
    segment, an empty segment, or a control character, in any encoding (issue 20.13:
    ``/nokler/../admin`` passed the prefix check while the browser landed on ``/admin``)."""
    if not next_path:
        return None
    decoded = next_path
    for _ in range(_DECODE_ROUNDS):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    else:
        return None  # still encoded after three rounds: nobody's real page
    path = urlsplit(decoded).path
    if not decoded.startswith("/") or "\\" in decoded or any(ord(c) < 32 or ord(c) == 127 for c in decoded):
        return None
    if urlsplit(decoded).scheme or urlsplit(decoded).netloc:
        return None
    segments = path.split("/")[1:]
    if any(segment in ("", ".", "..") for segment in segments[:-1]) or segments[-1] in (".", ".."):
        return None
    return path
