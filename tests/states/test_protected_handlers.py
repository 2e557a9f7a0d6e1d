"""From the page registry: every handler of every state refuses every role its page does not admit.

A page declares its roles once (``@template(..., roles=...)``); a state belongs to the pages that
load it (``on_load``, or ``states=``), and a substate to its parent's pages. Reflex lets any
browser call any handler with any arguments, so each handler is called as every other role (and
without a session) with arguments of the right shape: each must raise ``AccessDenied``, audit the
refusal under its own name, and leave every var of the tab as it was.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import app.states
from app.db import session_scope
from app.models import AuditEntry, Role
from app.page_registry import PAGES, PageSpec
from app.services.errors import AccessDenied
from app.states.session import SessionState
from tests.handler_callers import session_token, state_as

# A form of every shape the app's forms send: each handler reads the fields it knows.
FORM = {
    "email": "a@example.org",
    "format": "csv",
    "password": "Ukjent#Passord1",
    "request_id": "1",
    "reason": "x",
    "new_organisation": "X",
    "role": "installer",
    "organisation_id": "1",
    "id": "1",
    "serial_search": "KAM",
    "status": "",
    "note": "x",
    "intent": "send",
    "action": "open",
}


# Every state module, so that no state escapes the test because no other test imported it.
for _module in pkgutil.walk_packages(app.states.__path__, "app.states."):
    importlib.import_module(_module.name)


def _page_of(state_class: type) -> list[PageSpec]:
    """The pages a state belongs to: those that name it or one of the states it extends."""
    names = {
        cls.get_full_name()
        for cls in state_class.__mro__
        if hasattr(cls, "get_full_name") and issubclass(cls, SessionState)
    }
    parent = state_class.get_parent_state()
    while parent is not None:
        names.add(parent.get_full_name())
        parent = parent.get_parent_state()
    return [page for page in PAGES.values() if names & set(page.states)]


def _state_classes() -> Iterator[type[SessionState]]:
    stack = list(SessionState.get_substates())
    while stack:
        state_class = stack.pop()
        stack.extend(state_class.get_substates())
        yield state_class


def _own_handlers(state_class) -> list[str]:
    return sorted(set(state_class.event_handlers) - set(SessionState.event_handlers))


def _handler(state_class, name: str):
    owner = next(cls for cls in state_class.__mro__ if name in getattr(cls, "event_handlers", {}))
    return owner.event_handlers[name]


def _argument(annotation: str) -> object:
    if "dict" in annotation:
        return dict(FORM)
    if "UploadFile" in annotation:
        return []
    if "list" in annotation:
        return [{"x": "jan", "y": 1, "curveNumber": 0, "pointIndex": 0}]
    if "bool" in annotation:
        return True
    if "int" in annotation:
        return 1
    return "1"


def _arguments(state_class, name: str) -> list[object]:
    parameters = list(inspect.signature(_handler(state_class, name).fn).parameters.values())[1:]
    return [_argument(str(p.annotation)) for p in parameters if p.kind is not p.VAR_KEYWORD]


def _call(state_class, state, name: str, args: list[object]) -> None:
    outcome = _handler(state_class, name).fn(state, *args)
    if inspect.isasyncgen(outcome):

        async def drain():
            async for _ in outcome:
                pass

        asyncio.run(drain())
    elif inspect.isawaitable(outcome):
        asyncio.run(outcome)
    elif inspect.isgenerator(outcome):
        list(outcome)


def _protected() -> list[tuple[type, frozenset[Role | None]]]:
    """Each state of a protected page, with the callers its pages do not admit."""
    cases = []
    for state_class in sorted(_state_classes(), key=lambda cls: cls.get_full_name()):
        pages = _page_of(state_class)
        assert pages, f"{state_class.__name__} belongs to no page: name it in a page's on_load or states="
        if any(page.public for page in pages):
            continue
        refused = frozenset(r for r in [*Role, None] if not any(page.admits(r) for page in pages))
        cases.append((state_class, refused))
    return cases


def _vars(state) -> dict[str, object]:
    own = type(state).__fields__
    return {
        name: getattr(state, name)
        for name in own
        if not name.startswith("router") and name not in SessionState.__fields__
    }


def _refusals(state_class) -> int:
    with session_scope() as db:
        return len(
            db.exec(
                select(AuditEntry).where(
                    AuditEntry.action == "access.refused",
                    col(AuditEntry.detail).startswith(f"{state_class.__name__}."),
                )
            ).all()
        )


# Rows a refusal writes: its audit entry, and the last-seen time of the caller's session.
_WRITTEN_BY_A_REFUSAL = {"audit_log", "user_session"}


def _row_counts() -> dict[str, int]:
    with session_scope() as db:
        return {
            name: db.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items()
            if name not in _WRITTEN_BY_A_REFUSAL
        }


def test_the_registry_covers_every_protected_page_and_state(app_database_url):
    protected = _protected()
    names = {state_class.__name__ for state_class, _ in protected}
    # Staff, administration and the key service are among them, not only the customer pages.
    assert {
        "AdminState",
        "StaffState",
        "IngestState",
        "HanOrderState",
        "StaffNotificationState",
        "ReadRightsState",
        "KeyExportState",
        "KeyReaderState",
        "ConsumptionState",
    } <= names
    assert all(refused for _, refused in protected)


@pytest.mark.parametrize("role", [*Role, None], ids=[*(r.value for r in Role), "no-session"])
def test_every_handler_refuses_every_role_its_page_does_not_admit(app_database_url, role):
    token = session_token(role) if role else ""
    served, called, rows_before = [], 0, _row_counts()
    for state_class, refused in _protected():
        if role not in refused:
            continue
        for name in _own_handlers(state_class):
            state = state_as(state_class, token)
            before, refusals_before = _vars(state), _refusals(state_class)
            args = _arguments(state_class, name)
            try:
                _call(state_class, state, name, args)
            except AccessDenied:
                pass
            else:
                served.append(f"{state_class.__name__}.{name}")
                continue
            # Nothing of the page reached the tab (a var may only echo what the caller sent, as a
            # select's choice), and the state's own check refused it (audited).
            sent = [*args, *(v for arg in args if isinstance(arg, dict) for v in arg.values())]
            changed = {k: v for k, v in _vars(state).items() if v != before[k] and v not in sent}
            assert changed == {}, f"{state_class.__name__}.{name}"
            assert _refusals(state_class) > refusals_before, f"{state_class.__name__}.{name}"
            called += 1
    assert served == [], served
    assert _row_counts() == rows_before
    assert called or role is Role.ADMIN
