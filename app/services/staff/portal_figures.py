"""Figures for the staff start page: what the portal holds for the caller's grid company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import Session, col, func, select

from app.models import CustomerRelationship, Meter, Reading, Role
from app.services.caller import Caller
from app.services.errors import AccessDenied


@dataclass(frozen=True)
class PortalFigures:
    customers: int
    relationships: int
    meters: int
    readings: int
    newest_reading_at: datetime | None


def _grid_company_or_all(caller: Caller) -> int | None:
    """The grid company a staff member works for; None (everything) for an administrator.

    Issue 20.14: one grid company's staff saw every grid company's counts."""
    if caller.is_role(Role.ADMIN):
        return None
    if caller.is_role(Role.GRID_STAFF) and caller.organisation_id is not None:
        return caller.organisation_id
    raise AccessDenied("auth.denied")


def portal_figures(db: Session, caller: Caller) -> PortalFigures:
    grid_company_id = _grid_company_or_all(caller)
    relationships: ColumnElement[bool] = (
        true() if grid_company_id is None else col(CustomerRelationship.utility_id) == grid_company_id
    )
    meters: ColumnElement[bool] = (
        true()
        if grid_company_id is None
        else or_(
            col(Meter.owner_id) == grid_company_id,
            col(Meter.id).in_(select(CustomerRelationship.meter_id).where(relationships)),
        )
    )
    meter_ids = select(Meter.id).where(meters)
    readings: ColumnElement[bool] = (
        true() if grid_company_id is None else col(Reading.meter_id).in_(meter_ids)
    )

    def count(statement) -> int:  # type: ignore[no-untyped-def]
        return int(db.exec(statement).one() or 0)

    newest = db.exec(select(func.max(Reading.ts)).where(readings)).one()
    return PortalFigures(
        customers=count(
            select(func.count(func.distinct(CustomerRelationship.customer_id))).where(relationships)
        ),
        relationships=count(select(func.count()).select_from(CustomerRelationship).where(relationships)),
        meters=count(select(func.count()).select_from(Meter).where(meters)),
        readings=count(select(func.count()).select_from(Reading).where(readings)),
        newest_reading_at=datetime.fromtimestamp(newest, UTC) if newest else None,
    )
