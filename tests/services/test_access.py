"""The role rule every protected handler applies."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import AuditEntry, Role
from app.services.access import require_role
from app.services.errors import AccessDenied
from app.services.sessions import start_session


def test_caller_with_the_role_passes(db):
    token = start_session(db, Role.GRID_STAFF)
    assert require_role(db, token, {Role.GRID_STAFF}).role is Role.GRID_STAFF


def test_administrator_passes_every_role_check(db):
    token = start_session(db, Role.ADMIN)
    assert require_role(db, token, {Role.INSTALLER}).role is Role.ADMIN


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INSTALLER, Role.KEY_READER])
def test_caller_without_the_role_is_refused_and_logged(db, role):
    token = start_session(db, role)
    with pytest.raises(AccessDenied):
        require_role(db, token, {Role.DISTRIBUTOR}, action="keys.export")
    entry = db.exec(select(AuditEntry)).one()
    assert entry.outcome == "refused"
    assert entry.actor_role == role.value
    assert "keys.export" in entry.detail


def test_caller_without_a_session_is_refused(db):
    with pytest.raises(AccessDenied):
        require_role(db, "", {Role.CUSTOMER})
