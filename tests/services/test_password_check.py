"""The one password check of both sign-ins (issue 22.4): only failures count per address
(issue 21.5), and many addresses never lock the owner out (issue 20.8, a step-up instead)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from customer_factories import GOOD, T0, code_sent_to
from sqlmodel import func, select

from app.models import AuditEntry, OutboxMessage, User
from app.services import password_check, passwords
from app.services.accounts import accounts as email_accounts
from app.services.customer import password_login
from app.services.customer.login import resend_code, verify_code
from app.services.customer.password_login import login_with_password
from app.services.customer.remembered_devices import remember_device
from app.services.errors import DomainError
from app.services.login_throttle import FAILURES_PER_IDENTITY, FAILURES_PER_IDENTITY_AND_ADDRESS
from app.services.rate_limit import PASSWORD_LOGIN_PER_ADDRESS

OFFICE = "127.0.3.2"
HOME = "127.0.3.3"
EMAIL_PASSWORD = "Fjord#Blueberry26"


@pytest.fixture
def account_address() -> str:
    """The customer of ``account`` signed in at home."""
    return HOME


def _sms_count(db, e164: str) -> int:
    return db.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == e164)
    ).one()


def test_both_sign_ins_go_through_the_one_check(db, account, monkeypatch):
    calls = []
    real = password_check.check_password

    def spy(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(password_login, "check_password", spy)
    monkeypatch.setattr(email_accounts, "check_password", spy)
    customer, _principal, _ = account
    login_with_password(db, customer.mobile, GOOD, None, OFFICE, now=T0)
    with pytest.raises(DomainError):
        email_accounts.login(db, "nobody@example.org", "x", client_address=OFFICE, now=T0)
    assert calls == [password_login.CUSTOMER_PASSWORD_LOGIN, email_accounts.EMAIL_PASSWORD_LOGIN]


def test_right_passwords_do_not_use_up_the_address_allowance_of_a_customer(db, account):
    """Issue 21.5: 35 right sign-ins from one office address in 25 minutes all succeed."""
    customer, principal, _ = account
    device = remember_device(db, principal.user_id, now=T0)
    db.commit()
    for n in range(PASSWORD_LOGIN_PER_ADDRESS.count + 5):
        outcome = login_with_password(
            db, customer.mobile, GOOD, device, OFFICE, now=T0 + timedelta(seconds=40 * n)
        )
        db.commit()
        assert outcome.result is not None, n


def test_right_passwords_do_not_use_up_the_address_allowance_of_an_email_account(db):
    db.add(
        User(
            email="kontor@example.org",
            role="distributor",
            name="Kontor",
            password_hash=passwords.hash_password(EMAIL_PASSWORD),
        )
    )
    db.commit()
    for n in range(PASSWORD_LOGIN_PER_ADDRESS.count + 5):
        signed_in = email_accounts.login(
            db,
            "kontor@example.org",
            EMAIL_PASSWORD,
            client_address=OFFICE,
            now=T0 + timedelta(seconds=40 * n),
        )
        db.commit()
        assert signed_in.session_token, n
    # Failures still count: the address's allowance of wrong passwords is unchanged.
    later = T0 + timedelta(minutes=30)
    for n in range(PASSWORD_LOGIN_PER_ADDRESS.count):
        with pytest.raises(DomainError) as caught:
            email_accounts.login(db, f"n{n}@example.org", "Wrong#Password1", client_address=OFFICE, now=later)
        assert caught.value.key == "account.bad_credentials"
    with pytest.raises(DomainError) as caught:
        email_accounts.login(db, "kontor@example.org", EMAIL_PASSWORD, client_address=OFFICE, now=later)
    assert caught.value.key == "login.too_many_attempts"


def _attack_from_ten_addresses(db, mobile: str) -> None:
    per_address = FAILURES_PER_IDENTITY_AND_ADDRESS.count
    addresses = FAILURES_PER_IDENTITY.count // per_address
    assert addresses == 10
    for a in range(addresses):
        for n in range(per_address):
            with pytest.raises(DomainError):
                login_with_password(
                    db,
                    mobile,
                    f"wrong{n}",
                    None,
                    f"127.0.3.{10 + a}",
                    now=T0 + timedelta(seconds=a * per_address + n),
                )
            db.rollback()


def test_ten_attacker_addresses_do_not_lock_the_owner_out(db, account):
    """Issue 20.8: past the per-account bound the right password signs in after an SMS code."""
    customer, _principal, _ = account
    _attack_from_ten_addresses(db, customer.mobile)
    later = T0 + timedelta(minutes=5)
    sent_before = _sms_count(db, customer.e164)
    outcome = login_with_password(db, customer.mobile, GOOD, None, "127.0.3.30", now=later)
    db.commit()
    assert outcome.challenge is not None
    assert _sms_count(db, customer.e164) == sent_before + 1
    result = verify_code(
        db, outcome.challenge.challenge_id, code_sent_to(db, customer.e164), "127.0.3.30", now=later
    )
    assert result.user_id is not None and result.session_token


def test_past_the_bound_a_wrong_password_is_answered_like_a_right_one_and_opens_nothing(db, account):
    customer, _principal, _ = account
    _attack_from_ten_addresses(db, customer.mobile)
    later = T0 + timedelta(minutes=5)
    sent_before = _sms_count(db, customer.e164)
    outcome = login_with_password(db, customer.mobile, "guess", None, "127.0.3.31", now=later)
    db.commit()
    # The same answer as a right password (a code "sent"), but nothing went to the owner ...
    assert outcome.challenge is not None and outcome.result is None
    assert outcome.challenge.masked_mobile
    assert _sms_count(db, customer.e164) == sent_before
    # ... a resend sends nothing either, and no code opens it.
    info = resend_code(db, outcome.challenge.challenge_id, "127.0.3.31", now=later + timedelta(minutes=2))
    db.commit()
    assert _sms_count(db, customer.e164) == sent_before
    keys = []
    for code in ("000000", "123456", "999999", "424242", "111111"):
        with pytest.raises(DomainError) as caught:
            verify_code(db, info.challenge_id, code, "127.0.3.31", now=later + timedelta(minutes=2))
        keys.append(caught.value.key)
    assert keys == ["otp.wrong"] * 4 + ["otp.locked"]
    # Audited as a wrong password, like every other.
    assert (
        db.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "customer.password_rejected")
        ).one()
        == 9 * 10 + 1
    )


def test_past_the_bound_an_unknown_mobile_answers_the_same(db, account):
    unknown = "+47 400 00 077"
    _attack_from_ten_addresses(db, unknown)
    outcome = login_with_password(db, unknown, GOOD, None, "127.0.3.32", now=T0 + timedelta(minutes=5))
    assert outcome.challenge is not None and outcome.result is None
