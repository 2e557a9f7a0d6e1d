"""Customer accounts: create (password bound to the mobile), change password, profile, delete.

Every function takes the caller's ``Principal`` and works only on that customer's own data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from app.models import (
    AccountRelationship,
    Customer,
    CustomerRelationship,
    LoginChallenge,
    Role,
    SmsOutboxEntry,
    User,
    UserSession,
)
from app.models.base import utcnow
from app.services import passwords
from app.services.audit import record_audit
from app.services.customer_access import require_account, require_customer
from app.services.customer_login import find_customer_account, register_failed_password
from app.services.errors import DomainError
from app.services.mobile_numbers import mask_mobile, parse_mobile
from app.services.remembered_devices import delete_devices
from app.services.sessions import Principal


@dataclass(frozen=True)
class AccountProfile:
    """What the profile page shows about the signed-in customer."""

    has_account: bool
    mobile: str | None
    masked_mobile: str | None


def _relationship_mobile(db: Session, relationship_id: int) -> str | None:
    relationship = db.get(CustomerRelationship, relationship_id)
    customer = db.get(Customer, relationship.customer_id) if relationship else None
    return parse_mobile(customer.mobile) if customer else None


def account_profile(db: Session, principal: Principal) -> AccountProfile:
    row = require_customer(db, principal, "account_profile")
    if row.user_id is not None:
        user = db.get(User, row.user_id)
        mobile = user.mobile if user else None
    else:
        mobile = _relationship_mobile(db, row.relationship_id or 0)
    return AccountProfile(
        has_account=row.user_id is not None,
        mobile=mobile,
        masked_mobile=mask_mobile(mobile) if mobile else None,
    )


def create_account(
    db: Session,
    principal: Principal,
    password: str,
    password_again: str,
    now: datetime | None = None,
) -> Principal:
    """Give a guest a password account bound to the relationship's mobile number.

    Links the current relationship, attaches the session to the account and returns the
    updated principal.
    """
    now = now or utcnow()
    row = require_customer(db, principal, "create_account", now=now)
    if row.user_id is not None:
        raise DomainError("account.exists")
    assert row.relationship_id is not None
    mobile = _relationship_mobile(db, row.relationship_id)
    if mobile is None:
        raise DomainError("account.no_mobile")
    if find_customer_account(db, mobile) is not None:
        raise DomainError("account.exists")
    passwords.validate_new_password(password, password_again)
    user = User(
        role=Role.CUSTOMER.value,
        mobile=mobile,
        password_hash=passwords.hash_password(password),
        created_at=now,
    )
    db.add(user)
    db.flush()
    assert user.id is not None
    db.add(AccountRelationship(user_id=user.id, relationship_id=row.relationship_id, linked_at=now))
    row.user_id = user.id
    db.add(row)
    record_audit(
        db,
        "customer.account_created",
        actor_user_id=user.id,
        actor_role=Role.CUSTOMER.value,
        subject_type="user",
        subject_id=user.id,
        client_address=row.client_address,
    )
    db.flush()
    return dataclasses.replace(principal, user_id=user.id)


def change_password(
    db: Session,
    principal: Principal,
    current_password: str,
    new_password: str,
    new_password_again: str,
    now: datetime | None = None,
) -> None:
    """Replace the password; the current one counts towards the lockout when wrong."""
    now = now or utcnow()
    row, user = require_account(db, principal, "change_password", now=now)
    if passwords.is_locked(user.locked_until, now):
        raise DomainError("login.locked", minutes=int(passwords.LOCKOUT.total_seconds() // 60))
    if not passwords.verify_password(user.password_hash, current_password or ""):
        register_failed_password(db, user, client_address=row.client_address, now=now)
        db.commit()
        raise DomainError("password.wrong", field="current_password")
    passwords.validate_new_password(
        new_password, new_password_again, field="new_password", field_again="new_password_again"
    )
    user.password_hash = passwords.hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    db.add(user)
    record_audit(
        db,
        "customer.password_changed",
        actor_user_id=user.id,
        actor_role=Role.CUSTOMER.value,
        subject_type="user",
        subject_id=user.id or "",
        client_address=row.client_address,
    )


def delete_account(db: Session, principal: Principal, now: datetime | None = None) -> None:
    """Remove the mobile number, the password, the links and remembered devices, and sign
    out every session of the account. The anonymous account row stays for the audit trail."""
    now = now or utcnow()
    row, user = require_account(db, principal, "delete_account", now=now)
    assert user.id is not None
    mobile = user.mobile
    db.exec(delete(AccountRelationship).where(col(AccountRelationship.user_id) == user.id))
    delete_devices(db, user.id)
    if mobile:
        db.exec(delete(LoginChallenge).where(col(LoginChallenge.mobile) == mobile))
        db.exec(delete(SmsOutboxEntry).where(col(SmsOutboxEntry.to) == mobile))
    db.exec(delete(LoginChallenge).where(col(LoginChallenge.user_id) == user.id))
    user.mobile = None
    user.email = None
    user.name = ""
    user.password_hash = None
    user.is_active = False
    user.failed_logins = 0
    user.locked_until = None
    db.add(user)
    for session in db.exec(
        select(UserSession).where(
            UserSession.user_id == user.id, col(UserSession.revoked_at).is_(None)
        )
    ).all():
        session.revoked_at = now
        db.add(session)
    record_audit(
        db,
        "customer.account_deleted",
        actor_user_id=user.id,
        actor_role=Role.CUSTOMER.value,
        subject_type="user",
        subject_id=user.id,
        client_address=row.client_address,
    )
    db.flush()
