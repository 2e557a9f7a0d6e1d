"""Key-service calls from a handler: ``run_form(..., passes=REAUTHENTICATION_FLOW)``, and a shown key.

As with every form, a refusal (``AccessDenied``) is not a field message: it propagates, so the
app's exception handler answers it (toast, back to the start page) and nothing is shown. Nor is
``ReauthenticationRequired``: the state's flow asks for the password and retries.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

import reflex as rx

from app.db import session_scope
from app.i18n import translate
from app.services.caller import Caller
from app.services.keys.fresh_authentication import ReauthenticationRequired
from app.services.keys.read_rights import ShownKey, show_key
from app.states.form import FormHolder, run_form

T = TypeVar("T")
_HEX = re.compile(r"[0-9a-fA-F]*")


# A key call's own flow: asking for the password again is the state's to handle, not a form error.
REAUTHENTICATION_FLOW = (ReauthenticationRequired,)


def key_text(encryption_hex: str, authentication_hex: str | None, language: str) -> str:
    """The shown key: the wireless M-Bus key alone, or a DLMS unit's two keys named."""
    if not authentication_hex:
        return encryption_hex.upper()
    encryption = translate("keys.list.encryption_key", language)
    authentication = translate("keys.list.authentication_key", language)
    return f"{encryption}: {encryption_hex.upper()} · {authentication}: {authentication_hex.upper()}"


def reveal_script(element_id: str, encryption_hex: str, authentication_hex: str | None, language: str) -> str:
    """Script that writes a key into one element of the page.

    The key goes to the browser with this one event and is never a state var (state is
    persisted to disk or Redis); leaving the page or hiding it drops it.
    """
    for value in (encryption_hex, authentication_hex or ""):
        if not _HEX.fullmatch(value):
            raise ValueError("a key is hex")
    text = json.dumps(key_text(encryption_hex, authentication_hex, language))
    target = json.dumps(element_id)
    return f"(() => {{ const el = document.getElementById({target}); if (el) el.textContent = {text}; }})()"


async def reveal_key(state: FormHolder, caller: Caller, unit_id: int, element_id: str):  # type: ignore[no-untyped-def]
    """Show one unit's key (audited by the service) in ``element_id``; None when refused."""

    def work() -> ShownKey:
        with session_scope() as db:
            return show_key(db, caller, unit_id)

    done = await run_form(state, work, passes=REAUTHENTICATION_FLOW)
    if not done.ok or done.value is None:
        return None
    shown = done.value
    return rx.call_script(
        reveal_script(element_id, shown.encryption_key_hex, shown.authentication_key_hex, state.language)
    )
