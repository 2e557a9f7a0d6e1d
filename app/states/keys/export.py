"""Export of the selected keys, a key shown, and the password asked again when the last sign-in
is old (or the session has shown many keys).

The file goes straight to the browser as a download, a shown key into the page by a script (never
a state var). When the service answers ``ReauthenticationRequired`` the page asks for the password
(an uncontrolled field, read from the submitted form) and the export, or the reveal, is retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import reflex as rx

from app.db import session_scope
from app.i18n import translate
from app.models import Role
from app.services.caller import Caller
from app.services.keys.exports import (
    ExportFile,
    ExportFormat,
    ReauthenticationRequired,
    export_keys,
)
from app.services.keys.exports import (
    reauthenticate as confirm_password,
)
from app.states.dialog import DialogState
from app.states.form import form_text, run_form
from app.states.keys.calls import REAUTHENTICATION_FLOW, reveal_key
from app.states.keys.unit_list import KeyListState

EXPORT_FORMATS = tuple(fmt.value for fmt in ExportFormat)


class ExportFlow(rx.State, mixin=True):
    """What the distributor's and the key reader's export and reveal share: hand out key material,
    or ask the password first.

    Mixed, with ``DialogState``, into a state that has ``errors``, ``language`` and ``LISTER`` (the
    role that exports); ``_export_ids`` names the units to export, ``_reveal_asked`` shows one unit's
    key. Its dialogs: "export" and "reauth" (the password), unless the dialog that is open asks for
    the password inside itself (``ASKS_PASSWORD_INSIDE``: a second modal on top would fight for focus).
    """

    if TYPE_CHECKING:  # the state's own vars, and DialogState's
        errors: dict[str, str]
        language: str
        LISTER: ClassVar[Role]
        open_dialog: str

        def _close_dialog(self) -> None: ...

    ASKS_PASSWORD_INSIDE: ClassVar[frozenset[str]] = frozenset()
    # The password is asked (in the "reauth" dialog or inside the open one).
    reauth_open: bool = False
    # The format chosen before the password was asked for (not secret: csv, worker_json...).
    pending_format: str = ""
    # The unit whose key was asked for before the password (its id only).
    pending_reveal: str = ""

    def _export_ids(self) -> list[int]:
        raise NotImplementedError

    async def _reveal_asked(self, caller: Caller, unit_id: int):  # type: ignore[no-untyped-def]
        """Show the unit's key where this page shows it (through ``_reveal``)."""
        raise NotImplementedError

    def _ask_password(self) -> None:
        self.errors = {}
        self.reauth_open = True
        if self.open_dialog not in self.ASKS_PASSWORD_INSIDE:
            self.open_dialog = "reauth"

    def _dialog_closed(self) -> None:
        self.reauth_open = False
        self.pending_format = self.pending_reveal = ""

    async def _reveal(self, caller: Caller, unit_id: int, element_id: str):  # type: ignore[no-untyped-def]
        """The key written into ``element_id``; None (and the password asked) when the service
        wants it again first."""
        try:
            revealed = await reveal_key(self, caller, unit_id, element_id)  # type: ignore[arg-type]
        except ReauthenticationRequired:
            self._ask_password()
            self.pending_reveal, self.pending_format = str(unit_id), ""
            return None
        if revealed is not None:
            self.reauth_open = False
            self.pending_reveal = ""
            if self.open_dialog == "reauth":
                self._close_dialog()
        return revealed

    async def _export(self, caller: Caller, fmt_value: str):
        if fmt_value not in EXPORT_FORMATS:
            self.errors = {"format": translate("keys.dialog.export.choose_format", self.language)}
            return None
        ids = self._export_ids()
        if not ids:
            self.errors = {"form": translate("keys.dialog.nothing_selected", self.language)}
            return None
        fmt = ExportFormat(fmt_value)

        def work() -> ExportFile:
            with session_scope() as db:
                return export_keys(db, caller, ids, fmt)

        try:
            done = await run_form(self, work, passes=REAUTHENTICATION_FLOW)
        except ReauthenticationRequired:
            self._ask_password()
            self.pending_format, self.pending_reveal = fmt_value, ""
            return None
        if not done.ok or done.value is None:
            return None
        exported = done.value
        self._close_dialog()
        return [
            rx.download(data=exported.content, filename=exported.filename, mime_type=exported.media_type),
            rx.toast.success(translate("keys.dialog.export.done", self.language, filename=exported.filename)),
        ]

    @rx.event
    async def reauthenticate(self, form: dict):
        """The password again (the sign-in is old), then the reveal or export asked for before."""
        caller = await self._checked(self.LISTER, handler="reauthenticate")  # type: ignore[attr-defined]
        password = form_text(form, "password")

        def work() -> None:
            with session_scope() as db:
                confirm_password(db, caller, password)

        if not (await run_form(self, work, passes=REAUTHENTICATION_FLOW)).ok:  # type: ignore[arg-type]
            return None
        if self.pending_reveal:
            return await self._reveal_asked(caller, int(self.pending_reveal))
        return await self._export(caller, self.pending_format)


class KeyExportState(ExportFlow, DialogState, KeyListState):
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.DISTRIBUTOR,)
    errors: dict[str, str] = {}

    def _export_ids(self) -> list[int]:
        return sorted(self._selected_ids)

    @rx.event
    async def export(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="export")
        return await self._export(caller, form_text(form, "format"))
