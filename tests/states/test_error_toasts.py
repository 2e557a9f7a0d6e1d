"""A handler's error reaches the user in the tab's language, not always in bokmål (issue 11 item 7)."""

from __future__ import annotations

import json

from app.i18n import translate
from app.services.errors import AccessDenied, DomainError
from app.states.error_answers import handle_backend_exception
from app.states.session import SessionState
from tests.handler_callers import state_as


def _toast_text(spec) -> str:
    """The toast's call as the browser receives it (JavaScript, text JSON-escaped)."""
    return str(spec.args[0][1])


def _shows(spec, text: str) -> bool:
    return json.dumps(text)[1:-1] in _toast_text(spec)


def _event_name(spec) -> str:
    return spec.handler.fn.__name__


def test_the_exception_hook_asks_the_tab_to_translate():
    [event] = handle_backend_exception(DomainError("login.locked", minutes=15))
    assert _event_name(event) == "show_error"
    [refused] = handle_backend_exception(AccessDenied("auth.denied"))
    assert _event_name(refused) == "show_refusal"
    [generic] = handle_backend_exception(RuntimeError("boom"))
    assert _event_name(generic) == "show_error"


def test_the_message_is_in_the_tab_language():
    state = state_as(SessionState, "")
    for language in ("sv", "en", "nb"):
        state.language = language
        toast = SessionState.show_error.fn(state, "login.locked", {"minutes": "15"})
        assert _shows(toast, translate("login.locked", language, minutes=15))
        refusal = SessionState.show_refusal.fn(state, "auth.denied")
        assert _shows(refusal[0], translate("auth.denied", language))


def test_a_browser_cannot_make_the_toast_say_anything():
    state = state_as(SessionState, "")
    state.language = "en"
    toast = SessionState.show_error.fn(state, "<b>pay here</b>", {})
    assert _shows(toast, translate("error.generic", "en")) and "pay here" not in _toast_text(toast)
    odd_params = SessionState.show_error.fn(state, "login.locked", {"nothing": "x"})
    assert _shows(odd_params, translate("error.generic", "en"))
