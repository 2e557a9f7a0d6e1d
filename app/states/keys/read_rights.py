"""Read rights from the key list: assign to an e-mail, revoke for the selection, per unit, per reader.

"Edit read rights" -> "Assign" opens the dialog "Assign read rights" with "User e-mail"; the
address is read from the submitted form, never kept. A unit's readers panel lists who may read
it, revokes one of them, and shows the key (audited by the service).
"""

from __future__ import annotations

import json
from typing import ClassVar

import reflex as rx

from app.db import session_scope
from app.i18n import translate, translate_count
from app.i18n.times import format_local_time
from app.models import Role
from app.services.keys.read_rights import (
    AssignOutcome,
    ReaderRow,
    assign_read_rights,
    readers_of,
    revoke_read_rights,
    revoke_reader,
)
from app.states.dialog import DialogState
from app.states.form import form_text, int_or_none, run_form
from app.states.keys.calls import REAUTHENTICATION_FLOW
from app.states.keys.export import ExportFlow
from app.states.keys.unit_list import KeyListState

ASSIGN, REVOKE, REVOKE_EVERYWHERE, READERS = "assign", "revoke", "revoke_everywhere", "readers"
# Asked on top of the readers panel.
REVOKE_QUESTION = "revoke-reader"
UNIT_KEY_ELEMENT = "unit-key"
READERS_PANEL_CLOSE = "readers-panel-close"
REVOKE_BUTTON_PREFIX = "revoke-reader-"


def revoke_button_id(email: str) -> str:
    """The id of a reader's "Revoke" button in the readers panel."""
    return REVOKE_BUTTON_PREFIX + email


def focus_element(element_id: str) -> rx.event.EventSpec:
    """Focus an element once the dialog that closed has let go of the focus (a dialog opened by
    state has no trigger for Radix to return it to)."""
    target = json.dumps(element_id)
    return rx.call_script(f"setTimeout(() => document.getElementById({target})?.focus(), 50)")


def _revoked_text(email: str, count: int, language: str) -> str:
    return translate_count("keys.dialog.revoked", language, count=count, email=email.strip())


def assigned_text(email: str, outcome: AssignOutcome, language: str) -> str:
    """What an assignment did: new rights (and an invitation), and the units the person already read."""
    email = email.strip()
    if not outcome.assigned:
        return translate_count("keys.dialog.already_assigned", language, count=outcome.already, email=email)
    key = "keys.dialog.assigned_invited" if outcome.invited else "keys.dialog.assigned"
    text = translate_count(key, language, count=outcome.assigned, email=email)
    if outcome.already:
        text += " " + translate_count("keys.dialog.also_already", language, count=outcome.already)
    return text


class ReadRightsState(ExportFlow, DialogState, KeyListState):
    """Its dialogs: ASSIGN, REVOKE, REVOKE_EVERYWHERE (each stays open while its form shows an
    error) and READERS (one unit's readers panel, which asks for the password inside itself)."""

    LISTER: ClassVar[Role] = Role.DISTRIBUTOR
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.DISTRIBUTOR,)
    ASKS_PASSWORD_INSIDE: ClassVar[frozenset[str]] = frozenset({READERS})
    errors: dict[str, str] = {}
    # The unit whose readers panel is open.
    panel_unit_id: str = ""
    panel_serial: str = ""
    panel_readers: list[dict[str, str]] = []
    # The reader of the panel's unit whose right waits for "Revoke" to be confirmed ("" = none).
    revoke_email: str = ""

    @rx.var(cache=True)
    def revoke_question(self) -> str:
        return translate("keys.dialog.revoke_reader_description", self.language) + " " + self.revoke_email

    def _selection_or_error(self) -> list[int]:
        ids = sorted(self._selected_ids)
        if not ids:
            self.errors = {"form": translate("keys.dialog.nothing_selected", self.language)}
        return ids

    async def _after_change(self, caller, message: str):
        self._close_dialog()
        await self._reload(caller)
        return rx.toast.success(message)

    @rx.event
    async def assign(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="assign")
        ids = self._selection_or_error()
        if not ids:
            return None
        email, language = form_text(form, "email"), self.language

        def work() -> AssignOutcome:
            with session_scope() as db:
                return assign_read_rights(db, caller, ids, email, language=language)

        done = await run_form(self, work, passes=REAUTHENTICATION_FLOW)
        if not done.ok or done.value is None:
            return None
        outcome = done.value
        message = assigned_text(email, outcome, language)
        if not outcome.assigned:
            # Nothing changed: said as information, not as a success.
            self._close_dialog()
            return rx.toast.info(message)
        return await self._after_change(caller, message)

    @rx.event
    async def revoke_selected(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="revoke_selected")
        ids = self._selection_or_error()
        if not ids:
            return None
        email, language = form_text(form, "email"), self.language

        def work() -> int:
            with session_scope() as db:
                return revoke_read_rights(db, caller, ids, email)

        done = await run_form(self, work, passes=REAUTHENTICATION_FLOW)
        if not done.ok:
            return None
        if not done.value:
            self.errors = {"email": translate("keys.dialog.revoked_none", language, email=email.strip())}
            return None
        return await self._after_change(caller, _revoked_text(email, done.value, language))

    @rx.event
    async def revoke_everywhere(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="revoke_everywhere")
        email, language = form_text(form, "email"), self.language

        def work() -> int:
            with session_scope() as db:
                return revoke_reader(db, caller, email)

        done = await run_form(self, work, passes=REAUTHENTICATION_FLOW)
        if not done.ok:
            return None
        if not done.value:
            self.errors = {
                "email": translate("keys.dialog.revoked_none_everywhere", language, email=email.strip())
            }
            return None
        return await self._after_change(caller, _revoked_text(email, done.value, language))

    # ------------------------------------------------------------ one unit's readers panel

    def _panel_unit(self) -> int | None:
        return int_or_none(self.panel_unit_id)

    async def _load_readers(self, caller, unit_id: int) -> None:
        def work() -> list[ReaderRow]:
            with session_scope() as db:
                return readers_of(db, caller, unit_id)

        readers = (await run_form(self, work, passes=REAUTHENTICATION_FLOW)).value or []
        self.panel_readers = [
            {
                "email": reader.email,
                "name": reader.name,
                "granted": format_local_time(reader.granted_at, self.language),
                "registered": "1" if reader.registered else "",
            }
            for reader in readers
        ]

    @rx.event
    async def open_panel(self, unit_id: str):
        caller = await self._checked(Role.DISTRIBUTOR, handler="open_panel")
        listed = {row["id"]: row["serial"] for row in self.rows}
        if unit_id not in listed:
            return
        self.errors = {}
        self.panel_unit_id, self.panel_serial = unit_id, listed[unit_id]
        self.panel_readers = []
        self.reauth_open, self.pending_reveal, self.revoke_email = False, "", ""
        self.open_question = ""
        self.open_dialog = READERS
        await self._load_readers(caller, int(unit_id))

    def _dialog_closed(self) -> None:
        super()._dialog_closed()
        self.revoke_email = ""

    @rx.event
    async def ask_revoke_unit_reader(self, email: str) -> None:
        """A reader's "Revoke" in the panel: ask first (one click never takes a right away)."""
        await self._checked(Role.DISTRIBUTOR, handler="ask_revoke_unit_reader")
        if email in {reader["email"] for reader in self.panel_readers}:
            self.revoke_email = email
            self._ask_question(REVOKE_QUESTION)

    def _question_closed(self, name: str):  # type: ignore[no-untyped-def]
        """Cancel or Escape: nothing revoked, and the focus goes back to the reader's "Revoke"."""
        email, self.revoke_email = self.revoke_email, ""
        return focus_element(revoke_button_id(email)) if email else None

    @rx.event
    async def revoke_unit_reader(self, form: dict):
        """The confirmation's "Revoke": the right of ``revoke_email`` on the panel's unit."""
        caller = await self._checked(Role.DISTRIBUTOR, handler="revoke_unit_reader")
        unit_id, email = self._panel_unit(), self.revoke_email
        if unit_id is None or not email:
            return None

        def work() -> int:
            with session_scope() as db:
                return revoke_read_rights(db, caller, [unit_id], email)

        done = await run_form(self, work, passes=REAUTHENTICATION_FLOW)
        if not done.ok:
            return None
        self.revoke_email = ""
        self._close_question()
        await self._load_readers(caller, unit_id)
        await self._reload(caller)
        # The reader's row (and its button) is gone: the focus goes to the panel's "Close".
        focus = focus_element(READERS_PANEL_CLOSE)
        if not done.value:
            return [focus, rx.toast.info(translate("keys.dialog.revoked_none", self.language, email=email))]
        return [focus, rx.toast.success(_revoked_text(email, done.value, self.language))]

    @rx.event
    async def show_unit_key(self):
        caller = await self._checked(Role.DISTRIBUTOR, handler="show_unit_key")
        unit_id = self._panel_unit()
        if unit_id is None:
            return None

        return await self._reveal_asked(caller, unit_id)

    async def _reveal_asked(self, caller, unit_id: int):  # type: ignore[no-untyped-def]
        if self._panel_unit() != unit_id:  # the panel moved on meanwhile
            return None
        return await self._reveal(caller, unit_id, UNIT_KEY_ELEMENT)
