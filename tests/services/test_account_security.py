"""Issue 10 items 6, 7, 10, 11: what a password change ends, old challenges, deleting needs
the password, every hashing path is rate-limited."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from customer_factories import GOOD, T0, code_sent_to, principal_of, sign_in_by_sms
from sqlmodel import select

from app.models import Customer, CustomerRelationship, User
from app.services.customer.accounts import change_password, delete_account
from app.services.customer.login import resend_code, start_first_login, verify_code
from app.services.customer.password_login import login_with_password
from app.services.customer.remembered_devices import is_remembered_device, remember_device
from app.services.errors import DomainError
from app.services.otp import RESEND_COOLDOWN
from app.services.rate_limit import PASSWORD_HASHES_PER_ADDRESS
from app.services.sessions import resolve_principal

ADDRESS = "10.0.0.1"
NEW = "Kanelsnurr med kardemomme"


# -- item 6: a password change ends every other session and remembered device ---------------


def test_password_change_ends_other_sessions_and_remembered_devices(db, account):
    customer, principal, token = account
    other = sign_in_by_sms(db, customer, now=T0 + timedelta(seconds=1), address="10.0.0.2")
    device = remember_device(db, principal.user_id, now=T0)
    db.commit()
    assert resolve_principal(db, other.session_token, now=T0 + timedelta(seconds=2))

    change_password(db, principal, GOOD, NEW, NEW, now=T0 + timedelta(seconds=3))
    db.commit()

    later = T0 + timedelta(seconds=4)
    assert resolve_principal(db, other.session_token, now=later) is None
    assert not is_remembered_device(db, principal.user_id, device, now=later)
    assert not is_remembered_device(db, principal.user_id, other.device_token, now=later)
    # The session that changed it stays signed in.
    assert resolve_principal(db, token, now=later) is not None


# -- item 10: a challenge lives as long as its code and is re-checked ------------------------


def _first_login(db, customer, now=T0):
    info = start_first_login(
        db,
        customer.installation_number,
        customer.metering_point_id,
        customer.mobile,
        True,
        ADDRESS,
        now=now,
    )
    db.commit()
    return info


def test_an_expired_challenge_cannot_be_resent(db, make_customer):
    customer = make_customer()
    info = _first_login(db, customer)
    with pytest.raises(DomainError) as error:
        resend_code(db, info.challenge_id, ADDRESS, now=T0 + timedelta(days=3))
    assert error.value.key == "login.start_over"


def test_resend_after_the_mobile_changed_sends_nothing_to_the_old_number(db, make_customer):
    customer = make_customer()
    info = _first_login(db, customer)
    old_code = code_sent_to(db, customer.e164)
    stored = db.get(Customer, customer.customer_id)
    stored.mobile = "+4798765432"
    db.add(stored)
    db.commit()
    with pytest.raises(DomainError) as error:
        resend_code(db, info.challenge_id, ADDRESS, now=T0 + RESEND_COOLDOWN)
    assert error.value.key == "login.start_over"
    assert code_sent_to(db, customer.e164) == old_code  # no new SMS to the old number


def test_verify_after_the_relationship_was_deactivated_is_refused(db, make_customer):
    customer = make_customer()
    info = _first_login(db, customer)
    code = code_sent_to(db, customer.e164)
    relationship = db.get(CustomerRelationship, customer.relationship_id)
    relationship.active = False
    db.add(relationship)
    db.commit()
    with pytest.raises(DomainError) as error:
        verify_code(db, info.challenge_id, code, ADDRESS, now=T0 + timedelta(seconds=5))
    assert error.value.key == "login.start_over"


def test_password_challenge_dies_when_the_account_is_deleted(db, account):
    customer, principal, _ = account
    outcome = login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0)
    db.commit()
    code = code_sent_to(db, customer.e164)
    user = db.get(User, principal.user_id)
    user.is_active = False
    db.add(user)
    db.commit()
    with pytest.raises(DomainError) as error:
        verify_code(db, outcome.challenge.challenge_id, code, ADDRESS, now=T0 + timedelta(seconds=5))
    assert error.value.key == "login.start_over"


# -- item 11: deleting the account asks for the password -------------------------------------


def test_a_session_from_an_sms_code_alone_cannot_delete_the_account(db, account):
    customer, principal, _ = account
    # The account holder's later first login by SMS: a session on the account, no password.
    by_sms = sign_in_by_sms(db, customer, now=T0 + timedelta(minutes=1))
    sms_principal = principal_of(db, by_sms.session_token, now=T0 + timedelta(minutes=1))
    assert sms_principal.user_id == principal.user_id
    for typed in (None, "", "wrong"):
        with pytest.raises(DomainError) as error:
            delete_account(db, sms_principal, typed, now=T0 + timedelta(minutes=1))
        assert error.value.key == "password.wrong" and error.value.field == "password"
    db.rollback()
    user = db.get(User, principal.user_id)
    db.refresh(user)
    assert user.is_active and user.mobile == customer.e164
    delete_account(db, sms_principal, GOOD, now=T0 + timedelta(minutes=1))
    db.commit()
    db.refresh(user)
    assert not user.is_active


def test_guessing_the_password_on_the_delete_form_is_locked_like_a_sign_in(db, account):
    _customer, principal, _ = account
    keys = []
    for n in range(11):
        with pytest.raises(DomainError) as error:
            delete_account(db, principal, f"guess {n}", now=T0 + timedelta(seconds=n))
        keys.append(error.value.key)
    assert keys[-1] == "login.locked"
    with pytest.raises(DomainError) as error:
        delete_account(db, principal, GOOD, now=T0 + timedelta(seconds=20))
    assert error.value.key == "login.locked"


# -- item 7: every path that hashes a new password is rate-limited ----------------------------


def test_password_changes_are_rate_limited(db, account):
    _customer, principal, _ = account
    passwords_in_turn = [GOOD] + [f"{NEW} {n}" for n in range(PASSWORD_HASHES_PER_ADDRESS.count + 1)]
    keys = []
    for n, (current, new) in enumerate(pairwise(passwords_in_turn)):
        try:
            change_password(db, principal, current, new, new, now=T0 + timedelta(seconds=n))
            db.commit()
            keys.append("ok")
        except DomainError as error:
            keys.append(error.key)
            break
    # The account was created from this address too (one hash).
    assert keys == ["ok"] * (PASSWORD_HASHES_PER_ADDRESS.count - 1) + ["login.too_many_attempts"]


def test_an_unchanged_relationship_still_signs_in(db, make_customer):
    """The re-check does not refuse a challenge whose relationship is unchanged."""
    customer = make_customer()
    info = _first_login(db, customer)
    result = verify_code(db, info.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=T0)
    assert result.relationship_id == customer.relationship_id
    assert db.exec(select(CustomerRelationship)).first() is not None
