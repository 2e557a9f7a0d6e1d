"""The name shown in the header's account menu for whoever is signed in."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Customer, CustomerRelationship, User
from app.services.caller import Caller


def display_name(db: Session, caller: Caller) -> str:
    """A customer's name from the relationship they are on; an account's name, else its e-mail."""
    if caller.relationship_id is not None:
        name = db.exec(
            select(Customer.name)
            .join(CustomerRelationship, CustomerRelationship.customer_id == Customer.id)
            .where(CustomerRelationship.id == caller.relationship_id)
        ).first()
        if name:
            return name
    if caller.user_id is not None:
        user = db.get(User, caller.user_id)
        if user is not None:
            return user.name or user.email or user.mobile or ""
    return ""
