"""Export of the selected keys, and the password asked again when the last sign-in is old.

The file goes straight to the browser as a download (never a state var). When the service
answers ``ReauthenticationRequired`` a dialog asks for the password (an uncontrolled field,
read from the submitted form) and the export is retried with the format chosen before.
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
from app.states.dialog import DialogState
from app.states.form import field_messages, form_text
from app.states.keys.calls import run_key_call
from app.states.keys.unit_list import KeyListState

EXPORT_FORMATS = tuple(fmt.value for fmt in ExportFormat)


class ExportFlow(rx.State, mixin=True):
    """What the distributor's and the key reader's export share: export, or ask the password first.

    Mixed, with ``DialogState``, into a state that has ``errors``, ``language`` and ``LISTER`` (the
    role that exports); ``_export_ids`` names the units to export. Its dialogs: "export", "reauth".
    """

    if TYPE_CHECKING:  # the state's own vars, and DialogState's
        errors: dict[str, str]
        language: str
        LISTER: ClassVar[Role]
        open_dialog: str

        def _close_dialog(self) -> None: ...
    # The format chosen before the password was asked for (not secret: csv, worker_json...).
    pending_format: str = ""

    def _export_ids(self) -> list[int]:
        raise NotImplementedError

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
            self.errors = {}
            self.pending_format = fmt_value
            self.open_dialog = "reauth"
            return None
        except AccessDenied:
            raise
        except DomainError as error:
            self.errors = field_messages(error, self.language)
            return None
        self._close_dialog()
        self.pending_format = ""
        return [
            rx.download(data=exported.content, filename=exported.filename, mime_type=exported.media_type),
            rx.toast.success(translate("keys.dialog.export.done", self.language, filename=exported.filename)),
        ]

    @rx.event
    async def reauthenticate(self, form: dict):
        """The password again (the sign-in is old), then the export asked for before."""
        caller = self._require(self.LISTER, handler="reauthenticate")  # type: ignore[attr-defined]
        password = form_text(form, "password")

        def work() -> None:
            with session_scope() as db:
                confirm_password(db, caller, password)

        if not (await run_key_call(self, work)).ok:  # type: ignore[arg-type]
            return None
        return await self._export(caller, self.pending_format)


class KeyExportState(ExportFlow, DialogState, KeyListState):
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.DISTRIBUTOR,)
    errors: dict[str, str] = {}

    def _export_ids(self) -> list[int]:
        return sorted(self._selected_ids)

    @rx.event
    async def export(self, form: dict):
        caller = self._require(Role.DISTRIBUTOR, handler="export")
        return await self._export(caller, form_text(form, "format"))
