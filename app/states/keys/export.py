"""Export of the selected keys, a key shown, and the password asked again when the last sign-in
is old (or the session has shown many keys).

The file goes straight to the browser as a download, a shown key into the page by a script (never
a state var). When the service answers ``ReauthenticationRequired`` the page asks for the password
(an uncontrolled field, read from the submitted form) and the export, or the reveal, is retried.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

import reflex as rx

from app.db import session_scope
from app.i18n import translate
from app.models import Role
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.keys.exports import (
    ExportFile,
    ExportFormat,
    ReauthenticationRequired,
    export_keys,
)
from app.services.keys.exports import (
    reauthenticate as confirm_password,
)
from app.states.form import field_messages, form_text
from app.states.keys.calls import reveal_key, run_key_call
from app.states.keys.unit_list import KeyListState

EXPORT_FORMATS = tuple(fmt.value for fmt in ExportFormat)


class ExportFlow(rx.State, mixin=True):
    """What the distributor's and the key reader's export and reveal share: hand out key material,
    or ask the password first.

    Mixed into a state that has ``errors``, ``language`` and ``LISTER`` (the role that exports);
    ``_export_ids`` names the units to export, ``_reveal_asked`` shows one unit's key.
    """

    if TYPE_CHECKING:  # the state's own vars
        errors: dict[str, str]
        language: str
        LISTER: ClassVar[Role]
    export_open: bool = False
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
        self.export_open = False
        self.reauth_open = True

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
            exported = await asyncio.to_thread(work)
        except ReauthenticationRequired:
            self._ask_password()
            self.pending_format, self.pending_reveal = fmt_value, ""
            return None
        except AccessDenied:
            raise
        except DomainError as error:
            self.errors = field_messages(error, self.language)
            return None
        self.errors = {}
        self.export_open = self.reauth_open = False
        self.pending_format = ""
        return [
            rx.download(data=exported.content, filename=exported.filename, mime_type=exported.media_type),
            rx.toast.success(translate("keys.dialog.export.done", self.language, filename=exported.filename)),
        ]

    @rx.event
    def set_reauth_open(self, is_open: bool) -> None:
        self._require(self.LISTER, handler="set_reauth_open")  # type: ignore[attr-defined]
        self.reauth_open = is_open
        if not is_open:
            self.errors = {}
            self.pending_format = self.pending_reveal = ""

    @rx.event
    async def reauthenticate(self, form: dict):
        """The password again (the sign-in is old), then the reveal or export asked for before."""
        caller = self._require(self.LISTER, handler="reauthenticate")  # type: ignore[attr-defined]
        password = form_text(form, "password")

        def work() -> None:
            with session_scope() as db:
                confirm_password(db, caller, password)

        if not (await run_key_call(self, work)).ok:  # type: ignore[arg-type]
            return None
        if self.pending_reveal:
            return await self._reveal_asked(caller, int(self.pending_reveal))
        return await self._export(caller, self.pending_format)


class KeyExportState(ExportFlow, KeyListState):
    errors: dict[str, str] = {}

    def _export_ids(self) -> list[int]:
        return sorted(self._selected_ids)

    @rx.event
    def open_export(self) -> None:
        self._require(Role.DISTRIBUTOR, handler="open_export")
        self.errors = {}
        self.export_open = True

    @rx.event
    def set_export_open(self, is_open: bool) -> None:
        self._require(Role.DISTRIBUTOR, handler="set_export_open")
        self.export_open = is_open
        if not is_open:
            self.errors = {}

    @rx.event
    async def export(self, form: dict):
        caller = self._require(Role.DISTRIBUTOR, handler="export")
        return await self._export(caller, form_text(form, "format"))
