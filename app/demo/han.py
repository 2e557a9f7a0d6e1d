"""Demo HAN port orders: three customers have ordered, so grid staff meet a queue under `make run`.

Placed through the services as the customers themselves would (a session each, ended at once),
on the newest electricity relationships: the browser tests sign in as the first ones. One order is
already taken by the grid company's staff.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import CustomerRelationship, HanServiceSettings, Medium, Meter, Role, User, UserSession
from app.services.caller import Caller
from app.services.han.orders import place_order
from app.services.han.processing import take_order
from app.services.sessions import hash_token, start_session

ORDERS = (
    ("open", "post", "Skal koble til en Tibber Pulse."),
    ("open", "pickup", ""),
    ("close", "post", "Flytter ut, vil ha porten lukket."),
)


def _as_customer(db: Session, relationship_id: int) -> tuple[Caller, UserSession]:
    token = start_session(db, Role.CUSTOMER, relationship_id=relationship_id, client_address="demo")
    session = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
    caller = Caller(
        role=Role.CUSTOMER, session_id=session.id, relationship_id=relationship_id, client_address="demo"
    )
    return caller, session


def add_han_demo(db: Session, grid_id: int) -> None:
    known = select(HanServiceSettings).where(HanServiceSettings.grid_company_id == grid_id)
    if db.exec(known).first() is None:
        db.add(
            HanServiceSettings(
                grid_company_id=grid_id,
                post_fee=Decimal("99.00"),
                pickup_address="Lysnett kundesenter, Kjøpmannsgata 12, 7013 Trondheim",
                pickup_hours="Man–fre 08–15",
            )
        )
    rows = db.exec(
        select(CustomerRelationship, Meter)
        .join(Meter, col(Meter.id) == CustomerRelationship.meter_id)
        .where(
            Meter.medium == Medium.ELECTRICITY,
            CustomerRelationship.utility_id == grid_id,
            col(CustomerRelationship.is_owner).is_(True),
        )
        .order_by(col(CustomerRelationship.id).desc())
        .limit(len(ORDERS))
    ).all()
    numbers = []
    for (relationship, meter), (action, delivery, comment) in zip(rows, ORDERS, strict=False):
        caller, session = _as_customer(db, relationship.id or 0)
        numbers.append(
            place_order(
                db,
                caller,
                meter_number=meter.serial,
                action=action,
                delivery=delivery,
                comment=comment,
                confirmed=True,
            )
        )
        session.revoked_at = utcnow()
        db.add(session)
    staff = db.exec(
        select(User).where(User.role == Role.GRID_STAFF.value, User.organisation_id == grid_id)
    ).first()
    if staff is not None and numbers:
        as_staff = Caller(
            role=Role.GRID_STAFF, user_id=staff.id, organisation_id=grid_id, client_address="demo"
        )
        take_order(db, as_staff, numbers[-1])
    db.flush()
