"""Customer sign-in: first login by invoice data + SMS code, and mobile + password.

The caller owns the transaction. Security state (wrong tries, failed passwords, rate-limit
hits, audit rows of refusals) is committed before an error is raised, so a rollback by the
caller cannot undo it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlmodel import Session, col, select

from app.models import (
    AccountRelationship,
    ChallengePurpose,
    ChallengeStatus,
    Customer,
    CustomerRelationship,
    LoginChallenge,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import passwords
from app.services.audit import record_audit
from app.services.customer.mobile_numbers import normalise_mobile, parse_mobile
from app.services.customer.privacy_terms import (
    PRIVACY_TERMS_VERSION,
    check_terms_version,
    record_privacy_consent,
)
from app.services.customer.remembered_devices import is_remembered_device, remember_device
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.login_throttle import (
    FAILURES_PER_IDENTITY_AND_ADDRESS,
    PasswordAttemptsLocked,
    claim_password_attempt,
    customer_identity,
    forget_password_failures,
    password_attempts_exhausted,
)
from app.services.otp import (
    ChallengeInfo,
    challenge_info,
    find_challenge,
    issue_challenge,
    redeem_code,
)
from app.services.rate_limit import (
    FIRST_LOGIN_PER_ADDRESS,
    PASSWORD_LOGIN_PER_ADDRESS,
    SMS_PER_ADDRESS,
    SMS_PER_MOBILE,
    Limit,
    RateLimiter,
    default_rate_limiter,
    within_limits,
)
from app.services.sessions import start_session

log = logging.getLogger(__name__)

_REQUIRED = "form.required"

__all__ = [
    "ChallengeInfo",
    "LoginResult",
    "PasswordLoginOutcome",
    "find_customer_account",
    "login_with_password",
    "resend_code",
    "start_first_login",
    "verify_code",
]


@dataclass(frozen=True)
class LoginResult:
    """A signed-in customer: the session token for the browser to keep."""

    session_token: str
    relationship_id: int | None
    user_id: int | None
    # Set after a code when the mobile has an account: keep it 30 days to skip the code.
    device_token: str | None = None
    # False when an account holder signed in on a relationship not yet linked to the account.
    relationship_linked: bool = False


@dataclass(frozen=True)
class PasswordLoginOutcome:
    """Either signed in (remembered device) or a code was sent (``challenge``)."""

    result: LoginResult | None = None
    challenge: ChallengeInfo | None = None


@contextmanager
def _keep_security_state(db: Session) -> Iterator[None]:
    try:
        yield
    except DomainError:
        db.commit()
        raise


def _address(client_address: str | None) -> str:
    return client_address or "unknown"


def _clean(text: str | None) -> str:
    return "".join((text or "").split())


def _count_attempt_from_address(
    db: Session,
    limiter: RateLimiter,
    limit: Limit,
    action: str,
    client_address: str | None,
    now: datetime,
) -> None:
    """Count one sign-in attempt from this client address; refuse (and audit) past the limit."""
    if limiter.attempt(limit.key(_address(client_address)), limit.count, limit.window, now=now):
        return
    record_audit(
        db,
        action,
        actor_role=Role.CUSTOMER.value,
        outcome="refused",
        detail="too many attempts from this address",
        client_address=client_address,
    )
    raise DomainError("login.too_many_attempts")


def find_customer_account(db: Session, mobile: str) -> User | None:
    """The active customer account of an E.164 mobile number, if any."""
    return db.exec(
        select(User).where(
            User.mobile == mobile, User.role == Role.CUSTOMER.value, col(User.is_active)
        )
    ).first()


def _send_code(
    db: Session,
    limiter: RateLimiter,
    *,
    purpose: ChallengePurpose,
    mobile: str,
    relationship_id: int | None,
    user_id: int | None,
    client_address: str | None,
    language: str,
    now: datetime,
) -> ChallengeInfo:
    address = _address(client_address)
    if not within_limits(limiter, [(SMS_PER_MOBILE, mobile), (SMS_PER_ADDRESS, address)], now=now):
        record_audit(
            db,
            "customer.sms_limited",
            actor_user_id=user_id,
            actor_role=Role.CUSTOMER.value,
            subject_type="customer_relationship" if relationship_id else "user",
            subject_id=relationship_id or user_id or "",
            outcome="refused",
            client_address=client_address,
        )
        raise DomainError("sms.too_many")
    try:
        challenge = issue_challenge(
            db,
            purpose=purpose,
            mobile=mobile,
            relationship_id=relationship_id,
            user_id=user_id,
            client_address=client_address,
            language=language,
            now=now,
        )
    except DomainError as error:
        record_audit(
            db,
            "customer.sms_failed",
            actor_user_id=user_id,
            actor_role=Role.CUSTOMER.value,
            subject_type="customer_relationship" if relationship_id else "user",
            subject_id=relationship_id or user_id or "",
            outcome="error",
            detail=error.key,
            client_address=client_address,
        )
        raise
    record_audit(
        db,
        "customer.code_sent",
        actor_user_id=user_id,
        actor_role=Role.CUSTOMER.value,
        subject_type="customer_relationship" if relationship_id else "user",
        subject_id=relationship_id or user_id or "",
        detail=purpose.value,
        client_address=client_address,
    )
    return challenge_info(challenge)


def start_first_login(
    db: Session,
    installation_number: str | None,
    metering_point_id: str | None,
    mobile: str | None,
    consent: bool,
    client_address: str | None,
    now: datetime | None = None,
    *,
    language: str = "nb",
    limiter: RateLimiter | None = None,
    terms_version: str = PRIVACY_TERMS_VERSION,
) -> ChallengeInfo:
    """Check the invoice data against the mobile on record and send a code to it.

    ``terms_version`` is the version of the privacy terms the page showed when the customer ticked
    the consent; it is recorded on the relationship once the combination matches.
    Raises ``FieldErrors`` for missing fields, an invalid mobile or a missing or outdated consent,
    and one generic ``DomainError("login.no_match")`` for a wrong combination.
    """
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    with _keep_security_state(db):
        installation = _clean(installation_number)
        metering_point = _clean(metering_point_id)
        errors: dict[str, str] = {}
        if not installation:
            errors["installation_number"] = _REQUIRED
        if not metering_point:
            errors["metering_point_id"] = _REQUIRED
        if not (mobile or "").strip():
            errors["mobile"] = _REQUIRED
        if not consent:
            errors["consent"] = "login.consent_required"
        if errors:
            raise FieldErrors(errors)
        check_terms_version(terms_version)

        _count_attempt_from_address(
            db, limiter, FIRST_LOGIN_PER_ADDRESS, "customer.first_login", client_address, now
        )

        e164 = parse_mobile(mobile)
        if e164 is None:
            raise FieldErrors({"mobile": "mobile.invalid"})

        relationship = db.exec(
            select(CustomerRelationship).where(
                CustomerRelationship.installation_number == installation,
                CustomerRelationship.metering_point_id == metering_point,
                col(CustomerRelationship.active),
            )
        ).first()
        customer = db.get(Customer, relationship.customer_id) if relationship else None
        if relationship is None or customer is None or parse_mobile(customer.mobile) != e164:
            record_audit(
                db,
                "customer.first_login",
                actor_role=Role.CUSTOMER.value,
                outcome="refused",
                detail="no matching customer relationship",
                client_address=client_address,
            )
            raise DomainError("login.no_match")

        record_privacy_consent(db, relationship, terms_version, client_address, now)
        account = find_customer_account(db, e164)
        return _send_code(
            db,
            limiter,
            purpose=ChallengePurpose.FIRST_LOGIN,
            mobile=e164,
            relationship_id=relationship.id,
            user_id=account.id if account else None,
            client_address=client_address,
            language=language,
            now=now,
        )


def resend_code(
    db: Session,
    challenge_id: str,
    client_address: str | None,
    now: datetime | None = None,
    *,
    language: str = "nb",
    limiter: RateLimiter | None = None,
) -> ChallengeInfo:
    """A new code for the same sign-in, after the cooldown; the old code dies."""
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    with _keep_security_state(db):
        challenge = find_challenge(db, challenge_id)
        if challenge is None or challenge.status in (
            ChallengeStatus.USED.value,
            ChallengeStatus.SUPERSEDED.value,
        ):
            raise DomainError("otp.invalid", field="code")
        # A challenge lives as long as its code: an old one cannot be revived by a resend.
        if challenge_info(challenge).expires_at <= now:
            raise DomainError("login.start_over", field="code")
        _require_challenge_still_valid(db, challenge, client_address)
        info = challenge_info(challenge)
        if info.resend_available_at > now:
            seconds = int((info.resend_available_at - now).total_seconds()) + 1
            raise DomainError("sms.resend_wait", seconds=seconds)
        return _send_code(
            db,
            limiter,
            purpose=ChallengePurpose(challenge.purpose),
            mobile=challenge.mobile,
            relationship_id=challenge.relationship_id,
            user_id=challenge.user_id,
            client_address=client_address,
            language=language,
            now=now,
        )


def _challenge_still_valid(db: Session, challenge: LoginChallenge) -> bool:
    """What the code was sent for still holds: the relationship is active and its customer's
    mobile is still the one the code went to; or the account still has that mobile."""
    if challenge.purpose == ChallengePurpose.FIRST_LOGIN.value:
        relationship = (
            db.get(CustomerRelationship, challenge.relationship_id)
            if challenge.relationship_id
            else None
        )
        if relationship is None or not relationship.active:
            return False
        customer = db.get(Customer, relationship.customer_id)
        return customer is not None and parse_mobile(customer.mobile) == challenge.mobile
    account = find_customer_account(db, challenge.mobile)
    return (
        account is not None
        and account.id == challenge.user_id
        and bool(account.password_hash)
    )


def _require_challenge_still_valid(
    db: Session, challenge: LoginChallenge, client_address: str | None
) -> None:
    """Re-check a challenge on every resend and verify; a stale one dies (``login.start_over``)."""
    if _challenge_still_valid(db, challenge):
        return
    challenge.status = ChallengeStatus.SUPERSEDED.value
    db.add(challenge)
    record_audit(
        db,
        "customer.code_rejected",
        actor_user_id=challenge.user_id,
        actor_role=Role.CUSTOMER.value,
        subject_type="customer_relationship" if challenge.relationship_id else "user",
        subject_id=challenge.relationship_id or challenge.user_id or "",
        outcome="refused",
        detail="relationship or mobile changed since the code was sent",
        client_address=client_address,
    )
    raise DomainError("login.start_over", field="code")


def linked_relationship_ids(db: Session, user_id: int) -> list[int]:
    return list(
        db.exec(
            select(AccountRelationship.relationship_id)
            .where(AccountRelationship.user_id == user_id)
            .order_by(col(AccountRelationship.linked_at), col(AccountRelationship.id))
        ).all()
    )


def _sign_in(
    db: Session,
    *,
    user: User | None,
    relationship_id: int | None,
    client_address: str | None,
    device_token: str | None,
    issue_device_token: bool,
    how: str,
    now: datetime,
) -> LoginResult:
    user_id = user.id if user else None
    token = start_session(
        db,
        Role.CUSTOMER,
        user_id=user_id,
        relationship_id=relationship_id,
        client_address=client_address,
        now=now,
    )
    linked = bool(user_id and relationship_id in linked_relationship_ids(db, user_id))
    if issue_device_token and user_id is not None:
        if not is_remembered_device(db, user_id, device_token, now=now):
            device_token = remember_device(db, user_id, now=now)
    else:
        device_token = None
    record_audit(
        db,
        "customer.signed_in",
        actor_user_id=user_id,
        actor_role=Role.CUSTOMER.value,
        subject_type="customer_relationship",
        subject_id=relationship_id or "",
        detail=how,
        client_address=client_address,
    )
    return LoginResult(
        session_token=token,
        relationship_id=relationship_id,
        user_id=user_id,
        device_token=device_token,
        relationship_linked=linked,
    )


def verify_code(
    db: Session,
    challenge_id: str,
    code: str | None,
    client_address: str | None,
    device_token: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """Redeem an SMS code and start the customer session.

    Wrong code: ``DomainError("otp.wrong", tries_left=n)``; the fifth wrong try kills the code
    (``otp.locked``). After a password login (and after a first login by an account holder)
    the result carries a remembered-device token.
    """
    now = now or utcnow()
    with _keep_security_state(db):
        pending = find_challenge(db, challenge_id)
        if pending is not None and pending.status == ChallengeStatus.LIVE.value:
            _require_challenge_still_valid(db, pending, client_address)
        try:
            challenge = redeem_code(db, challenge_id, code, now=now)
        except DomainError as error:
            if error.key in ("otp.wrong", "otp.locked"):
                record_audit(
                    db,
                    "customer.code_rejected",
                    actor_role=Role.CUSTOMER.value,
                    outcome="refused",
                    detail=error.key,
                    client_address=client_address,
                )
            raise
        account = find_customer_account(db, challenge.mobile)
        if challenge.purpose == ChallengePurpose.PASSWORD_LOGIN.value:
            if account is None or account.id != challenge.user_id:
                raise DomainError("otp.invalid", field="code")
            linked = linked_relationship_ids(db, account.id or 0)
            if not linked:
                raise DomainError("login.no_relationship")
            return _sign_in(
                db,
                user=account,
                relationship_id=linked[0],
                client_address=client_address,
                device_token=device_token,
                issue_device_token=True,
                how="password and sms code",
                now=now,
            )
        return _sign_in(
            db,
            user=account,
            relationship_id=challenge.relationship_id,
            client_address=client_address,
            device_token=device_token,
            issue_device_token=True,
            how="sms code",
            now=now,
        )


def login_with_password(
    db: Session,
    mobile: str | None,
    password: str | None,
    device_token: str | None,
    client_address: str | None,
    now: datetime | None = None,
    *,
    language: str = "nb",
    limiter: RateLimiter | None = None,
) -> PasswordLoginOutcome:
    """Mobile + password. A remembered device signs in at once; a new one gets an SMS code.

    Password checks are bounded by ``login_throttle`` per (mobile, address) and per mobile,
    the same whether or not an account exists (``login.locked``).
    """
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    with _keep_security_state(db):
        errors: dict[str, str] = {}
        if not (mobile or "").strip():
            errors["mobile"] = _REQUIRED
        if not password:
            errors["password"] = _REQUIRED
        if errors:
            raise FieldErrors(errors)
        assert password is not None
        _count_attempt_from_address(
            db, limiter, PASSWORD_LOGIN_PER_ADDRESS, "customer.password_login", client_address, now
        )
        e164 = normalise_mobile(mobile)
        account = find_customer_account(db, e164)
        if account is not None and not account.password_hash:
            account = None
        identity = customer_identity(e164)
        trusted_device = account is not None and is_remembered_device(
            db, account.id or 0, device_token, now=now
        )
        try:
            claim_password_attempt(
                limiter, identity, client_address, trusted_device=trusted_device, now=now
            )
        except PasswordAttemptsLocked:
            record_audit(
                db,
                "customer.password_login",
                actor_user_id=account.id if account else None,
                actor_role=Role.CUSTOMER.value,
                outcome="refused",
                detail="password checks locked",
                client_address=client_address,
            )
            raise
        # The claim is committed before the slow hash: it survives whatever follows, and on
        # PostgreSQL the limiter's lock is not held while argon2 runs.
        db.commit()
        if account is None:
            passwords.verify_password(None, password)  # same cost as a wrong password
            _password_rejected(db, limiter, None, identity, client_address, now)
        assert account is not None and account.password_hash is not None
        if not passwords.verify_password(account.password_hash, password):
            _password_rejected(db, limiter, account, identity, client_address, now)
        forget_password_failures(limiter, identity, client_address)
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash_password(password)
        db.add(account)

        assert account.id is not None
        linked = linked_relationship_ids(db, account.id)
        if not linked:
            raise DomainError("login.no_relationship")
        if is_remembered_device(db, account.id, device_token, now=now):
            return PasswordLoginOutcome(
                result=_sign_in(
                    db,
                    user=account,
                    relationship_id=linked[0],
                    client_address=client_address,
                    device_token=device_token,
                    issue_device_token=True,
                    how="password on remembered device",
                    now=now,
                )
            )
        return PasswordLoginOutcome(
            challenge=_send_code(
                db,
                limiter,
                purpose=ChallengePurpose.PASSWORD_LOGIN,
                mobile=e164,
                relationship_id=None,
                user_id=account.id,
                client_address=client_address,
                language=language,
                now=now,
            )
        )


def _password_rejected(
    db: Session,
    limiter: RateLimiter,
    account: User | None,
    identity: str,
    client_address: str | None,
    now: datetime,
) -> NoReturn:
    """Audit a wrong password (or an unknown mobile) and raise the one answer for both."""
    exhausted = password_attempts_exhausted(limiter, identity, client_address, now=now)
    record_audit(
        db,
        "customer.account_locked" if exhausted else "customer.password_rejected",
        actor_user_id=account.id if account else None,
        actor_role=Role.CUSTOMER.value,
        subject_type="user" if account else "",
        subject_id=(account.id or "") if account else "",
        outcome="refused",
        detail="" if account else "no account",
        client_address=client_address,
    )
    if exhausted:
        raise PasswordAttemptsLocked(int(FAILURES_PER_IDENTITY_AND_ADDRESS.window.total_seconds() // 60))
    raise DomainError("login.bad_credentials")
