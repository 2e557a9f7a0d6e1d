"""Min side sign-in handlers called directly: hashing off the event loop, a bounded countdown."""

from __future__ import annotations

import asyncio
import inspect
import time
from types import SimpleNamespace

import pytest

from app.clock import utcnow
from app.services import passwords
from app.states.customer import login as login_module
from app.states.customer.login import CustomerLoginState
from tests.handler_callers import state_as


def _login_state() -> CustomerLoginState:
    return state_as(CustomerLoginState, "")


def test_password_check_runs_off_the_event_loop(app_database_url, monkeypatch):
    """Issue 10 item 7: argon2 (~0.4 s) on the event loop stalled every user of the worker."""

    def slow_verify(password_hash, password):
        time.sleep(0.5)  # what argon2id costs in production, without its 64 MiB
        return False

    monkeypatch.setattr(passwords, "verify_password", slow_verify)
    monkeypatch.setattr(CustomerLoginState, "_client_address", lambda self: "192.0.2.71")
    state = _login_state()

    async def run_with_a_ticker() -> int:
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0.02)

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        outcome = CustomerLoginState.submit_password_login.fn(
            state, {"login_mobile": "+47 400 00 001", "login_password": "not the password"}
        )
        if inspect.iscoroutine(outcome):
            await outcome
        done = True
        await ticking
        return ticks

    ticks = asyncio.run(run_with_a_ticker())
    assert state.errors  # the password was refused...
    assert ticks >= 10  # ...while other coroutines went on running


@pytest.fixture
def sleeps(monkeypatch):
    """The countdown's sleeps, counted; a runaway countdown is stopped at 500."""
    count = {"n": 0}

    async def sleep(_seconds: float) -> None:
        count["n"] += 1
        if count["n"] > 500:
            raise RuntimeError("the countdown does not stop")

    monkeypatch.setattr(login_module, "asyncio", SimpleNamespace(sleep=sleep))
    return count


def test_the_countdown_cannot_be_stretched_by_a_browser(sleeps):
    """Issue 10 item 16: any browser could start a countdown of any length."""
    state = _login_state()
    state._resend_available_epoch = utcnow().timestamp() + 60
    asyncio.run(CustomerLoginState.count_down_resend.fn(state, 10**9))
    assert sleeps["n"] <= 61
    assert state.resend_in == 0


@pytest.mark.parametrize("asked", [10**9, -5, "x", None])
def test_without_a_code_sent_the_countdown_does_not_run(sleeps, asked):
    state = _login_state()
    asyncio.run(CustomerLoginState.count_down_resend.fn(state, asked))
    assert sleeps["n"] == 0 and state.resend_in == 0


def test_no_state_var_holds_a_password():
    """Reflex persists state to disk or Redis: passwords come with the submitted form only."""
    from app.states.customer.overview import CustomerState
    from app.states.session import SessionState, _tab_state_classes

    assert CustomerState in _tab_state_classes(SessionState)
    holding = [
        f"{state.__name__}.{name}"
        for state in _tab_state_classes(SessionState)
        for name in state.__fields__
        if "password" in name
    ]
    assert holding == []
