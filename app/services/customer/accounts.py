"""Customer accounts: create (password bound to the mobile), change password, profile, delete.

Every function takes the caller's ``Caller`` and works only on that customer's own data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from app.models import (
    AccountRelationship,
    Customer,
    CustomerRelationship,
    LoginChallenge,
    OutboxMessage,
    Role,
    User,
    UserSession,
)
from app.models.base import utcnow
from app.services import passwords
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.customer.access import require_account, require_customer
from app.services.customer.login_steps import find_customer_account
from app.services.customer.remembered_devices import (
    delete_devices,
    forget_devices,
    remember_device,
)
from app.services.errors import DomainError
from app.services.login_throttle import (
    PasswordAttemptsLocked,
    claim_password_attempt,
    customer_identity,
    forget_password_failures,
)
from app.services.mobile_numbers import mask_mobile, parse_mobile
from app.services.rate_limit import PASSWORD_HASHES_PER_ADDRESS, RateLimiter, default_rate_limiter


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


def account_profile(db: Session, principal: Caller) -> AccountProfile:
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
    principal: Caller,
    password: str,
    password_again: str,
    now: datetime | None = None,
    *,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
) -> Caller:
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
    _count_password_hash(db, limiter or default_rate_limiter(db), client_address or row.client_address, now)
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
    ended = end_guest_sessions(db, mobile, row.id, now)
    record_audit(
        db,
        "customer.account_created",
        principal.as_user(user.id),
        subject_type="user",
        subject_id=user.id,
        detail=f"ended {ended} other guest sessions of the mobile",
    )
    db.flush()
    return principal.as_user(user.id)


def create_account_on_this_device(
    db: Session,
    principal: Caller,
    password: str,
    password_again: str,
    now: datetime | None = None,
    *,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
) -> tuple[Caller, str]:
    """``create_account``, and this browser is remembered (the device token returned).

    A guest session exists only after an SMS code to this very mobile on this browser: it has
    proved the mobile, so the next mobile + password sign-in here asks for no second code
    (issue 21.11).
    """
    now = now or utcnow()
    account_principal = create_account(
        db, principal, password, password_again, now, client_address=client_address, limiter=limiter
    )
    assert account_principal.user_id is not None
    return account_principal, remember_device(db, account_principal.user_id, now=now)


def _count_password_hash(
    db: Session, limiter: RateLimiter, client_address: str | None, now: datetime
) -> None:
    """Every handler that hashes a new password is rate-limited (argon2 costs ~0.4 s, 64 MiB)."""
    limit = PASSWORD_HASHES_PER_ADDRESS
    if not limiter.attempt(limit.key(client_address or "unknown"), limit.count, limit.window, now=now):
        db.commit()
        raise DomainError("login.too_many_attempts")


def confirm_password(
    db: Session,
    user: User,
    password: str | None,
    *,
    client_address: str | None,
    limiter: RateLimiter,
    now: datetime,
    field: str = "current_password",
) -> None:
    """The account's password again, before an account-level change.

    Checked like a sign-in (``login_throttle``), so the profile cannot be used to guess it.
    Security state is committed before an error is raised.
    """
    identity = customer_identity(user.mobile or f"user-{user.id}")
    try:
        claim_password_attempt(limiter, identity, client_address, now=now)
    except PasswordAttemptsLocked:
        db.commit()
        raise
    db.commit()
    if not user.password_hash or not passwords.verify_password(user.password_hash, password or ""):
        record_audit(
            db,
            "customer.password_rejected",
            actor_user_id=user.id,
            actor_role=Role.CUSTOMER.value,
            subject_type="user",
            subject_id=user.id or "",
            outcome="refused",
            client_address=client_address,
        )
        db.commit()
        raise DomainError("password.wrong", field=field)
    forget_password_failures(limiter, identity, client_address)


def end_other_sessions(
    db: Session, user_id: int, keep_session_id: int | None, now: datetime, *, mobile: str | None = None
) -> int:
    """Revoke every live session of the account except ``keep_session_id``, and every guest
    (SMS-code) session of its mobile (issue 20.6: they were not the account's but are the
    mobile's); the number ended."""
    ended = end_guest_sessions(db, mobile, keep_session_id, now) if mobile else 0
    for session in db.exec(
        select(UserSession).where(UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None))
    ).all():
        if session.id != keep_session_id:
            session.revoked_at = now
            db.add(session)
            ended += 1
    return ended


def end_guest_sessions(db: Session, mobile: str, keep_session_id: int | None, now: datetime) -> int:
    """Revoke the live guest sessions (started by an SMS code, no account) of relationships
    whose customer has ``mobile`` (E.164); the number ended."""
    rows = db.exec(
        select(UserSession, Customer.mobile)
        .join(CustomerRelationship, col(CustomerRelationship.id) == col(UserSession.relationship_id))
        .join(Customer, col(Customer.id) == col(CustomerRelationship.customer_id))
        .where(
            col(UserSession.user_id).is_(None),
            UserSession.role == Role.CUSTOMER.value,
            col(UserSession.revoked_at).is_(None),
            col(Customer.mobile).is_not(None),
        )
    ).all()
    ended = 0
    for session, customer_mobile in rows:
        if session.id != keep_session_id and parse_mobile(customer_mobile) == mobile:
            session.revoked_at = now
            db.add(session)
            ended += 1
    return ended


def change_password(
    db: Session,
    principal: Caller,
    current_password: str,
    new_password: str,
    new_password_again: str,
    now: datetime | None = None,
    *,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
) -> None:
    """Replace the password; the current one is checked like a sign-in.

    Every other session of the account and every remembered device is ended: whoever knew
    the old password (or holds a device it was typed on) is out.
    """
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    row, user = require_account(db, principal, "change_password", now=now)
    client_address = client_address or row.client_address
    assert user.id is not None
    confirm_password(db, user, current_password, client_address=client_address, limiter=limiter, now=now)
    passwords.validate_new_password(
        new_password, new_password_again, field="new_password", field_again="new_password_again"
    )
    _count_password_hash(db, limiter, client_address, now)
    user.password_hash = passwords.hash_password(new_password)
    db.add(user)
    sessions_ended = end_other_sessions(db, user.id, row.id, now, mobile=user.mobile)
    devices_forgotten = forget_devices(db, user.id, now=now)
    record_audit(
        db,
        "customer.password_changed",
        principal.as_user(user.id),
        subject_type="user",
        subject_id=user.id or "",
        detail=f"ended {sessions_ended} other sessions, forgot {devices_forgotten} devices",
        client_address=client_address,
    )


def delete_account(
    db: Session,
    principal: Caller,
    password: str | None,
    now: datetime | None = None,
    *,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
) -> None:
    """Remove the mobile number, the password, the links and remembered devices, and sign
    out every session of the account. The anonymous account row stays for the audit trail.

    Asks for the account's password: a session started by an SMS code alone (first login)
    must not be enough to delete the account.
    """
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    row, user = require_account(db, principal, "delete_account", now=now)
    client_address = client_address or row.client_address
    assert user.id is not None
    confirm_password(
        db,
        user,
        password,
        client_address=client_address,
        limiter=limiter,
        now=now,
        field="password",
    )
    mobile = user.mobile
    if mobile:
        end_guest_sessions(db, mobile, None, now)
    db.exec(delete(AccountRelationship).where(col(AccountRelationship.user_id) == user.id))
    delete_devices(db, user.id)
    if mobile:
        db.exec(delete(LoginChallenge).where(col(LoginChallenge.mobile) == mobile))
        # What was texted to the mobile goes with the account (sent or still queued).
        db.exec(delete(OutboxMessage).where(col(OutboxMessage.recipient) == mobile))
    db.exec(delete(LoginChallenge).where(col(LoginChallenge.user_id) == user.id))
    user.mobile = None
    user.email = None
    user.name = ""
    user.password_hash = None
    user.is_active = False
    db.add(user)
    for session in db.exec(
        select(UserSession).where(UserSession.user_id == user.id, col(UserSession.revoked_at).is_(None))
    ).all():
        session.revoked_at = now
        db.add(session)
    record_audit(
        db,
        "customer.account_deleted",
        principal.as_user(user.id),
        subject_type="user",
        subject_id=user.id,
    )
    db.flush()
