"""Figures for the staff start page: what the portal holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, func, select

from app.models import Customer, CustomerRelationship, Meter, Reading


@dataclass(frozen=True)
class PortalFigures:
    customers: int
    relationships: int
    meters: int
    readings: int
    newest_reading_at: datetime | None


def portal_figures(db: Session) -> PortalFigures:
    def count(model: type) -> int:
        return int(db.exec(select(func.count()).select_from(model)).one() or 0)

    newest = db.exec(select(func.max(Reading.ts))).one()
    return PortalFigures(
        customers=count(Customer),
        relationships=count(CustomerRelationship),
        meters=count(Meter),
        readings=count(Reading),
        newest_reading_at=datetime.fromtimestamp(newest, UTC) if newest else None,
    )
