"""Helpers of the key-service tests: organisations, signed-in accounts and units built through
the services (sessions, sealing), never by hand-written SQL."""

from __future__ import annotations

import os

from sqlmodel import Session, select

from app.models import MeterKey, Organisation, OrganisationKind, Role, User, UserSession
from app.services import passwords
from app.services.caller import Caller
from app.services.keys.sealing import add_key
from app.services.sessions import hash_token, start_session

PASSWORD = "Kobber#Maaler26"
MODELS = ("MULTICAL 21", "OMNIPOWER", "MULTICAL 403")
MEDIA = ("water", "electricity", "district_heating")


def organisation(db: Session, name: str) -> int:
    org = Organisation(name=name, kind=OrganisationKind.DISTRIBUTOR.value)
    db.add(org)
    db.flush()
    assert org.id is not None
    return org.id


def signed_in(db: Session, role: Role, email: str, organisation_id: int | None = None) -> Caller:
    """An account with ``PASSWORD``, signed in: the caller a state would resolve from its session."""
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(
            email=email,
            name=email.split("@")[0].title(),
            role=role.value,
            organisation_id=organisation_id,
            password_hash=passwords.hash_password(PASSWORD),
        )
        db.add(user)
        db.flush()
    token = start_session(db, role, user_id=user.id)
    session = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
    return Caller(
        role=role,
        user_id=user.id,
        organisation_id=user.organisation_id,
        session_id=session.id,
        client_address="192.0.2.10",
    )


def add_units(
    db: Session, owner_id: int, count: int, *, start: int = 57000000, prefix: str = "KAM"
) -> list[int]:
    """``count`` units of the owner: meters and every tenth a concentrator, models and media mixed."""
    ids = []
    for n in range(count):
        row = add_key(
            db,
            f"{prefix}{start + n:08d}",
            os.urandom(16),
            os.urandom(16) if n % 7 == 0 else None,
            kind="concentrator" if n % 10 == 9 else "meter",
            owner_id=owner_id,
            model=MODELS[n % 3],
            medium=MEDIA[n % 3],
        )
        ids.append(row.id or 0)
    db.flush()
    return ids


def unit_id(db: Session, serial: str) -> int:
    return db.exec(select(MeterKey.id).where(MeterKey.serial == serial)).one() or 0
