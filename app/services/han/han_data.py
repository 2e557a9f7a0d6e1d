"""What the customer's own HAN reader sent (issue 24): the latest values and the last 24 hours of
power, for the HAN page. HAN data is the customer's and never billing-grade: it is read here only
from the ``han`` source, and the page labels it so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.models import CustomerRelationship, Reading, ReadingSource
from app.services.caller import Caller
from app.services.customer.access import require_customer

POWER = "1-0:1.7.0"
ENERGY = "1-0:1.8.0"
SHOWN_REGISTERS = (POWER, ENERGY)
DAY_SECONDS = 24 * 3600
# The curve's points: one mean per quarter of an hour (a reader sends every few seconds).
BUCKET_SECONDS = 900


@dataclass(frozen=True)
class LatestValue:
    register_code: str
    value: float
    unit: str
    at: datetime


@dataclass(frozen=True)
class HanData:
    latest: list[LatestValue]
    # (start of the quarter hour, mean kW), oldest first.
    curve: list[tuple[datetime, float]]


def customer_han_data(db: Session, caller: Caller, *, now: datetime | None = None) -> HanData:
    """The HAN readings of the caller's relationship's meter (none for an ended relationship)."""
    require_customer(db, caller, "han.data")
    relationship = db.get(CustomerRelationship, caller.relationship_id)
    if relationship is None or relationship.meter_id is None or not relationship.active:
        return HanData([], [])
    meter_id = relationship.meter_id
    latest: list[LatestValue] = []
    for code in SHOWN_REGISTERS:
        row = db.exec(
            select(Reading)
            .where(
                Reading.meter_id == meter_id,
                Reading.register_code == code,
                Reading.source == ReadingSource.HAN.value,
            )
            .order_by(col(Reading.ts).desc())
            .limit(1)
        ).first()
        if row is not None:
            latest.append(LatestValue(code, row.value, row.unit, datetime.fromtimestamp(row.ts, UTC)))
    since = int((now or utcnow()).timestamp()) - DAY_SECONDS
    bucket = col(Reading.ts) - col(Reading.ts) % BUCKET_SECONDS
    rows = db.exec(
        select(bucket, func.avg(Reading.value))
        .where(
            Reading.meter_id == meter_id,
            Reading.register_code == POWER,
            Reading.source == ReadingSource.HAN.value,
            col(Reading.ts) >= since,
        )
        .group_by(bucket)
        .order_by(bucket)
    ).all()
    curve = [(datetime.fromtimestamp(int(start), UTC), float(mean)) for start, mean in rows]
    return HanData(latest, curve)
