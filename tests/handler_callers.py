"""Calling Reflex handlers directly, as a browser holding a given session would."""

from __future__ import annotations

from typing import TypeVar

import reflex as rx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import get_engine
from app.models import Role
from app.services.sessions import start_session

StateT = TypeVar("StateT", bound=rx.State)


def state_as(state_class: type[StateT], token: str) -> StateT:
    """A fresh state tree whose browser holds ``token`` (empty: no session at all)."""
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(state_class.get_full_name().split(".")[1:])
    state.session_token = token
    return state


def session_token(role: Role, relationship_id: int | None = None, engine: Engine | None = None) -> str:
    """Sign in as ``role`` on the app's database (or ``engine``) and return the browser's token."""
    with Session(engine or get_engine()) as db:
        token = start_session(db, role, relationship_id=relationship_id)
        db.commit()
    return token
