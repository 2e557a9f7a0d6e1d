"""E-mail accounts: registration by mailed link, sign-in, forgotten password, the first admin.

The caller owns the transaction. Security state (failed passwords, rate-limit hits, audit
rows of refusals) is committed before an error is raised, so a rollback cannot undo it.
Every answer to "send me a link" is the same whether or not the address has an account.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from app import routes
from app.models import AccountTokenPurpose, Role, User
from app.models.base import utcnow
from app.services import passwords
from app.services.accounts.password_policy import validate_account_password
from app.services.accounts.tokens import InvalidLink, find_token, issue_token, redeem_token
from app.services.audit import record_audit
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.login_throttle import email_identity
from app.services.notify.mail import public_link
from app.services.notify.outbox import queue_mail
from app.services.password_check import PasswordLoginKind, check_password
from app.services.rate_limit import (
    Limit,
    RateLimiter,
    default_rate_limiter,
    within_limits,
)
from app.services.sessions import end_user_sessions, start_session

log = logging.getLogger(__name__)

# Where the mailed links lead (the pages live in app/pages/accounts).
ACTIVATION_PATH = routes.ACCOUNT_ACTIVATE
RESET_PATH = routes.ACCOUNT_RESET
FORGOT_PATH = routes.ACCOUNT_FORGOT

# Mail bombing: few links per address typed, and per client address.
LINK_MAILS_PER_EMAIL = Limit("account-mail-per-email", 3, timedelta(minutes=15))
LINK_MAILS_PER_CLIENT = Limit("account-mail-per-client", 10, timedelta(hours=1))

_REQUIRED = "form.required"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
# Every role that signs in by e-mail; a customer signs in on Min side.
EMAIL_ROLES = frozenset(Role) - {Role.CUSTOMER}


EMAIL_PASSWORD_LOGIN = PasswordLoginKind(
    refused_action="account.sign_in",
    rejected_action="account.password_rejected",
    unknown_action="account.sign_in",
    unknown_detail="no active account",
    wrong_key="account.bad_credentials",
)


class EmailInUse(DomainError):
    """``create-admin`` for an address that already has an account."""


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    role: Role
    user_id: int
    name: str


def normalise_email(email: str | None, *, field: str = "email") -> str:
    """The address in lower case, or FieldErrors when it is empty or not an address."""
    address = (email or "").strip().lower()
    if not address:
        raise FieldErrors({field: _REQUIRED})
    if len(address) > 254 or not _EMAIL.match(address):
        raise FieldErrors({field: "email.invalid"})
    return address


def find_email_account(db: Session, email: str) -> User | None:
    return db.exec(
        select(User).where(User.email == email, col(User.role).in_([r.value for r in EMAIL_ROLES]))
    ).first()


def _link(path: str, token: str) -> str:
    return public_link(f"{path}?{urlencode({'token': token})}")


def _count_link_mail(
    db: Session, limiter: RateLimiter, email: str, client_address: str | None, now: datetime
) -> None:
    checks = [(LINK_MAILS_PER_EMAIL, email), (LINK_MAILS_PER_CLIENT, client_address or "unknown")]
    if not within_limits(limiter, checks, now=now):
        record_audit(db, "account.mail_limited", outcome="refused", client_address=client_address)
        db.commit()
        raise DomainError("mail.too_many")


def request_activation(
    db: Session,
    email: str | None,
    *,
    language: str,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
    now: datetime | None = None,
) -> None:
    """Mail an activation link (24 h, single use; it voids the earlier links of the address).

    An address that already has an account gets a note pointing at "forgot password" instead,
    so the page can answer the same in every case.
    """
    now = now or utcnow()
    address = normalise_email(email)
    _count_link_mail(db, limiter or default_rate_limiter(db), address, client_address, now)
    account = db.exec(select(User).where(User.email == address)).first()
    if account is not None and (account.password_hash or not account.is_active):
        if account.is_active and account.role != Role.CUSTOMER.value:
            queue_mail(db, address, "already_registered", account.language, link=public_link(FORGOT_PATH))
        detail = "address has an account"
    else:
        token = issue_token(
            db,
            AccountTokenPurpose.ACTIVATION,
            address,
            user_id=account.id if account else None,
            now=now,
        )
        queue_mail(db, address, "activation", language, link=_link(ACTIVATION_PATH, token))
        detail = "link sent"
    record_audit(
        db,
        "account.activation_requested",
        subject_type="user",
        subject_id=account.id if account else "",
        detail=detail,
        client_address=client_address,
    )


def activation_email(db: Session, token: str | None, *, now: datetime | None = None) -> str:
    """The address a live activation link belongs to (InvalidLink when it cannot be used)."""
    return find_token(db, AccountTokenPurpose.ACTIVATION, token, now=now).email


def complete_registration(
    db: Session,
    token: str | None,
    name: str | None,
    password: str,
    password_again: str,
    *,
    language: str,
    client_address: str | None = None,
    now: datetime | None = None,
) -> User:
    """Follow the activation link: set the password (and the name); the account is ready."""
    now = now or utcnow()
    link = find_token(db, AccountTokenPurpose.ACTIVATION, token, now=now)
    name = " ".join((name or "").split())[:200]
    validate_account_password(password, password_again, email=link.email, name=name)
    redeem_token(db, AccountTokenPurpose.ACTIVATION, token, now=now)
    account = db.get(User, link.user_id) if link.user_id else None
    account = account or db.exec(select(User).where(User.email == link.email)).first()
    if account is None:
        account = User(email=link.email, role=Role.REGISTERED.value, language=language)
    elif account.password_hash:
        raise InvalidLink("link.used")
    elif not account.is_active:
        # Deactivated by an administrator: no link ever undoes that (issue 20.5).
        record_audit(
            db,
            "account.activation_refused",
            actor_user_id=account.id,
            actor_role=account.role,
            subject_type="user",
            subject_id=account.id or "",
            outcome="refused",
            detail="account deactivated",
            client_address=client_address,
        )
        db.commit()
        raise InvalidLink("link.unknown")
    account.name = name or account.name
    account.password_hash = passwords.hash_password(password)
    db.add(account)
    db.flush()
    record_audit(
        db,
        "account.activated",
        actor_user_id=account.id,
        actor_role=account.role,
        subject_type="user",
        subject_id=account.id or "",
        client_address=client_address,
    )
    return account


def login(
    db: Session,
    email: str | None,
    password: str | None,
    *,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """E-mail + password; the customers' per-address limit and account lockout apply."""
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    errors = {}
    if not (email or "").strip():
        errors["email"] = _REQUIRED
    if not password:
        errors["password"] = _REQUIRED
    if errors:
        raise FieldErrors(errors)
    assert password is not None
    address = (email or "").strip().lower()
    account = find_email_account(db, address)
    check_password(
        db,
        limiter,
        EMAIL_PASSWORD_LOGIN,
        identity=email_identity(address),
        account=account,
        password=password,
        client_address=client_address,
        now=now,
    )
    assert account is not None
    assert account.id is not None
    role = Role(account.role)
    token = start_session(db, role, user_id=account.id, client_address=client_address, now=now)
    record_audit(
        db,
        "account.signed_in",
        actor_user_id=account.id,
        actor_role=role.value,
        client_address=client_address,
    )
    return SignedIn(session_token=token, role=role, user_id=account.id, name=account.name)


def request_password_reset(
    db: Session,
    email: str | None,
    *,
    language: str,
    client_address: str | None = None,
    limiter: RateLimiter | None = None,
    now: datetime | None = None,
) -> None:
    """Mail a reset link (1 h, single use) when the address has an active account; else nothing."""
    now = now or utcnow()
    address = normalise_email(email)
    _count_link_mail(db, limiter or default_rate_limiter(db), address, client_address, now)
    account = find_email_account(db, address)
    if account is not None and account.is_active and account.password_hash:
        token = issue_token(db, AccountTokenPurpose.PASSWORD_RESET, address, user_id=account.id, now=now)
        queue_mail(db, address, "password_reset", account.language or language, link=_link(RESET_PATH, token))
    record_audit(
        db,
        "account.reset_requested",
        subject_type="user",
        subject_id=account.id if account else "",
        client_address=client_address,
    )


def reset_password(
    db: Session,
    token: str | None,
    password: str,
    password_again: str,
    *,
    client_address: str | None = None,
    now: datetime | None = None,
) -> User:
    """Set a new password by the mailed link; every session of the account ends."""
    now = now or utcnow()
    link = find_token(db, AccountTokenPurpose.PASSWORD_RESET, token, now=now)
    account = db.get(User, link.user_id) if link.user_id else None
    if account is None or not account.is_active:
        raise InvalidLink("link.unknown")
    validate_account_password(password, password_again, email=link.email, name=account.name)
    redeem_token(db, AccountTokenPurpose.PASSWORD_RESET, token, now=now)
    account.password_hash = passwords.hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
    db.add(account)
    ended = end_user_sessions(db, account.id or 0, now=now)
    record_audit(
        db,
        "account.password_reset",
        actor_user_id=account.id,
        actor_role=account.role,
        subject_type="user",
        subject_id=account.id or "",
        detail=f"{ended} sessions ended",
        client_address=client_address,
    )
    return account


def create_admin(db: Session, email: str, *, language: str = "nb", now: datetime | None = None) -> str:
    """Bootstrap an administrator (the CLI is the only way): returns the activation link."""
    now = now or utcnow()
    address = normalise_email(email)
    account = db.exec(select(User).where(User.email == address)).first()
    if account is not None and not (account.role == Role.ADMIN.value and not account.password_hash):
        raise EmailInUse("account.email_in_use")
    if account is None:
        account = User(email=address, role=Role.ADMIN.value, language=language)
        db.add(account)
        db.flush()
    token = issue_token(db, AccountTokenPurpose.ACTIVATION, address, user_id=account.id, now=now)
    record_audit(
        db,
        "account.admin_created",
        subject_type="user",
        subject_id=account.id or "",
        detail="create-admin command",
    )
    return _link(ACTIVATION_PATH, token)
