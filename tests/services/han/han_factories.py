"""Two grid companies, each with a customer on an electricity meter and a staff member; one heat
customer. Customers act through real sessions (the service re-checks the session row)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from app.models import (
    Medium,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.services.caller import Caller
from app.services.sessions import resolve_principal, start_session
from tests.factories import add_customer


@dataclass
class HanWorld:
    grid: int
    other_grid: int
    customer: Caller  # electricity meter at grid A
    other_customer: Caller  # electricity meter at grid B
    heat_customer: Caller
    staff: Caller  # grid A
    other_staff: Caller  # grid B
    meter_serial: str
    other_meter_serial: str
    heat_meter_serial: str
    customer_mobile: str  # E.164
    customer_token: str
    other_customer_token: str
    heat_customer_token: str
    staff_token: str
    other_staff_token: str


def _customer(db: Session, utility: int, medium: str, mobile: str, tag: str) -> tuple[Caller, str, str]:
    made = add_customer(db, medium=medium, utility_id=utility, name=f"Kunde {tag}", mobile=mobile)
    token = start_session(db, Role.CUSTOMER, relationship_id=made.relationship_id, client_address="10.0.0.1")
    caller = resolve_principal(db, token, client_address="10.0.0.1")
    assert caller is not None
    return caller, made.meter_serial, token


def _staff(db: Session, org: int, tag: str) -> tuple[Caller, str]:
    user = User(
        email=f"staff-{tag}@example.no",
        name=f"Saksbehandler {tag}",
        role=Role.GRID_STAFF.value,
        organisation_id=org,
    )
    db.add(user)
    db.flush()
    token = start_session(db, Role.GRID_STAFF, user_id=user.id)
    caller = resolve_principal(db, token, client_address="127.0.0.1")
    assert caller is not None and caller.organisation_id == org
    return caller, token


def build_han_world(db: Session) -> HanWorld:
    tag = uuid.uuid4().hex[:10]
    grid = Organisation(name=f"Nett A {tag}", kind=OrganisationKind.GRID_COMPANY)
    other_grid = Organisation(name=f"Nett B {tag}", kind=OrganisationKind.GRID_COMPANY)
    heat = Organisation(name=f"Varme {tag}", kind=OrganisationKind.DISTRICT_HEATING)
    db.add_all([grid, other_grid, heat])
    db.flush()
    customer, serial, token = _customer(db, grid.id or 0, Medium.ELECTRICITY, "+4791234567", f"A{tag}")
    other, other_serial, other_token = _customer(
        db, other_grid.id or 0, Medium.ELECTRICITY, "+4791234568", f"B{tag}"
    )
    heat_customer, heat_serial, heat_token = _customer(
        db, heat.id or 0, Medium.HEAT, "+4791234569", f"H{tag}"
    )
    staff, staff_token = _staff(db, grid.id or 0, f"a{tag}")
    other_staff, other_staff_token = _staff(db, other_grid.id or 0, f"b{tag}")
    db.commit()
    return HanWorld(
        grid=grid.id or 0,
        other_grid=other_grid.id or 0,
        customer=customer,
        other_customer=other,
        heat_customer=heat_customer,
        staff=staff,
        other_staff=other_staff,
        meter_serial=serial,
        other_meter_serial=other_serial,
        heat_meter_serial=heat_serial,
        customer_mobile="+4791234567",
        customer_token=token,
        other_customer_token=other_token,
        heat_customer_token=heat_token,
        staff_token=staff_token,
        other_staff_token=other_staff_token,
    )
