"""Customer sign-in by mobile + password: a remembered device signs in at once, a new one gets
an SMS code. Password checks are bounded by ``login_throttle``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.models import (
    ChallengePurpose,
    Role,
)
from app.models.base import utcnow
from app.services.customer.login import send_code, send_decoy_code
from app.services.customer.login_steps import (
    REQUIRED,
    LoginResult,
    account_landing,
    find_customer_account,
    keep_security_state,
    start_customer_session,
)
from app.services.customer.remembered_devices import is_remembered_device
from app.services.form_errors import FieldErrors
from app.services.login_throttle import customer_identity
from app.services.mobile_numbers import normalise_mobile
from app.services.otp import (
    ChallengeInfo,
)
from app.services.password_check import PasswordLoginKind, check_password
from app.services.rate_limit import RateLimiter, default_rate_limiter

CUSTOMER_PASSWORD_LOGIN = PasswordLoginKind(
    refused_action="customer.password_login",
    rejected_action="customer.password_rejected",
    unknown_action="customer.password_rejected",
    unknown_detail="no account",
    wrong_key="login.bad_credentials",
    actor_role=Role.CUSTOMER.value,
    exhausted_action="customer.account_locked",
)


@dataclass(frozen=True)
class PasswordLoginOutcome:
    """Either signed in (remembered device) or a code was sent (``challenge``)."""

    result: LoginResult | None = None
    challenge: ChallengeInfo | None = None


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

    The password is checked by ``check_password`` (bounded per address, per (mobile, address)
    and per mobile, the same whether or not an account exists). Past the per-mobile bound a
    right password still signs in, after a fresh SMS code even on a remembered device, and a
    wrong one gets the same answer (a code that never comes): others cannot lock the owner out.
    """
    now = now or utcnow()
    limiter = limiter or default_rate_limiter(db)
    with keep_security_state(db):
        errors: dict[str, str] = {}
        if not (mobile or "").strip():
            errors["mobile"] = REQUIRED
        if not password:
            errors["password"] = REQUIRED
        if errors:
            raise FieldErrors(errors)
        assert password is not None
        e164 = normalise_mobile(mobile)
        account = find_customer_account(db, e164)
        if account is not None and not account.password_hash:
            account = None
        trusted_device = account is not None and is_remembered_device(
            db, account.id or 0, device_token, now=now
        )
        checked = check_password(
            db,
            limiter,
            CUSTOMER_PASSWORD_LOGIN,
            identity=customer_identity(e164),
            account=account,
            password=password,
            client_address=client_address,
            now=now,
            trusted_device=trusted_device,
            step_up_possible=True,
        )
        if not checked.right:  # past the account's bound: answered as a right password is
            return PasswordLoginOutcome(
                challenge=send_decoy_code(
                    db,
                    limiter,
                    purpose=ChallengePurpose.PASSWORD_LOGIN,
                    mobile=e164,
                    user_id=account.id if account else None,
                    client_address=client_address,
                    now=now,
                )
            )
        assert account is not None
        assert account.id is not None
        landing, own = account_landing(db, account, now)
        if not checked.step_up and is_remembered_device(db, account.id, device_token, now=now):
            return PasswordLoginOutcome(
                result=start_customer_session(
                    db,
                    user=account,
                    relationship_id=landing,
                    client_address=client_address,
                    device_token=device_token,
                    issue_device_token=True,
                    how="password on remembered device",
                    now=now,
                    own_relationship_id=own,
                )
            )
        return PasswordLoginOutcome(
            challenge=send_code(
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
