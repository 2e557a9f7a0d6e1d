"""Customer sign-in by SMS code: first login by invoice data, resending and verifying the code.

The caller owns the transaction. Security state (wrong tries, failed passwords, rate-limit
hits, audit rows of refusals) is committed before an error is raised, so a rollback by the
caller cannot undo it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import (
    ChallengePurpose,
    ChallengeStatus,
    Customer,
    CustomerRelationship,
    LoginChallenge,
    Role,
)
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.customer.login_steps import (
    REQUIRED,
    LoginResult,
    account_landing,
    address_or_unknown,
    count_attempt_from_address,
    find_customer_account,
    keep_security_state,
    start_customer_session,
    without_spaces,
)
from app.services.customer.privacy_terms import (
    PRIVACY_TERMS_VERSION,
    check_terms_version,
    record_privacy_consent,
)
from app.services.customer.visibility import live_grants_for_mobile
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.mobile_numbers import parse_mobile
from app.services.otp import (
    PROVIDER_DECOY,
    ChallengeInfo,
    challenge_info,
    find_challenge,
    issue_challenge,
    issue_decoy_challenge,
    redeem_code,
)
from app.services.rate_limit import (
    FIRST_LOGIN_PER_ADDRESS,
    SMS_PER_ADDRESS,
    SMS_PER_MOBILE,
    RateLimiter,
    default_rate_limiter,
    within_limits,
)

log = logging.getLogger(__name__)


# Parsed in place of a mobile on record when nothing matched: the same cost as a real one.
_NO_MOBILE_ON_RECORD = "+47 400 00 000"

__all__ = [
    "ChallengeInfo",
    "resend_code",
    "send_code",
    "start_first_login",
    "start_shared_login",
    "verify_code",
]


def send_code(
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
    address = address_or_unknown(client_address)
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


def send_decoy_code(
    db: Session,
    limiter: RateLimiter,
    *,
    purpose: ChallengePurpose,
    mobile: str,
    user_id: int | None,
    client_address: str | None,
    now: datetime,
) -> ChallengeInfo:
    """Answer as ``send_code`` would, but send nothing: the challenge no code opens.

    The address's SMS allowance is counted as for a real code; the mobile's is only read (a
    full one answers the same), so an attacker's decoys never use up the owner's SMS.
    """
    address = address_or_unknown(client_address)
    mobile_full = limiter.count(SMS_PER_MOBILE.key(mobile), SMS_PER_MOBILE.window, now=now) >= (
        SMS_PER_MOBILE.count
    )
    if mobile_full or not within_limits(limiter, [(SMS_PER_ADDRESS, address)], now=now):
        record_audit(
            db,
            "customer.sms_limited",
            actor_user_id=user_id,
            actor_role=Role.CUSTOMER.value,
            subject_type="user",
            subject_id=user_id or "",
            outcome="refused",
            client_address=client_address,
        )
        raise DomainError("sms.too_many")
    challenge = issue_decoy_challenge(
        db, purpose=purpose, mobile=mobile, user_id=user_id, client_address=client_address, now=now
    )
    record_audit(
        db,
        "customer.code_sent",
        actor_user_id=user_id,
        actor_role=Role.CUSTOMER.value,
        subject_type="user",
        subject_id=user_id or "",
        detail=f"{purpose.value}, after a wrong password past the account's bound (no SMS)",
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
    with keep_security_state(db):
        installation = without_spaces(installation_number)
        metering_point = without_spaces(metering_point_id)
        errors: dict[str, str] = {}
        if not installation:
            errors["installation_number"] = REQUIRED
        if not metering_point:
            errors["metering_point_id"] = REQUIRED
        if not (mobile or "").strip():
            errors["mobile"] = REQUIRED
        if not consent:
            errors["consent"] = "login.consent_required"
        if errors:
            raise FieldErrors(errors)
        check_terms_version(terms_version)

        count_attempt_from_address(
            db, limiter, FIRST_LOGIN_PER_ADDRESS, "customer.first_login", client_address, now
        )

        e164 = parse_mobile(mobile)
        if e164 is None:
            raise FieldErrors({"mobile": "mobile.invalid"})

        # One query and one parse whatever matched: a wrong installation number and a right one
        # with the wrong mobile do the same work (issue 20.15, no timing oracle).
        found = db.exec(
            select(CustomerRelationship, Customer.mobile)
            .join(Customer, col(Customer.id) == col(CustomerRelationship.customer_id))
            .where(
                CustomerRelationship.installation_number == installation,
                CustomerRelationship.metering_point_id == metering_point,
                col(CustomerRelationship.active),
            )
        ).first()
        relationship, stored_mobile = found if found is not None else (None, None)
        on_record = parse_mobile(stored_mobile or _NO_MOBILE_ON_RECORD)
        if relationship is None or stored_mobile is None or on_record != e164:
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
        return send_code(
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


def start_shared_login(
    db: Session,
    mobile: str | None,
    client_address: str | None,
    now: datetime | None = None,
    *,
    language: str = "nb",
    limiter: RateLimiter | None = None,
) -> ChallengeInfo:
    """Sign-in of a person a customer relationship was shared with: their own mobile and an
    SMS code. A mobile with nothing shared gets the same answer and no SMS (a decoy), so the
    form tells nobody which numbers have access."""
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    with keep_security_state(db):
        if not (mobile or "").strip():
            raise FieldErrors({"shared_mobile": REQUIRED})
        count_attempt_from_address(
            db, limiter, FIRST_LOGIN_PER_ADDRESS, "customer.shared_login", client_address, now
        )
        e164 = parse_mobile(mobile)
        if e164 is None:
            raise FieldErrors({"shared_mobile": "mobile.invalid"})
        account = find_customer_account(db, e164)
        if not live_grants_for_mobile(db, e164, now):
            return send_decoy_code(
                db,
                limiter,
                purpose=ChallengePurpose.SHARED_LOGIN,
                mobile=e164,
                user_id=account.id if account else None,
                client_address=client_address,
                now=now,
            )
        return send_code(
            db,
            limiter,
            purpose=ChallengePurpose.SHARED_LOGIN,
            mobile=e164,
            relationship_id=None,
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
    with keep_security_state(db):
        challenge = find_challenge(db, challenge_id)
        if challenge is None or challenge.status in (
            ChallengeStatus.USED.value,
            ChallengeStatus.SUPERSEDED.value,
        ):
            raise DomainError("otp.invalid", field="code")
        # A challenge lives as long as its code: an old one cannot be revived by a resend.
        if challenge_info(challenge).expires_at <= now:
            raise DomainError("login.start_over", field="code")
        if challenge.provider != PROVIDER_DECOY:  # a decoy answers alike for any mobile
            _require_challenge_still_valid(db, challenge, client_address)
        info = challenge_info(challenge)
        if info.resend_available_at > now:
            seconds = int((info.resend_available_at - now).total_seconds()) + 1
            raise DomainError("sms.resend_wait", seconds=seconds)
        if challenge.provider == PROVIDER_DECOY:
            return send_decoy_code(
                db,
                limiter,
                purpose=ChallengePurpose(challenge.purpose),
                mobile=challenge.mobile,
                user_id=challenge.user_id,
                client_address=client_address,
                now=now,
            )
        return send_code(
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
    mobile is still the one the code went to; something is still shared with the mobile; or the
    account still has that mobile."""
    if challenge.purpose == ChallengePurpose.SHARED_LOGIN.value:
        return bool(live_grants_for_mobile(db, challenge.mobile, utcnow()))
    if challenge.purpose == ChallengePurpose.FIRST_LOGIN.value:
        relationship = (
            db.get(CustomerRelationship, challenge.relationship_id) if challenge.relationship_id else None
        )
        if relationship is None or not relationship.active:
            return False
        customer = db.get(Customer, relationship.customer_id)
        return customer is not None and parse_mobile(customer.mobile) == challenge.mobile
    account = find_customer_account(db, challenge.mobile)
    return account is not None and account.id == challenge.user_id and bool(account.password_hash)


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
    with keep_security_state(db):
        pending = find_challenge(db, challenge_id)
        if (
            pending is not None
            and pending.status == ChallengeStatus.LIVE.value
            and pending.provider != PROVIDER_DECOY
        ):
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
        if challenge.purpose == ChallengePurpose.SHARED_LOGIN.value:
            shared = live_grants_for_mobile(db, challenge.mobile, now)
            if not shared:
                raise DomainError("login.start_over", field="code")
            return start_customer_session(
                db,
                user=account,
                relationship_id=shared[0][0].relationship_id,
                client_address=client_address,
                device_token=device_token,
                issue_device_token=account is not None,
                how="sms code, shared access",
                now=now,
                mobile=challenge.mobile,
                own_relationship_id=None,
            )
        if challenge.purpose == ChallengePurpose.PASSWORD_LOGIN.value:
            if account is None or account.id != challenge.user_id:
                raise DomainError("otp.invalid", field="code")
            landing, own = account_landing(db, account, now)
            return start_customer_session(
                db,
                user=account,
                relationship_id=landing,
                client_address=client_address,
                device_token=device_token,
                issue_device_token=True,
                how="password and sms code",
                now=now,
                own_relationship_id=own,
            )
        return start_customer_session(
            db,
            user=account,
            relationship_id=challenge.relationship_id,
            client_address=client_address,
            device_token=device_token,
            issue_device_token=True,
            how="sms code",
            now=now,
            mobile=challenge.mobile,
        )
