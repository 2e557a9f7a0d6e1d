"""Min side sign-in: first login by invoice data + SMS code, or mobile + password.

The forms are uncontrolled and submitted whole: the SMS code and the password are read from the
submitted form and never become state vars (Reflex persists state to disk or Redis).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from app.clock import utcnow
from app.db import session_scope
from app.models import Role
from app.navigation import landing_after_login
from app.services.customer.login import (
    ChallengeInfo,
    resend_code,
    start_first_login,
    start_shared_login,
    verify_code,
)
from app.services.customer.password_login import login_with_password
from app.services.otp import RESEND_COOLDOWN
from app.states.form import form_checked, form_text, run_form
from app.states.session import SessionState


class CustomerLoginState(SessionState):
    # The remembered-device token (30 days); the server keeps only its hash.
    device_token: str = rx.LocalStorage("", name="mp_device", sync=True)
    method: str = "first"
    step: str = "form"
    # The mobile number last submitted: the other sign-in form starts with it.
    mobile: str = ""
    masked_mobile: str = ""
    resend_in: int = 0
    errors: dict[str, str] = {}
    _challenge_id: str = ""
    # When the server allows a new code (epoch seconds): the countdown never runs past it.
    _resend_available_epoch: float = 0.0
    # A newer countdown replaces an older one still ticking.
    _countdown_generation: int = 0

    @rx.event
    def set_method(self, method: str) -> None:
        if method in ("first", "password", "shared"):
            self.method = method
            self.errors = {}

    @rx.event
    def open_from_link(self) -> None:
        """The link in a sharing invitation (``?delt=1``) opens the "Shared with me" tab."""
        if self.router.url.query_parameters.get("delt") and self.step == "form":
            self.method = "shared"
            self.errors = {}

    @rx.event
    async def submit_shared_login(self, form: dict | None = None):
        """Someone a customer relationship was shared with: their own mobile, then a code."""
        self.mobile = mobile = form_text(form, "shared_mobile")
        address, language = self._client_address(), self.language

        def start() -> ChallengeInfo:
            with session_scope() as db:
                return start_shared_login(db, mobile, address, language=language)

        submitted = await run_form(self, start)
        return self._show_challenge(submitted.value) if submitted.value is not None else None

    def _show_challenge(self, challenge: ChallengeInfo):
        self._challenge_id = challenge.challenge_id
        self._resend_available_epoch = challenge.resend_available_at.timestamp()
        self.masked_mobile = challenge.masked_mobile
        self.step = "code"
        self.errors = {}
        return CustomerLoginState.count_down_resend(self._seconds_until(challenge.resend_available_at))

    @staticmethod
    def _seconds_until(moment: datetime) -> int:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return max(0, int((moment - utcnow()).total_seconds()) + 1)

    async def _logged_in(self, token: str, device_token: str | None):
        # A new person starts from a clean tab (a previous one may have left without signing
        # out), and nothing the customer typed stays in the state once they are in.
        await self._forget_the_tab()
        self.session_token = token
        if device_token:
            self.device_token = device_token
        # Back to the page that sent a signed-out visitor here, if it is one of Min side's.
        came_from = self.router.url.query_parameters.get("next")
        return rx.redirect(landing_after_login(Role.CUSTOMER, came_from))

    @rx.event
    async def submit_first_login(self, form: dict | None = None):
        self.mobile = form_text(form, "mobile")
        address, language = self._client_address(), self.language

        def start() -> ChallengeInfo:
            with session_scope() as db:
                return start_first_login(
                    db,
                    form_text(form, "installation_number"),
                    form_text(form, "metering_point_id"),
                    form_text(form, "mobile"),
                    form_checked(form, "consent"),
                    address,
                    language=language,
                    # The version of the terms the page showed beside the ticked box.
                    terms_version=form_text(form, "terms_version"),
                )

        submitted = await run_form(self, start)
        return self._show_challenge(submitted.value) if submitted.value is not None else None

    @rx.event
    async def submit_password_login(self, form: dict | None = None):
        # argon2 (about 0.4 s, 64 MiB) runs in a worker thread, not on the event loop.
        # The password comes with the submitted form only: it is never a state var.
        password = form_text(form, "login_password")
        self.mobile = mobile = form_text(form, "login_mobile")
        device_token = self.device_token or None
        address, language = self._client_address(), self.language

        def login():
            with session_scope() as db:
                return login_with_password(db, mobile, password, device_token, address, language=language)

        done = await run_form(self, login)
        if not done.ok or done.value is None:
            return None
        outcome = done.value
        if outcome.result is not None:
            return await self._logged_in(outcome.result.session_token, outcome.result.device_token)
        assert outcome.challenge is not None
        return self._show_challenge(outcome.challenge)

    @rx.event
    async def submit_code(self, form: dict | None = None):
        challenge_id, code, address = (
            self._challenge_id,
            form_text(form, "code").strip(),
            self._client_address(),
        )
        device_token = self.device_token or None

        def verify():
            with session_scope() as db:
                return verify_code(db, challenge_id, code, address, device_token=device_token)

        done = await run_form(self, verify)
        if not done.ok or done.value is None:
            # Whatever refused it, it is said beside the code.
            self.errors = {"code": done.message}
            return None
        return await self._logged_in(done.value.session_token, done.value.device_token)

    @rx.event
    async def request_new_code(self):
        challenge_id, address, language = self._challenge_id, self._client_address(), self.language

        def resend():
            with session_scope() as db:
                return resend_code(db, challenge_id, address, language=language)

        done = await run_form(self, resend)
        if not done.ok or done.value is None:
            self.errors = {"code": done.message}
            return None
        return self._show_challenge(done.value)

    @rx.event
    def start_over(self) -> None:
        self.step = "form"
        self.errors = {}
        self._challenge_id = ""

    def _bounded_countdown(self, seconds: object) -> int:
        """Any browser can call the countdown with any value: it never runs past the server's
        own time for a new code (at most the resend cooldown), nor below zero."""
        try:
            asked = int(seconds)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return 0
        remaining = int(self._resend_available_epoch - utcnow().timestamp()) + 1
        ceiling = int(RESEND_COOLDOWN.total_seconds()) + 1
        return max(0, min(asked, remaining, ceiling))

    @rx.event(background=True)
    async def count_down_resend(self, seconds: int):
        async with self:
            self._countdown_generation += 1
            generation = self._countdown_generation
            seconds = self._bounded_countdown(seconds)
            self.resend_in = seconds
        while seconds > 0:
            await asyncio.sleep(1)
            seconds -= 1
            async with self:
                if self._countdown_generation != generation:
                    return
                self.resend_in = seconds
