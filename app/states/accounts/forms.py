"""Register, activate, sign in, forgot and reset password: forms submitted whole.

No password and no link token is ever kept in a state var: handlers read them from the
submitted form (or the page's URL) and forget them.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import AccountTokenPurpose
from app.navigation import landing_after_login
from app.services.accounts.accounts import (
    activation_email,
    complete_registration,
    login,
    request_activation,
    request_password_reset,
    reset_password,
)
from app.services.accounts.language import remember_language
from app.services.accounts.tokens import find_token
from app.services.errors import DomainError
from app.states.db_thread import read_in_thread
from app.states.form import form_text, run_form
from app.states.session import SessionState


class AccountFormsState(SessionState):
    errors: dict[str, str] = {}
    # Set when a "send me a link" form went through: the page then shows the same note always.
    link_sent: bool = False
    # The address of the link being followed, shown and used for the "not you" rule.
    link_email: str = ""
    link_error: str = ""

    def _link_token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    def reset_form(self) -> None:
        self.errors = {}
        self.link_sent = False

    @rx.event
    async def load_activation(self) -> None:
        await self._load_link(AccountTokenPurpose.ACTIVATION)

    @rx.event
    async def load_reset(self) -> None:
        await self._load_link(AccountTokenPurpose.PASSWORD_RESET)

    async def _load_link(self, purpose: AccountTokenPurpose) -> None:
        self.errors = {}
        self.link_email = ""
        self.link_error = ""
        token = self._link_token()

        def read(db: Session) -> str:
            if purpose is AccountTokenPurpose.ACTIVATION:
                return activation_email(db, token)
            return find_token(db, purpose, token).email

        try:
            self.link_email = await read_in_thread(read)
        except DomainError as error:
            self.link_error = error.message(self.language)

    async def _send_link(self, form: dict, request: Callable[..., object]) -> None:
        """Mail an activation or reset link to the typed address (the page then says it was sent)."""
        email, language, address = form_text(form, "email"), self.language, self._client_address()

        def send() -> None:
            with session_scope() as db:
                request(db, email, language=language, client_address=address)

        if (await run_form(self, send)).ok:
            self.link_sent = True

    @rx.event
    async def submit_register(self, form: dict):
        await self._send_link(form, request_activation)

    @rx.event
    async def submit_activation(self, form: dict):
        # argon2 (about 0.4 s, 64 MiB) runs in a worker thread, not on the event loop.
        token, address, language = self._link_token(), self._client_address(), self.language

        def complete() -> None:
            with session_scope() as db:
                complete_registration(
                    db,
                    token,
                    form_text(form, "name"),
                    form_text(form, "password"),
                    form_text(form, "password_again"),
                    language=language,
                    client_address=address,
                )

        if not (await run_form(self, complete)).ok:
            return None
        self.link_email = ""
        return [
            rx.toast.success(translate("accounts.registered", self.language)),
            rx.redirect(routes.ACCOUNT_LOGIN),
        ]

    @rx.event
    async def submit_login(self, form: dict):
        address = self._client_address()

        language = self.language

        def check():
            with session_scope() as db:
                account = login(
                    db, form_text(form, "email"), form_text(form, "password"), client_address=address
                )
                # Mail to this person is written in the language they use the portal in.
                remember_language(db, account.user_id, language)
                return account

        submitted = await run_form(self, check)
        if not submitted.ok or submitted.value is None:
            return None
        account = submitted.value
        # A new person starts from a clean tab: nothing of whoever used it before stays.
        await self._forget_the_tab()
        self.session_token = account.session_token
        self.role = account.role.value
        self.display_name = account.name
        came_from = self.router.url.query_parameters.get("next")
        return rx.redirect(landing_after_login(account.role, came_from))

    @rx.event
    async def submit_forgot(self, form: dict):
        await self._send_link(form, request_password_reset)

    @rx.event
    async def submit_reset(self, form: dict):
        token, address = self._link_token(), self._client_address()

        def reset() -> None:
            with session_scope() as db:
                reset_password(
                    db,
                    token,
                    form_text(form, "password"),
                    form_text(form, "password_again"),
                    client_address=address,
                )

        if not (await run_form(self, reset)).ok:
            return None
        self.link_email = ""
        return [
            rx.toast.success(translate("accounts.password_reset_done", self.language)),
            rx.redirect(routes.ACCOUNT_LOGIN),
        ]
