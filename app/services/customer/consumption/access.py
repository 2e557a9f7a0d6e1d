"""Which meter the signed-in customer may see: the one of their session's customer relationship,
when the one selector (``customer.visibility``) lets them see its consumption: their own, a
linked one, or one shared with them by a live grant naming consumption.

Resolved once per tap: a tap runs one transaction (one ``Session``) in which several chart
queries each check the meter, and the answer is kept in that Session's ``info``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import CustomerRelationship, Medium, Meter, Organisation, Role
from app.services.caller import Caller
from app.services.customer.visibility import Scope, owns_current, visible_clause, visible_params
from app.services.errors import AccessDenied


@dataclass(frozen=True)
class CustomerMeter:
    """The meter of the caller's customer relationship, as the charts need it."""

    meter_id: int
    medium: str
    relationship_id: int
    utility_id: int
    metering_point_id: str
    # The grid company's organisation number.
    utility_org_number: str | None = None
    # The metering point's bidding zone (spot prices) and the supplier's mark-up, kr/kWh.
    bidding_zone: str = ""
    markup_kr_per_kwh: Decimal | None = None

    @property
    def is_heat(self) -> bool:
        return self.medium == Medium.HEAT

    @property
    def is_electricity(self) -> bool:
        return self.medium == Medium.ELECTRICITY


_relationship = CustomerRelationship.__table__.c
_meter = Meter.__table__.c
_utility = Organisation.__table__.c
# Built once (building a select costs about as much as running it on a warm page cache), and
# one round trip for all a tap needs to know about the meter.
_OWN_METER = (
    select(
        _relationship.id,
        _relationship.meter_id,
        _relationship.utility_id,
        _relationship.metering_point_id,
        _relationship.bidding_zone,
        _relationship.supplier_markup_kr_per_kwh,
        _meter.medium,
        _utility.org_number,
    )
    .join_from(CustomerRelationship.__table__, Meter.__table__, _meter.id == _relationship.meter_id)
    .outerjoin(Organisation.__table__, _utility.id == _relationship.utility_id)
    .where(_relationship.id == bindparam("relationship_id"), _relationship.active.is_(True))
)
# A relationship that is not the session's own (linked, or shared with it): the selector's
# condition in the same statement. The own one skips it: its EXISTS terms doubled a tap's query.
_CUSTOMER_METER = _OWN_METER.where(visible_clause(_relationship.id, Scope.CONSUMPTION))


def customer_meter(db: Session, caller: Caller) -> CustomerMeter:
    """The meter the signed-in customer may see; AccessDenied when there is none."""
    if caller.role is not Role.CUSTOMER or caller.relationship_id is None:
        raise AccessDenied("auth.denied")
    cache_key = ("customer_meter", caller.relationship_id)
    known = db.info.get(cache_key)
    if known is not None:
        return known
    if owns_current(caller):
        row = db.connection().execute(_OWN_METER, {"relationship_id": caller.relationship_id}).first()
    else:
        row = (
            db.connection()
            .execute(_CUSTOMER_METER, {"relationship_id": caller.relationship_id, **visible_params(caller)})
            .first()
        )
    if row is None:
        # Its own relationship has a meter or not; anything else is a grant that has ended.
        own = caller.relationship_id == caller.own_relationship_id
        raise AccessDenied("auth.denied" if own else "sharing.access_ended")
    meter = CustomerMeter(
        meter_id=row.meter_id,
        medium=row.medium,
        relationship_id=row.id,
        utility_id=row.utility_id,
        metering_point_id=row.metering_point_id,
        utility_org_number=row.org_number,
        bidding_zone=row.bidding_zone or "",
        markup_kr_per_kwh=(
            None if row.supplier_markup_kr_per_kwh is None else Decimal(row.supplier_markup_kr_per_kwh)
        ),
    )
    db.info[cache_key] = meter
    return meter


def authorised_meter(db: Session, caller: Caller, meter_id: int) -> CustomerMeter:
    """The caller's meter when it is ``meter_id``; AccessDenied for any other meter."""
    meter = customer_meter(db, caller)
    if meter.meter_id != meter_id:
        raise AccessDenied("auth.denied")
    return meter
