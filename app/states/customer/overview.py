"""Min side for a signed-in customer: overview, relationships, profile."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.i18n.times import format_local_date
from app.models import Role
from app.services.caller import Caller
from app.services.customer.accounts import (
    account_profile,
    change_password,
    create_account_on_this_device,
    delete_account,
)
from app.services.customer.relationships import (
    customer_overview,
    leave_ended_share,
    link_relationship,
    list_relationships,
    relationship_needs_linking,
    switch_relationship,
    unlink_relationship,
)
from app.services.customer.sharing import give_back, record_shared_view
from app.services.errors import AccessDenied
from app.states.customer.login import CustomerLoginState
from app.states.customer.overview_text import overview_fields
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import run_form
from app.states.session import SessionState


class CustomerState(DialogState, SessionState):
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.CUSTOMER,)
    overview: dict[str, str] = {}
    relationships: list[dict[str, str]] = []
    needs_linking: bool = False
    has_account: bool = False
    masked_mobile: str = ""
    errors: dict[str, str] = {}
    loaded: bool = False
    # The first name of who shared the current relationship with this person ("": their own).
    shared_by: str = ""
    shared_note: str = ""
    may_see_consumption: bool = True

    async def _refresh(self, principal: Caller, *, profile_page: bool = False) -> None:
        """The page's data; the profile page's is its owner's alone (``sharing.not_shared`` on a
        relationship shared with the caller)."""

        def read(db: Session):  # type: ignore[no-untyped-def]
            overview = customer_overview(db, principal)
            relationships = list_relationships(db, principal)
            needs_linking = relationship_needs_linking(db, principal)
            shared = bool(overview.shared_by)
            profile = account_profile(db, principal) if profile_page or not shared else None
            record_shared_view(db, principal)
            return overview, relationships, needs_linking, shared, profile

        overview, relationships, needs_linking, shared, profile = await read_in_thread(read)
        self.overview = overview_fields(overview, self.language)
        self.relationships = [
            {
                "id": str(item.relationship_id),
                "label": f"{item.address}, {item.city}",
                "installation_number": item.installation_number,
                "current": "yes" if item.is_current else "",
                "linked": "yes" if item.is_linked else "",
                "shared": (
                    translate(
                        "sharing.shared_until",
                        self.language,
                        name=item.shared_by,
                        date=format_local_date(item.shared_until, self.language),
                    )
                    if item.is_shared
                    else ""
                ),
            }
            for item in relationships
        ]
        self.needs_linking = needs_linking
        self.shared_by = overview.shared_by
        self.shared_note = (
            translate("sharing.shared_note", self.language, name=overview.shared_by) if shared else ""
        )
        self.may_see_consumption = overview.may_see_consumption
        self.has_account = profile.has_account if profile else False
        self.masked_mobile = (profile.masked_mobile or "") if profile else ""
        if not shared:
            self.display_name = overview.name
        self.loaded = True

    async def _load(self, handler: str, *, profile_page: bool = False):
        self.open_dialog = ""
        principal = await self._checked(Role.CUSTOMER, handler=handler)
        try:
            await self._refresh(principal, profile_page=profile_page)
            return None
        except AccessDenied as denied:
            if denied.key != "sharing.access_ended":
                raise
        # The relationship shared with this person is gone: on to one they still see, or out.
        moved = await read_in_thread(lambda db: leave_ended_share(db, principal))
        message = rx.toast.error(translate("sharing.access_ended", self.language))
        if moved is None:
            return [message, SessionState.sign_out]
        await self._refresh(moved, profile_page=profile_page)
        return message

    @rx.event
    async def load(self):
        return await self._load("load")

    @rx.event
    async def load_profile(self):
        """The profile page: its owner's alone, refused on a relationship shared with them."""
        return await self._load("load_profile", profile_page=True)

    @rx.event
    async def give_back_access(self):
        """The person a relationship was shared with gives it back; on to what they still see."""
        principal = await self._checked(Role.CUSTOMER, handler="give_back_access")
        moved = await read_in_thread(lambda db: give_back(db, principal))
        message = rx.toast.success(translate("sharing.given_back", self.language))
        if moved is None:
            return [message, SessionState.sign_out]
        await self._refresh(moved)
        return message

    @rx.event
    async def switch_to(self, relationship_id: str):
        principal = await self._checked(Role.CUSTOMER, handler="switch_to")
        principal = await read_in_thread(lambda db: switch_relationship(db, principal, int(relationship_id)))
        await self._refresh(principal)
        return rx.toast.success(translate("customer.switched", self.language))

    @rx.event
    async def link_current(self):
        principal = await self._checked(Role.CUSTOMER, handler="link_current")
        await read_in_thread(lambda db: link_relationship(db, principal))
        await self._refresh(principal)
        return rx.toast.success(translate("customer.linked", self.language))

    @rx.event
    async def unlink(self, relationship_id: str):
        principal = await self._checked(Role.CUSTOMER, handler="unlink")
        await read_in_thread(lambda db: unlink_relationship(db, principal, int(relationship_id)))
        await self._refresh(principal)

    @staticmethod
    def _typed(form: dict | None, name: str) -> str:
        """A password field of the submitted form: passwords are never state vars."""
        return str((form or {}).get(name) or "")

    # Handlers that hash a password are async and hash in a worker thread: argon2 takes about
    # 0.4 s and 64 MiB, and on the event loop it would stall every user of this backend worker.

    @rx.event
    async def submit_create_account(self, form: dict | None = None):
        principal = await self._checked(Role.CUSTOMER, handler="submit_create_account")
        password, again = self._typed(form, "new_password"), self._typed(form, "new_password_again")
        address = self._client_address()

        def create():
            with session_scope() as db:
                return create_account_on_this_device(db, principal, password, again, client_address=address)

        done = await run_form(self, create)
        if not done.ok or done.value is None:
            return None
        principal, device_token = done.value
        # This browser proved the mobile by SMS: the next password sign-in here needs no code.
        (await self.get_state(CustomerLoginState)).device_token = device_token
        self.errors = {}
        await self._refresh(principal)
        return rx.toast.success(translate("customer.account_created", self.language))

    @rx.event
    async def submit_change_password(self, form: dict | None = None):
        principal = await self._checked(Role.CUSTOMER, handler="submit_change_password")
        current = self._typed(form, "current_password")
        new, again = self._typed(form, "new_password"), self._typed(form, "new_password_again")
        address = self._client_address()

        def change():
            with session_scope() as db:
                change_password(db, principal, current, new, again, client_address=address)

        if not (await run_form(self, change)).ok:
            return None
        return rx.toast.success(translate("customer.password_changed", self.language))

    @rx.event
    async def confirm_delete_account(self, form: dict | None = None):
        """Deleting the account asks for its password (an SMS code alone is not enough)."""
        principal = await self._checked(Role.CUSTOMER, handler="confirm_delete_account")
        password = self._typed(form, "password")
        address = self._client_address()

        def delete():
            with session_scope() as db:
                delete_account(db, principal, password, client_address=address)

        if not (await run_form(self, delete)).ok:
            return None
        language = self.language
        await self._forget_the_tab()
        return [
            rx.toast.info(translate("customer.account_deleted", language)),
            rx.redirect(routes.HOME),
        ]
