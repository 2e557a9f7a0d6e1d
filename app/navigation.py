"""The menu and the ways in and out of the portals, read from the page registry: which role a
page admits is declared once, on the page (``@template(..., roles=...)``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urlsplit

from app import routes
from app.models import Role
from app.page_registry import PAGES, PageSpec, page_at


@dataclass(frozen=True)
class NavEntry:
    label_key: str
    route: str


# The menu's pages, in the menu's order; who sees each comes from its page's roles.
NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("nav.customer", routes.CUSTOMER_HOME),
    NavEntry("nav.consumption", routes.CUSTOMER_CONSUMPTION),
    NavEntry("nav.han", routes.CUSTOMER_HAN),
    NavEntry("nav.invoices", routes.CUSTOMER_INVOICES),
    NavEntry("nav.keys", routes.KEYS_HOME),
    NavEntry("nav.keys_import", routes.KEYS_IMPORT),
    NavEntry("nav.keys_audit", routes.KEYS_AUDIT),
    NavEntry("nav.keys_reader", routes.KEYS_READER),
    NavEntry("nav.installer", routes.INSTALLER_HOME),
    NavEntry("nav.staff", routes.STAFF_HOME),
    NavEntry("nav.notifications", routes.STAFF_NOTIFICATIONS),
    NavEntry("nav.han_orders", routes.STAFF_HAN),
    NavEntry("nav.staff_customers", routes.STAFF_CUSTOMERS),
    NavEntry("nav.ingest", routes.STAFF_INGEST),
    NavEntry("nav.grid_settings", routes.STAFF_SETTINGS),
    NavEntry("nav.access", routes.ACCOUNT_ACCESS),
    NavEntry("nav.admin", routes.ADMIN_HOME),
)

# Where an e-mail account lands after signing in: the portal its role allows.
HOME_BY_ROLE: dict[Role, str] = {
    Role.DISTRIBUTOR: routes.KEYS_HOME,
    Role.KEY_READER: routes.KEYS_READER,
    Role.INSTALLER: routes.INSTALLER_HOME,
    Role.GRID_STAFF: routes.STAFF_HOME,
    Role.GRID_ADMIN: routes.STAFF_HOME,
    Role.ADMIN: routes.ADMIN_HOME,
    Role.REGISTERED: routes.ACCOUNT_ACCESS,
    Role.CUSTOMER: routes.CUSTOMER_HOME,
}

# Where each role signs in; a page's sign-in page is that of the roles it admits.
LOGIN_BY_ROLE: dict[Role, str] = {
    Role.CUSTOMER: routes.CUSTOMER_LOGIN,
    Role.DISTRIBUTOR: routes.KEYS_LOGIN,
    Role.KEY_READER: routes.KEYS_LOGIN,
    Role.INSTALLER: routes.INSTALLER_LOGIN,
    Role.GRID_STAFF: routes.STAFF_LOGIN,
    Role.GRID_ADMIN: routes.STAFF_LOGIN,
    Role.ADMIN: routes.ACCOUNT_LOGIN,
    Role.REGISTERED: routes.ACCOUNT_LOGIN,
}


def _opens(role: Role, page: PageSpec) -> bool:
    """A protected page this role may open; administrators do not ask for access."""
    if page.public or not page.admits(role):
        return False
    return not (role is Role.ADMIN and Role.REGISTERED in page.roles)


def entries_for(role: Role | None) -> list[NavEntry]:
    """Entries a signed-in role may open; administrators all but the key service's, visitors none.
    A role's own pages come first: the header shows the first few and puts the rest under "More",
    and an administrator's own work is administration, not the customer pages it may also open."""
    if role is None:
        return []
    opened = [
        (entry, page) for entry in NAV_ENTRIES if (page := PAGES.get(entry.route)) and _opens(role, page)
    ]
    return [entry for entry, page in sorted(opened, key=lambda pair: role not in pair[1].roles)]


def login_page_for(path: str) -> str:
    """The sign-in page of the portal ``path`` belongs to, asked to return to ``path``."""
    page = page_at(urlsplit(path).path)
    if page is None or page.public:
        return routes.HOME
    role = next(role for role in Role if role in page.roles)
    return f"{LOGIN_BY_ROLE[role]}?{urlencode({'next': path})}"


def landing_after_login(role: Role, next_path: str | None) -> str:
    """Where a person lands after signing in: the page they were sent away from, when it is a
    page of this site their role may open (never another site), else their portal's home."""
    home = HOME_BY_ROLE.get(role, routes.HOME)
    path = normalised_local_path(next_path)
    if path is None:
        return home
    page = page_at(path)
    if page is not None and _opens(role, page):
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
