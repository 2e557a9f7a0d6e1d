"""HAN port orders: a meter owner asks for the meter's HAN port to be opened or closed; the grid
company's staff take the order, complete it (recording the port's new state) or reject it.

At most one order per meter is open (received or in progress) at a time: a partial unique index
holds the rule even when two requests race.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class HanOrderStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class HanPortAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"


class HanDelivery(StrEnum):
    POST = "post"
    PICKUP = "pickup"


# Statuses in which an order still blocks a new one for the same meter.
OPEN_ORDER_CONDITION = "status IN ('received', 'in_progress')"


class HanPortOrder(SQLModel, table=True):
    __tablename__ = "han_port_order"
    __table_args__ = (
        Index(
            "uq_han_port_order_open_meter",
            "meter_id",
            unique=True,
            sqlite_where=text(OPEN_ORDER_CONDITION),
            postgresql_where=text(OPEN_ORDER_CONDITION),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    meter_id: int = Field(foreign_key="meter.id", index=True)
    relationship_id: int = Field(foreign_key="customer_relationship.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    # The grid company that processes it: the relationship's utility.
    grid_company_id: int = Field(foreign_key="organisation.id", index=True)
    action: str = Field(max_length=10)
    delivery: str = Field(max_length=10)
    # Where the module is posted: the address on record when the order was placed.
    delivery_address: str = Field(default="", max_length=320)
    comment: str = Field(default="", max_length=500)
    status: str = Field(default=HanOrderStatus.RECEIVED, max_length=20, index=True)
    reject_reason: str = Field(default="", max_length=1000)
    # The customer's language when ordering: the SMS on completion or rejection is written in it.
    language: str = Field(default="nb", max_length=8)
    handled_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    # What the staff recorded on completion.
    port_state: str = Field(default="", max_length=10)
    completed_on: date | None = Field(default=None)
    # The date promised when it was placed: the order date plus the grid company's target in
    # working days (issue 24); past it while open, the order is overdue.
    due_on: date | None = Field(default=None, index=True)
    created_at: datetime = timestamp_field(default_now=True)
    updated_at: datetime = timestamp_field(default_now=True)


class HanOrderEvent(SQLModel, table=True):
    """An order's history: each status move (from, to, why) and each staff note, who and when."""

    __tablename__ = "han_order_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="han_port_order.id", index=True)
    kind: str = Field(max_length=10)  # "status" or "note"
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    text: str = Field(default="", max_length=2000)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(max_length=32)
    at: datetime = timestamp_field(default_now=True)
