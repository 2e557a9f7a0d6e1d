"""Every state with dialogs opens and closes them the same way, and only for its own role."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil

import pytest

from app.models import Role
from app.services.errors import AccessDenied
from app.states.customer.overview import CustomerState
from app.states.customer.sharing import SharingState
from app.states.dialog import DialogState
from app.states.han.customer import HanCustomerState
from app.states.han.staff import HanOrderState
from app.states.installer.notification_form import NotificationFormState
from app.states.keys.export import KeyExportState
from app.states.keys.read_rights import ReadRightsState
from app.states.keys.reader import KeyReaderState
from app.states.keys.transfers import TransferActivitiesState, TransferDialogsState
from app.states.staff.customers import StaffCustomerState
from app.states.staff.grid_settings import GridSettingsState
from app.states.staff.notifications import StaffNotificationState
from tests.handler_callers import session_token, state_as

DIALOG_STATES = [
    CustomerState,
    HanCustomerState,
    HanOrderState,
    NotificationFormState,
    StaffNotificationState,
    ReadRightsState,
    KeyExportState,
    KeyReaderState,
    GridSettingsState,
    StaffCustomerState,
    SharingState,
    TransferDialogsState,
    TransferActivitiesState,
]


def test_every_state_with_dialogs_is_listed_here():
    def subclasses(cls: type) -> set[type]:
        found = set()
        for sub in cls.__subclasses__():
            found |= {sub} | subclasses(sub)
        return found

    import app.states

    # Every state module (not the pages: the browser tests' app must import those first).
    for module in pkgutil.walk_packages(app.states.__path__, "app.states."):
        importlib.import_module(module.name)
    with_dialogs = {cls for cls in subclasses(DialogState) if cls.DIALOG_ROLES}
    assert with_dialogs <= set(DIALOG_STATES)
    assert all(cls.DIALOG_ROLES for cls in DIALOG_STATES)


@pytest.mark.parametrize("state_class", DIALOG_STATES, ids=lambda cls: cls.__name__)
def test_opening_clears_the_errors_and_closing_closes(app_database_url, state_class):
    state = state_as(state_class, session_token(state_class.DIALOG_ROLES[0]))
    state.errors = {"form": "an earlier error"}
    asyncio.run(state_class.show_dialog.fn(state, "note"))
    assert state.open_dialog == "note" and state.errors == {}
    state.errors = {"note": "required"}
    # Radix never opens one; only show_dialog does
    asyncio.run(state_class.dialog_open_change.fn(state, True))
    assert state.open_dialog == "note"
    asyncio.run(state_class.dialog_open_change.fn(state, False))  # Escape, Cancel, a click outside
    assert state.open_dialog == "" and state.errors == {}
    asyncio.run(state_class.show_dialog.fn(state, "x" * 500))  # a browser may send anything
    assert state.open_dialog == ""


@pytest.mark.parametrize("state_class", DIALOG_STATES, ids=lambda cls: cls.__name__)
def test_another_role_or_no_session_is_refused(app_database_url, state_class):
    other = next(role for role in (Role.CUSTOMER, Role.INSTALLER) if role not in state_class.DIALOG_ROLES)
    for token in (session_token(other), ""):
        state = state_as(state_class, token)
        with pytest.raises(AccessDenied):
            asyncio.run(state_class.show_dialog.fn(state, "note"))
        with pytest.raises(AccessDenied):
            asyncio.run(state_class.dialog_open_change.fn(state, False))
        assert state.open_dialog == ""


@pytest.mark.parametrize("state_class", DIALOG_STATES, ids=lambda cls: cls.__name__)
def test_a_question_on_top_closes_and_leaves_its_dialog_open(app_database_url, state_class):
    state = state_as(state_class, session_token(state_class.DIALOG_ROLES[0]))
    asyncio.run(state_class.show_dialog.fn(state, "readers"))
    state._ask_question("revoke-reader")
    state.errors = {"form": "an earlier error"}
    asyncio.run(state_class.question_open_change.fn(state, True))  # Radix never opens one
    assert state.open_question == "revoke-reader"
    asyncio.run(state_class.question_open_change.fn(state, False))  # Escape, Cancel
    assert state.open_question == "" and state.open_dialog == "readers" and state.errors == {}
    state._ask_question("revoke-reader")
    # the dialog beneath closes: its question too
    asyncio.run(state_class.dialog_open_change.fn(state, False))
    assert state.open_question == "" and state.open_dialog == ""
    with pytest.raises(AccessDenied):
        asyncio.run(state_class.question_open_change.fn(state_as(state_class, ""), False))
