"""The installer's notification form: save, copy the owner, send, notes, delete, fetch installation data.

The form is uncontrolled; its values live on the server (``values``, no personal numbers) and the
page renders them as default values under ``form_key``, which changes after every update so the
fields take the new values. Personal and organisation numbers are write-only: read from the
submitted form, sealed by the service, never kept in a var.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.config import get_config

from app import routes
from app.config import settings
from app.db import session_scope
from app.i18n import translate
from app.models import NotificationStatus, Role
from app.services.installer import notifications as service
from app.services.installer.api_tokens import portal_api_token
from app.services.installer.form_fields import ID_NUMBER_FIELDS, TEXT_FIELDS, missing_fields
from app.services.installer.identifiers import is_valid_ean18
from app.services.installer.installation_client import COMPLETED, fetch_installation
from app.services.installer.installation_data import is_empty_for_fetch
from app.services.installer.statuses import DELETABLE_STATUSES, EDITABLE_STATUSES
from app.services.installer.transitions import add_note
from app.states.form import form_text, run_form
from app.states.installer.notification_view import NotificationView
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


class NotificationFormState(NotificationView, SessionState):
    version: int = 0
    editing: bool = False
    send_open: bool = False
    fetch_open: bool = False
    fetch_status_code: str = ""
    fetch_status_text: str = ""
    overwrite_default: str = "yes"
    # What the last look-up returned, applied by "Update and close"; never sent to the browser.
    _fetched: dict[str, str] = {}
    _fetch_overwrite: bool = True

    @rx.var(cache=True)
    def form_key(self) -> str:
        return f"notification-{self.notification_id}-{self.version}"

    @rx.var(cache=True)
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @rx.var(cache=True)
    def deletable(self) -> bool:
        return self.status in DELETABLE_STATUSES

    def _show(self, db, row) -> None:  # type: ignore[no-untyped-def]
        self._show_notification(db, row)
        self.version = row.version
        self.overwrite_default = "yes" if is_empty_for_fetch(row) else "no"

    def _load_row(self, handler: str) -> None:
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler=handler, db=db)
            row = service.installer_notification(db, caller, self.notification_id)
            self._show(db, row)

    @rx.event
    def load(self) -> None:
        self.errors = {}
        self.send_open = False
        self.fetch_open = False
        self.notification_id = 0
        self.values = {}
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler="load", db=db)
            row = service.installer_notification(db, caller, self._id_from_url())
            self._show(db, row)
        # A draft opens for editing; one returned for changes opens read-only until "Edit".
        self.editing = self.status == NotificationStatus.NOT_SENT

    @rx.event
    def edit(self) -> None:
        self._require(Role.INSTALLER, handler="edit")
        self.editing = self.status in EDITABLE_STATUSES

    @rx.event
    async def submit_form(self, form: dict):
        """Save; then, by the button that submitted, copy the owner or ask whether to send."""
        intent = form_text(form, "intent")
        notification_id = self.notification_id
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler="submit_form", db=db)
            # Refused here, not as a field error: the app's handler answers a foreign notification.
            service.installer_notification(db, caller, notification_id)
        values = {name: form_text(form, name) for name in TEXT_FIELDS if name in (form or {})}
        numbers = {name: form_text(form, name) for name in ID_NUMBER_FIELDS}

        def save() -> None:
            with session_scope() as db:
                service.save_notification(db, caller, notification_id, values, numbers)
                if intent == "copy_owner":
                    service.copy_owner_to_billing(db, caller, notification_id)

        if not (await run_form(self, save)).ok:
            return rx.toast.error(translate("form.invalid", self.language))
        self._load_row("submit_form")
        if intent == "send":
            # Mandatory fields first: "Send now?" is asked only of a notification that can be sent.
            with session_scope() as db:
                missing = missing_fields(service.installer_notification(db, caller, notification_id))
            if missing:
                return self._refuse_missing(missing)
            self.send_open = True
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
    def cancel_send(self) -> None:
        self._require(Role.INSTALLER, handler="cancel_send")
        self.send_open = False

    @rx.event
    def confirm_send(self):
        self.send_open = False
        try:
            with session_scope() as db:
                caller = self._require(Role.INSTALLER, handler="confirm_send", db=db)
                service.send_notification(db, caller, self.notification_id)
        except service.MissingFields as missing:
            return self._refuse_missing(missing.fields)
        self.errors = {}
        self._load_row("confirm_send")
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
        self._load_row("add_note")
        return rx.toast.success(translate("installer.note_added", self.language))

    @rx.event
    def delete(self, _form: dict | None = None):
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler="delete", db=db)
            service.delete_notification(db, caller, self.notification_id)
        self.notification_id = 0
        return [
            rx.toast.success(translate("installer.deleted", self.language)),
            rx.redirect(routes.INSTALLER_HOME),
        ]

    @rx.event
    def set_fetch_open(self, is_open: bool) -> None:
        self._require(Role.INSTALLER, handler="set_fetch_open")
        self.fetch_open = is_open
        if is_open:
            self.fetch_status_code = ""
            self.fetch_status_text = ""
            self._fetched = {}
            self.errors = {}

    @rx.event
    async def fetch(self, form: dict):
        meter, ean = form_text(form, "fetch_meter").strip(), form_text(form, "fetch_ean").strip()
        overwrite = form_text(form, "overwrite") != "no"
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler="fetch", db=db)
            row = service.installer_notification(db, caller, self.notification_id)
            grid_company_id = row.grid_company_id
            token = portal_api_token(db, row.installer_firm_id)
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
        self._fetch_overwrite = overwrite

    @rx.event
    def apply_fetched(self):
        self._require(Role.INSTALLER, handler="apply_fetched")
        if not self._fetched:
            self.errors = {"fetch": translate("installer.fetch_nothing", self.language)}
            return None
        with session_scope() as db:
            caller = self._require(Role.INSTALLER, handler="apply_fetched", db=db)
            service.apply_fetched_data(
                db, caller, self.notification_id, self._fetched, overwrite=self._fetch_overwrite
            )
        self._fetched = {}
        self.fetch_open = False
        self._load_row("apply_fetched")
        return rx.toast.success(translate("installer.data_applied", self.language))
