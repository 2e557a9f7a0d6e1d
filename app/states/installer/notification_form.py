"""The installer's notification form: save, copy the owner, send, notes, delete, fetch installation data.

The form is uncontrolled; its values live on the server (``values``, no personal numbers) and the
page renders them as default values under ``form_key``, which changes after every update so the
fields take the new values. Personal and organisation numbers are write-only: read from the
submitted form, sealed by the service, never kept in a var.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx
from reflex.config import get_config
from sqlmodel import Session

from app import routes
from app.config import settings
from app.db import session_scope
from app.i18n import translate
from app.models import NotificationStatus, Role
from app.services.caller import Caller
from app.services.installer import notifications as service
from app.services.installer.api_tokens import portal_api_token
from app.services.installer.form_fields import ID_NUMBER_FIELDS, TEXT_FIELDS, missing_fields
from app.services.installer.identifiers import is_valid_ean18
from app.services.installer.installation_client import COMPLETED, fetch_installation
from app.services.installer.installation_data import is_empty_for_fetch
from app.services.installer.statuses import DELETABLE_STATUSES, EDITABLE_STATUSES
from app.services.installer.transitions import add_note
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_text, run_form
from app.states.installer.notification_view import NotificationView, ShownNotification, read_notification
from app.states.session import SessionState


def field_label(name: str, language: str) -> str:
    """A form field's label as the page shows it: party fields carry their section's name."""
    for party in ("owner", "billing"):
        if name.startswith(f"{party}_"):
            return (
                translate(f"installer.section.{party}", language)
                + ": "
                + translate(f"installer.field.{name.removeprefix(party + '_')}", language)
            )
    return translate(f"installer.field.{name}", language)


def installation_api_base() -> str:
    """INSTALLATION_API_URL, or this app's own backend, which serves the API."""
    return settings.installation_api_url or get_config().api_url


class NotificationFormState(DialogState, NotificationView, SessionState):
    """Its dialogs: "send" (Send now?), "note", "delete", "fetch" (installation data)."""

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.INSTALLER,)
    version: int = 0
    editing: bool = False
    fetch_status_code: str = ""
    fetch_status_text: str = ""
    overwrite_default: str = "yes"
    # What the last look-up returned, applied by "Update and close"; never sent to the browser.
    _fetched: dict[str, str] = {}

    @rx.var(cache=True)
    def form_key(self) -> str:
        return f"notification-{self.notification_id}-{self.version}"

    @rx.var(cache=True)
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @rx.var(cache=True)
    def deletable(self) -> bool:
        return self.status in DELETABLE_STATUSES

    async def _load_row(self, handler: str, notification_id: int | None = None) -> None:
        """The notification (this one, or ``notification_id``) read off the event loop, then shown."""
        wanted, language = self.notification_id if notification_id is None else notification_id, self.language

        def read(db: Session) -> tuple[ShownNotification, int, bool]:
            caller = self._require(Role.INSTALLER, handler=handler, db=db)
            row = service.installer_notification(db, caller, wanted)
            return read_notification(db, row, language), row.version, is_empty_for_fetch(row)

        shown, version, empty = await read_in_thread(read)
        self._put_notification(shown)
        self.version = version
        self.overwrite_default = "yes" if empty else "no"

    @rx.event
    async def load(self) -> None:
        self.errors = {}
        self.open_dialog = ""
        self.notification_id = 0
        self.values = {}
        await self._load_row("load", self._id_from_url())
        # A draft opens for editing; one returned for changes opens read-only until "Edit".
        self.editing = self.status == NotificationStatus.NOT_SENT

    @rx.event
    async def edit(self) -> None:
        await self._checked(Role.INSTALLER, handler="edit")
        self.editing = self.status in EDITABLE_STATUSES

    @rx.event
    async def submit_form(self, form: dict):
        """Save; then, by the button that submitted, copy the owner or ask whether to send.

        Send asks only when nothing mandatory is missing; Save on a draft always asks (OK then
        lists what is missing).
        """
        intent = form_text(form, "intent")
        notification_id = self.notification_id

        def check(db: Session) -> Caller:
            caller = self._require(Role.INSTALLER, handler="submit_form", db=db)
            # Refused here, not as a field error: the app's handler answers a foreign notification.
            service.installer_notification(db, caller, notification_id)
            return caller

        caller = await read_in_thread(check)
        values = {name: form_text(form, name) for name in TEXT_FIELDS if name in (form or {})}
        numbers = {name: form_text(form, name) for name in ID_NUMBER_FIELDS}

        # "Overwrite?" as it is ticked when "Update and close" is pressed (its radios submit with the form).
        fetched, overwrite = self._fetched, form_text(form, "overwrite") != "no"
        if intent == "apply_fetched" and not fetched:
            self.errors = {"fetch": translate("installer.fetch_nothing", self.language)}
            return None

        def save() -> None:
            with session_scope() as db:
                service.save_notification(db, caller, notification_id, values, numbers)
                if intent == "copy_owner":
                    service.copy_owner_to_billing(db, caller, notification_id)
                elif intent == "apply_fetched":
                    # What is on screen was saved just above: "No" fills only what is empty there.
                    service.apply_fetched_data(db, caller, notification_id, fetched, overwrite=overwrite)

        if not (await run_form(self, save)).ok:
            self.open_dialog = ""  # the fields to correct are behind the dialog
            return rx.toast.error(translate("form.invalid", self.language))
        await self._load_row("submit_form")
        if intent == "apply_fetched":
            self._fetched = {}
            self._close_dialog()
            return rx.toast.success(translate("installer.data_applied", self.language))
        if intent == "save" and self.status == NotificationStatus.NOT_SENT:
            # Elsmart's "Spara" on a draft asks whether to send it now (OK sends, Cancel keeps it a draft).
            self.open_dialog = "send"
            return rx.toast.success(translate("installer.saved", self.language))
        if intent == "send":
            # Mandatory fields first: "Send now?" is asked only of a notification that can be sent.
            missing = await read_in_thread(
                lambda db: missing_fields(service.installer_notification(db, caller, notification_id))
            )
            if missing:
                return self._refuse_missing(missing)
            self.open_dialog = "send"
            return None
        key = "installer.owner_copied" if intent == "copy_owner" else "installer.saved"
        return rx.toast.success(translate(key, self.language))

    def _refuse_missing(self, fields: list[str]):  # type: ignore[no-untyped-def]
        """Each empty mandatory field marked, and the list of them above the form."""
        message = translate("installer.required", self.language)
        self.errors = {name: message for name in fields}
        labels = ", ".join(field_label(name, self.language) for name in fields)
        self.errors["form"] = (
            translate("installer.send_missing", self.language)
            + " "
            + translate("installer.missing_list", self.language, fields=labels)
        )
        return rx.toast.error(translate("installer.send_missing", self.language))

    @rx.event
    async def confirm_send(self, _form: dict | None = None):
        self._close_dialog()
        notification_id = self.notification_id

        def send(db: Session) -> None:
            caller = self._require(Role.INSTALLER, handler="confirm_send", db=db)
            service.send_notification(db, caller, notification_id)

        try:
            await read_in_thread(send)
        except service.MissingFields as missing:
            return self._refuse_missing(missing.fields)
        self.errors = {}
        await self._load_row("confirm_send")
        self.editing = False
        return rx.toast.success(translate("installer.sent", self.language))

    @rx.event
    async def add_note(self, form: dict):
        def work() -> None:
            with session_scope() as db:
                caller = self._require(Role.INSTALLER, handler="add_note", db=db)
                row = service.installer_notification(db, caller, self.notification_id)
                add_note(db, caller, row, form_text(form, "note"))

        if not (await run_form(self, work)).ok:
            return None
        self._close_dialog()
        await self._load_row("add_note")
        return rx.toast.success(translate("installer.note_added", self.language))

    @rx.event
    async def delete(self, _form: dict | None = None):
        notification_id = self.notification_id

        def delete(db: Session) -> None:
            caller = self._require(Role.INSTALLER, handler="delete", db=db)
            service.delete_notification(db, caller, notification_id)

        await read_in_thread(delete)
        self.notification_id = 0
        self._close_dialog()
        return [
            rx.toast.success(translate("installer.deleted", self.language)),
            rx.redirect(routes.INSTALLER_HOME),
        ]

    def _dialog_opened(self, name: str) -> None:
        if name == "fetch":
            self.fetch_status_code = ""
            self.fetch_status_text = ""
            self._fetched = {}

    @rx.event
    async def fetch(self, form: dict):
        meter, ean = form_text(form, "fetch_meter").strip(), form_text(form, "fetch_ean").strip()
        notification_id = self.notification_id

        def read(db: Session) -> tuple[int, str]:
            caller = self._require(Role.INSTALLER, handler="fetch", db=db)
            row = service.installer_notification(db, caller, notification_id)
            return row.grid_company_id, portal_api_token(db, row.installer_firm_id)

        grid_company_id, token = await read_in_thread(read)
        if bool(meter) == bool(ean):
            self.errors = {"fetch": translate("installer.fetch_give_one", self.language)}
            return
        if ean and not is_valid_ean18(ean):
            self.errors = {"fetch_ean": translate("installer.invalid_ean", self.language)}
            return
        self.errors = {}
        result = await asyncio.to_thread(
            fetch_installation,
            installation_api_base(),
            token,
            meter=meter,
            ean=ean,
            grid_company_id=grid_company_id,
            language=self.language,
        )
        self.fetch_status_code = str(result.status_code)
        self.fetch_status_text = result.status_text
        self._fetched = dict(result.data) if result.status_code == COMPLETED else {}
