"""Register, activate, sign in, forgot and reset password: forms submitted whole.

No password and no link token is ever kept in a state var: handlers read them from the
submitted form (or the page's URL) and forget them.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import AccountTokenPurpose
from app.navigation import HOME_BY_ROLE
from app.services.accounts.accounts import (
    activation_email,
    complete_registration,
    request_activation,
    request_password_reset,
    reset_password,
    sign_in,
)
from app.services.accounts.tokens import find_token
from app.services.errors import DomainError
from app.states.form import field_messages
from app.states.session import SessionState


def _text(form: dict, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


class AccountFormsState(SessionState):
    errors: dict[str, str] = {}
    # Set when a "send me a link" form went through: the page then shows the same note always.
    link_sent: bool = False
    # The address of the link being followed, shown and used for the "not you" rule.
    link_email: str = ""
    link_error: str = ""

    def _link_token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    def _fail(self, error: DomainError) -> None:
        self.errors = field_messages(error, self.language)

    @rx.event
    def reset_form(self) -> None:
        self.errors = {}
        self.link_sent = False

    @rx.event
    def load_activation(self) -> None:
        self._load_link(AccountTokenPurpose.ACTIVATION)

    @rx.event
    def load_reset(self) -> None:
        self._load_link(AccountTokenPurpose.PASSWORD_RESET)

    def _load_link(self, purpose: AccountTokenPurpose) -> None:
        self.errors = {}
        self.link_email = ""
        self.link_error = ""
        try:
            with session_scope() as db:
                if purpose is AccountTokenPurpose.ACTIVATION:
                    self.link_email = activation_email(db, self._link_token())
                else:
                    self.link_email = find_token(db, purpose, self._link_token()).email
        except DomainError as error:
            self.link_error = error.message(self.language)

    @rx.event
    def submit_register(self, form: dict):
        try:
            with session_scope() as db:
                request_activation(db, _text(form, "email"), language=self.language,
                                   client_address=self._client_address())
        except DomainError as error:
            self._fail(error)
            return
        self.errors = {}
        self.link_sent = True

    @rx.event
    async def submit_activation(self, form: dict):
        # argon2 (about 0.4 s, 64 MiB) runs in a worker thread, not on the event loop.
        token, address, language = self._link_token(), self._client_address(), self.language

        def complete() -> None:
            with session_scope() as db:
                complete_registration(
                    db, token, _text(form, "name"), _text(form, "password"),
                    _text(form, "password_again"), language=language, client_address=address,
                )

        try:
            await asyncio.to_thread(complete)
        except DomainError as error:
            self._fail(error)
            return None
        self.errors = {}
        self.link_email = ""
        return [rx.toast.success(translate("accounts.registered", self.language)),
                rx.redirect(routes.ACCOUNT_LOGIN)]

    @rx.event
    async def submit_sign_in(self, form: dict):
        address = self._client_address()

        def check():
            with session_scope() as db:
                return sign_in(db, _text(form, "email"), _text(form, "password"), client_address=address)

        try:
            signed_in = await asyncio.to_thread(check)
        except DomainError as error:
            self._fail(error)
            return None
        # A new person starts from a clean tab: nothing of whoever used it before stays.
        await self._forget_the_tab()
        self.session_token = signed_in.session_token
        self.role = signed_in.role.value
        self.display_name = signed_in.name
        return rx.redirect(HOME_BY_ROLE.get(signed_in.role, routes.HOME))

    @rx.event
    def submit_forgot(self, form: dict):
        try:
            with session_scope() as db:
                request_password_reset(db, _text(form, "email"), language=self.language,
                                       client_address=self._client_address())
        except DomainError as error:
            self._fail(error)
            return
        self.errors = {}
        self.link_sent = True

    @rx.event
    async def submit_reset(self, form: dict):
        token, address = self._link_token(), self._client_address()

        def reset() -> None:
            with session_scope() as db:
                reset_password(db, token, _text(form, "password"), _text(form, "password_again"),
                               client_address=address)

        try:
            await asyncio.to_thread(reset)
        except DomainError as error:
            self._fail(error)
            return None
        self.errors = {}
        self.link_email = ""
        return [rx.toast.success(translate("accounts.password_reset_done", self.language)),
                rx.redirect(routes.ACCOUNT_LOGIN)]
