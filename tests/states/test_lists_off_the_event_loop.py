"""Every list page loads without holding the event loop: its queries (and the caller's check) run
in worker threads, so the other browsers this backend worker serves keep being answered. So do the
handlers beside the lists that read or write the database: the header's refresh on every page,
the start pages, a dialog's opening (it checks the caller), the forms' loads.

Each statement is made slow (as on a loaded database) and recorded with the thread it ran on,
while a task on the same loop counts its turns: no statement runs on the loop's thread, and the
loop keeps turning while they run.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import get_engine, session_scope
from app.models import Role, User
from app.services.han.orders import place_order
from app.services.installer.notifications import create_notification, save_notification, send_notification
from app.services.keys.read_rights import assign_read_rights
from app.services.sessions import start_session
from app.services.staff import grid_settings
from app.states.accounts.admin import AdminState
from app.states.customer.invoices import InvoicesState
from app.states.customer.overview import CustomerState
from app.states.customer.sharing import SharingState
from app.states.failing_messages import FailingMessagesState
from app.states.han.staff import HanQueueState
from app.states.installer.new_notification import NewNotificationState
from app.states.installer.notification_list import InstallerListState
from app.states.keys.audit import KeyAuditState
from app.states.keys.reader import KeyReaderState
from app.states.keys.transfers import TransferActivitiesState
from app.states.keys.unit_list import KeyListState
from app.states.session import SessionState
from app.states.staff.customers import StaffCustomerSearchState
from app.states.staff.grid_settings import (
    ChangeLogState,
    FirmListState,
    GridAreaListState,
    GridSettingsState,
    JobTypeListState,
    StaffListState,
)
from app.states.staff.ingest_status import IngestState
from app.states.staff.notifications import StaffQueueState
from app.states.staff.start import StaffState
from app.states.staff.tariffs import TariffState
from tests.handler_callers import session_token, state_as
from tests.services.han.han_factories import build_han_world
from tests.services.installer.installer_factories import FODSELSNUMMER, _user, build_world, complete_values
from tests.services.keys.key_factories import add_units, organisation, signed_in

# How long each statement takes here: long enough that one on the loop would be a stall.
STATEMENT_SECONDS = 0.02


def _token(role: Role, user_id: int | None) -> str:
    with Session(get_engine()) as db:
        token = start_session(db, role, user_id=user_id)
        db.commit()
    return token


@pytest.fixture
def tokens(app_database_url) -> dict[str, str]:
    """A signed-in browser for each list's role, each with something to list."""
    suffix = uuid.uuid4().hex[:8]
    reader_email = f"reader-{suffix}@example.org"
    with session_scope() as db:
        han = build_han_world(db)
        place_order(
            db,
            han.customer,
            meter_number=han.meter_serial,
            action="open",
            delivery="pickup",
            comment="",
            confirmed=True,
            language="nb",
        )
        installer = build_world(db, suffix)
        number = create_notification(
            db,
            installer.installer,
            grid_company_id=installer.grid,
            installation_type_id=installer.installation_type,
            job_type_id=installer.job_type,
            grid_area_id=installer.area,
        )
        save_notification(
            db, installer.installer, number, complete_values(), {"owner_id_number": FODSELSNUMMER}
        )
        send_notification(db, installer.installer, number)
        org = organisation(db, f"Distributør {suffix}")
        units = add_units(db, org, 3, prefix=f"T{suffix[:5]}")
        distributor = signed_in(db, Role.DISTRIBUTOR, f"dist-{suffix}@example.org", org)
        assign_read_rights(db, distributor, units[:1], reader_email)
        reader = db.exec(select(User).where(User.email == reader_email)).one()
        # The installer's grid company has a job type, a grid area, an authorised firm; its
        # administrator adds a tariff (a row in the change log too).
        grid_admin = _user(db, f"gridadmin-{suffix}@example.no", Role.GRID_ADMIN, installer.grid)
        tomorrow = (grid_settings.local_today() + timedelta(days=1)).isoformat()
        grid_settings.add_tariff(db, grid_admin, **TARIFF, valid_from=tomorrow)
    return {
        "customer": han.customer_token,
        "grid_admin": _token(Role.GRID_ADMIN, grid_admin.user_id),
        "grid_staff_han": han.staff_token,
        "installer": _token(Role.INSTALLER, installer.installer.user_id),
        "grid_staff": _token(Role.GRID_STAFF, installer.staff.user_id),
        "admin": session_token(Role.ADMIN),
        "distributor": _token(Role.DISTRIBUTOR, distributor.user_id),
        "key_reader": _token(Role.KEY_READER, reader.id),
    }


TARIFF = {
    "fixed_monthly_kr": "125,00",
    "capacity_steps": "0: 415\n2: 590\n5: 830",
    "energy_winter_day": "0,41",
    "energy_winter_night": "0,31",
    "energy_summer_day": "0,36",
    "energy_summer_night": "0,26",
}

LISTS = [
    (HanQueueState, "grid_staff_han"),
    (InstallerListState, "installer"),
    (StaffQueueState, "grid_staff"),
    (AdminState, "admin"),
    (FailingMessagesState, "admin"),
    (KeyListState, "distributor"),
    (KeyAuditState, "distributor"),
    (KeyReaderState, "key_reader"),
    (TransferActivitiesState, "distributor"),
    (JobTypeListState, "grid_admin"),
    (GridAreaListState, "grid_admin"),
    (FirmListState, "grid_admin"),
    (StaffListState, "grid_admin"),
    (ChangeLogState, "grid_admin"),
    (TariffState, "grid_admin"),
    (StaffCustomerSearchState, "grid_staff"),
    (InvoicesState, "customer"),
]
# Lists that may hold nothing for their caller: their query ran all the same.
MAY_BE_EMPTY = (FailingMessagesState, TransferActivitiesState, StaffCustomerSearchState, InvoicesState)

# Handlers beside the lists: (state, handler, its arguments, who calls it).
HANDLERS = [
    (SessionState, "refresh_session", (), "customer"),
    (CustomerState, "load", (), "customer"),
    (CustomerState, "show_dialog", ("delete",), "customer"),
    (SharingState, "load", (), "customer"),
    (NewNotificationState, "load", (), "installer"),
    (StaffState, "load_overview", (), "grid_staff"),
    (IngestState, "load_sources", (), "admin"),
    (GridSettingsState, "load", (), "grid_admin"),
    (GridSettingsState, "new_grid_area", (), "grid_admin"),
]


@contextmanager
def slow_statements() -> Iterator[list[int]]:
    """The thread of each statement run meanwhile; each takes ``STATEMENT_SECONDS``."""
    threads: list[int] = []

    def before(*_args: object) -> None:
        threads.append(threading.get_ident())
        time.sleep(STATEMENT_SECONDS)

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield threads
    finally:
        event.remove(Engine, "before_cursor_execute", before)


async def _load_while_counting_turns(state_class, state, handler: str = "load", args=()) -> int:  # type: ignore[no-untyped-def]
    turns, done = 0, False

    async def count() -> None:
        nonlocal turns
        while not done:
            await asyncio.sleep(0)
            turns += 1

    counter = asyncio.create_task(count())
    await state_class.event_handlers[handler].fn(state, *args)
    done = True
    await counter
    return turns


@pytest.mark.parametrize("state_class, who", LISTS, ids=[cls.__name__ for cls, _ in LISTS])
def test_a_list_page_loads_off_the_event_loop(tokens, state_class, who):
    state = state_as(state_class, tokens[who])
    loop_thread = threading.get_ident()  # asyncio.run runs the loop on this thread
    with slow_statements() as threads:
        turns = asyncio.run(_load_while_counting_turns(state_class, state))
    # Something to list (the failing messages may be none: the query ran all the same).
    assert state.rows or state_class in MAY_BE_EMPTY, f"{state_class.__name__} listed nothing"
    assert threads, "the load ran no statement"
    assert loop_thread not in threads, f"{threads.count(loop_thread)} statement(s) ran on the event loop"
    # The loop turned while the statements ran (each one is a 20 ms wait in a worker thread).
    assert turns >= len(threads)


@pytest.mark.parametrize(
    "state_class, handler, args, who",
    HANDLERS,
    ids=[f"{cls.__name__}.{handler}" for cls, handler, _, _ in HANDLERS],
)
def test_a_handler_beside_the_lists_works_off_the_event_loop(tokens, state_class, handler, args, who):
    state = state_as(state_class, tokens[who])
    loop_thread = threading.get_ident()
    with slow_statements() as threads:
        turns = asyncio.run(_load_while_counting_turns(state_class, state, handler, args))
    assert threads, f"{handler} ran no statement"
    assert loop_thread not in threads, f"{threads.count(loop_thread)} statement(s) ran on the event loop"
    assert turns >= len(threads)
