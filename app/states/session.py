"""The signed-in browser: its session token, language, role and the navigation it may see."""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.state import BaseState
from sqlmodel import Session

from app import routes
from app.db import session_scope
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from app.models import Role
from app.navigation import HOME_BY_ROLE, entries_for, login_page_for
from app.services.access import require_role
from app.services.accounts.administration import count_pending_requests
from app.services.accounts.language import remember_language
from app.services.caller import Caller
from app.services.caller_names import display_name
from app.services.sessions import resolve_principal, sign_out
from app.states.db_thread import read_in_thread

# What the browser keeps across people: its language, its remembered-device token (tied to an
# account server-side, revoked there), and the countdown's generation (so an old tick stops).
_KEPT_ON_SIGN_OUT = frozenset({"language", "device_token", "_countdown_generation"})
# Reflex's own fields: the connection's router data and hydration.
_REFLEX_FIELDS = frozenset({"is_hydrated"})


def _tab_state_classes(state_class: type[BaseState]) -> list[type[BaseState]]:
    """``state_class`` and every state below it."""
    classes = [state_class]
    for substate in sorted(state_class.get_substates(), key=lambda cls: cls.get_full_name()):
        classes.extend(_tab_state_classes(substate))
    return classes


def _known_text(key: str, language: str, params: dict[str, str]) -> str:
    """Any browser can send any key: only texts of the tables are shown, never the key itself."""
    table = LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE])
    if not isinstance(key, str) or key not in table:
        key = "error.generic"
    try:
        return translate(key, language, **{str(k): str(v)[:200] for k, v in dict(params or {}).items()})
    except (KeyError, IndexError, ValueError, TypeError):
        return translate("error.generic", language)


# A header at 1440 px holds four sections beside the logo, the language and the name menu
# (the administrator's twelve pushed those off the right edge).
MAX_INLINE_NAV = 4


class SessionState(rx.State):
    # The only copy of the session token; the server keeps its hash.
    session_token: str = rx.LocalStorage("", name="mp_session", sync=True)
    language: str = rx.LocalStorage(DEFAULT_LANGUAGE, name="mp_language", sync=True)
    # Mirrors the server's view for the layout; never trusted by a handler.
    role: str = ""
    # Shown in the name menu at the top right; set by the area state that knows the person.
    display_name: str = ""
    # Access requests waiting for an administrator: a count beside "Administration" in the menu.
    waiting_requests: int = 0

    @rx.var(cache=True)
    def t(self) -> dict[str, str]:
        """Every UI text in the current language, for pages to look up by key."""
        return LANGUAGES.get(self.language, LANGUAGES[DEFAULT_LANGUAGE])

    @rx.var(cache=True)
    def nav_items(self) -> list[dict[str, str]]:
        """The menu: label, route, a count to show beside the label ("" for none) and the name a
        screen reader reads (the label, and what the count means)."""
        role = Role(self.role) if self.role else None
        items = []
        for entry in entries_for(role):
            label = translate(entry.label_key, self.language)
            count = self.waiting_requests if entry.route == routes.ADMIN_HOME else 0
            waiting = translate("admin.requests_waiting", self.language, count=count)
            name = f"{label}, {waiting}" if count else label
            items.append(
                {"label": label, "route": entry.route, "count": str(count) if count else "", "name": name}
            )
        return items

    @rx.var(cache=True)
    def nav_inline(self) -> list[dict[str, str]]:
        """The sections shown as links in a desktop header; the rest go under "More"."""
        items = self.nav_items
        return items if len(items) <= MAX_INLINE_NAV else items[: MAX_INLINE_NAV - 1]

    @rx.var(cache=True)
    def nav_more(self) -> list[dict[str, str]]:
        items = self.nav_items
        return [] if len(items) <= MAX_INLINE_NAV else items[MAX_INLINE_NAV - 1 :]

    @rx.var(cache=True)
    def logged_in(self) -> bool:
        return bool(self.role)

    def _client_address(self) -> str:
        return self.router.session.client_ip or ""

    def _require(self, *roles: Role, handler: str, db: Session | None = None) -> Caller:
        """The caller, checked on the server; raises AccessDenied otherwise.

        Every protected handler starts with this call (Reflex lets any connected browser call
        any handler, so the page's own checks are never enough); ``handler`` names it in the
        audit log when refused. Given ``db``, the check runs in the handler's own transaction
        (one per tap) instead of one of its own.
        """
        action = f"{type(self).__name__}.{handler}"
        if db is not None:
            return require_role(
                db, self.session_token, roles, action=action, client_address=self._client_address()
            )
        with session_scope() as db:
            return require_role(
                db, self.session_token, roles, action=action, client_address=self._client_address()
            )

    async def _checked(self, *roles: Role, handler: str) -> Caller:
        """``_require`` off the event loop: the session's look-up (and a refusal's audit row) in a
        worker thread, so the other browsers this backend worker serves are answered meanwhile."""
        return await asyncio.to_thread(lambda: self._require(*roles, handler=handler))

    @rx.event
    async def refresh_session(self):
        """On every page load: the role and the name in the header, from the server's view,
        and the page's language for screen readers (``<html lang>``)."""
        token = self.session_token

        def read(db: Session) -> tuple[Caller | None, str, int]:
            caller = resolve_principal(db, token)
            is_admin = caller is not None and caller.role is Role.ADMIN
            name = display_name(db, caller) if caller else ""
            return caller, name, count_pending_requests(db, caller) if is_admin else 0

        caller, self.display_name, self.waiting_requests = await read_in_thread(read)
        self.role = str(caller.role) if caller else ""
        language = self.language if self.language in LANGUAGES else DEFAULT_LANGUAGE
        return rx.call_script(f"document.documentElement.lang = '{language}'")

    @rx.event
    def show_error(self, key: str, params: dict[str, str]):
        """A toast with a domain error's message in this tab's language (see app.handle_backend_exception)."""
        return rx.toast.error(_known_text(key, self.language, params))

    @rx.event
    def show_refusal(self, key: str):
        """Someone signed in but not allowed is told they lack access and stays in their own
        portal (its home page); a visitor without a live session goes to this portal's sign-in
        page, which brings them back here afterwards."""
        if self.role in set(Role):
            home = HOME_BY_ROLE.get(Role(self.role), routes.HOME)
            if self.router.url.path.rstrip("/") == home:
                home = routes.HOME  # refused on their own home page: never send them round again
            # Shared access that ended, or a part of a shared relationship its owner keeps,
            # says so (issue 27); any other refusal says only that access is lacking.
            message = key if str(key).startswith("sharing.") else "auth.no_access"
            return [rx.toast.error(_known_text(message, self.language, {})), rx.redirect(home)]
        target = login_page_for(self.router.page.raw_path)
        return [rx.toast.error(_known_text(key, self.language, {})), rx.redirect(target)]

    @rx.event
    async def set_language(self, language: str):
        """Texts of the tables follow at once; a page's data, written on the server in the old
        language (month names, statuses, sentences), is loaded again by reloading the page."""
        if language in LANGUAGES and language != self.language:
            self.language = language
            token = self.session_token
            if token:  # signed in: their mail follows (issue 21 point 10)

                def remember(db: Session) -> None:
                    caller = resolve_principal(db, token)
                    remember_language(db, caller.user_id if caller else None, language)

                await read_in_thread(remember)
            return rx.call_script("window.location.reload()")
        return None

    async def _forget_the_tab(self) -> None:
        """Every var of every portal state in this tab back to its default.

        A sign-out must leave nothing of the person behind (name, metering point ID,
        consumption rows, what they typed) for whoever uses the tab next. States not yet
        loaded from the state manager are loaded, so none is skipped.
        """
        for state_class in _tab_state_classes(SessionState):
            state = await self.get_state(state_class)
            for name, state_field in state_class.__fields__.items():
                if (
                    state_field._owner is state_class
                    and name not in _KEPT_ON_SIGN_OUT
                    and name not in _REFLEX_FIELDS
                    and not name.startswith("router")
                ):
                    setattr(state, name, state_field.default_value())

    @rx.event
    async def sign_out(self):
        token, address = self.session_token, self._client_address()
        if token:
            await read_in_thread(lambda db: sign_out(db, token, client_address=address))
        # A customer signs in again on Min side's own sign-in page; everyone else at the start.
        landing = routes.CUSTOMER_LOGIN if self.role == Role.CUSTOMER else routes.HOME
        await self._forget_the_tab()
        return [
            rx.toast.info(translate("auth.signed_out", self.language)),
            rx.redirect(landing),
        ]
