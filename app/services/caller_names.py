"""The name shown in the header's account menu for whoever is signed in."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Customer, CustomerRelationship, User
from app.services.caller import Caller
from app.services.customer.visibility import Scope, visible_clause, visible_params
from app.services.mobile_numbers import mask_mobile


def display_name(db: Session, caller: Caller) -> str:
    """A customer's name from a relationship of their own they are on (never the name of one
    shared with them); an account's name, else its e-mail or mobile."""
    if caller.relationship_id is not None:
        name = db.exec(
            select(Customer.name)
            .join(CustomerRelationship, CustomerRelationship.customer_id == Customer.id)
            .where(
                CustomerRelationship.id == caller.relationship_id,
                visible_clause(CustomerRelationship.id, Scope.PROFILE),
            )
            .params(**visible_params(caller))
        ).first()
        if name:
            return name
    if caller.user_id is not None:
        user = db.get(User, caller.user_id)
        if user is not None:
            return user.name or user.email or user.mobile or ""
    return mask_mobile(caller.mobile) if caller.mobile else ""
