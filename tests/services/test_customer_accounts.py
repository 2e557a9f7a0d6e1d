"""Password accounts: argon2id, password rules, lockout, remembered devices, profile, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from customer_factories import GOOD, T0, code_sent_to, principal_of, sign_in_by_sms
from sqlmodel import select

from app.models import (
    AccountRelationship,
    AuditEntry,
    LoginChallenge,
    RememberedDevice,
    User,
    UserSession,
)
from app.services import passwords
from app.services.customer.accounts import (
    account_profile,
    change_password,
    create_account,
    delete_account,
)
from app.services.customer.login import verify_code
from app.services.customer.password_login import login_with_password
from app.services.customer.remembered_devices import REMEMBER_FOR, is_remembered_device, remember_device
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.sessions import resolve_principal, sign_out

ADDRESS = "10.0.0.1"


def test_hashes_are_argon2id():
    digest = passwords.hash_password(GOOD)
    assert digest.startswith("$argon2id$")
    assert passwords.verify_password(digest, GOOD)
    assert not passwords.verify_password(digest, GOOD + "x")
    assert not passwords.verify_password(None, GOOD)


@pytest.mark.parametrize(
    ("password", "again", "errors"),
    [
        ("kort", "kort", {"password": "password.too_short"}),
        ("passord123", "passord123", {"password": "password.common"}),
        ("Password1", "Password1", {"password": "password.common"}),
        ("qwertyuiop", "qwertyuiop", {"password": "password.common"}),
        (GOOD, GOOD + " ", {"password_again": "password.mismatch"}),
    ],
)
def test_new_password_rules(password, again, errors):
    with pytest.raises(FieldErrors) as error:
        passwords.validate_new_password(password, again)
    assert error.value.errors == errors


def test_the_common_password_list_is_substantial():
    assert len(passwords.common_passwords()) > 5000
    assert passwords.is_common_password("Sommer2024")


def test_create_account_binds_the_mobile_and_links_the_relationship(db, account):
    customer, principal, token = account
    user = db.get(User, principal.user_id)
    assert user.mobile == customer.e164 and user.role == "customer"
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD not in user.password_hash
    links = db.exec(select(AccountRelationship)).all()
    assert [(link.user_id, link.relationship_id) for link in links] == [(user.id, customer.relationship_id)]
    assert resolve_principal(db, token).user_id == user.id
    assert account_profile(db, principal).has_account
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "customer.account_created")).one()
    assert customer.e164 not in audit.detail


def test_a_second_account_for_the_same_mobile_is_refused(db, account, make_customer):
    _customer, principal, _ = account
    with pytest.raises(DomainError) as error:
        create_account(db, principal, GOOD, GOOD)
    assert error.value.key == "account.exists"


def test_password_login_on_a_new_device_needs_an_sms_code(db, account):
    customer, _, _ = account
    outcome = login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0)
    db.commit()
    assert outcome.result is None and outcome.challenge is not None
    assert outcome.challenge.masked_mobile.endswith("567")
    result = verify_code(db, outcome.challenge.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=T0)
    assert result.user_id is not None and result.relationship_id == customer.relationship_id
    assert result.device_token and result.relationship_linked


def test_remembered_device_skips_the_code_for_30_days(db, account):
    customer, principal, _ = account
    device = remember_device(db, principal.user_id, now=T0)
    db.commit()
    outcome = login_with_password(db, customer.mobile, GOOD, device, ADDRESS, now=T0)
    assert outcome.challenge is None and outcome.result is not None
    assert outcome.result.device_token == device
    almost = T0 + REMEMBER_FOR - timedelta(seconds=1)
    assert is_remembered_device(db, principal.user_id, device, now=almost)
    assert not is_remembered_device(db, principal.user_id, device, now=T0 + REMEMBER_FOR)
    later = login_with_password(db, customer.mobile, GOOD, device, ADDRESS, now=T0 + REMEMBER_FOR)
    assert later.challenge is not None


def test_device_tokens_are_signed_bound_to_the_account_and_stored_hashed(db, account):
    _, principal, _ = account
    device = remember_device(db, principal.user_id, now=T0)
    row = db.exec(select(RememberedDevice)).one()
    assert device not in row.token_hash and len(row.token_hash) == 64
    nonce, expires, signature = device.split(".")
    forged = f"{nonce}.{int(expires) + 86400}.{signature}"
    assert not is_remembered_device(db, principal.user_id, forged, now=T0)
    assert not is_remembered_device(db, principal.user_id + 1, device, now=T0)
    assert not is_remembered_device(db, principal.user_id, "garbage", now=T0)


def _wrong_passwords(db, mobile, count, *, address=ADDRESS, start=T0):
    keys = []
    for attempt in range(count):
        with pytest.raises(DomainError) as error:
            login_with_password(db, mobile, "wrong", None, address, now=start + timedelta(seconds=attempt))
        keys.append(error.value.key)
    return keys


def test_ten_wrong_passwords_lock_that_address_out_of_the_account_for_15_minutes(db, account):
    customer, _principal, _ = account
    keys = _wrong_passwords(db, customer.mobile, 10)
    assert keys == ["login.bad_credentials"] * 9 + ["login.locked"]
    db.rollback()  # the caller's rollback must not undo the lock
    # Locked: even the right password is refused from that address.
    with pytest.raises(DomainError) as error:
        login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0 + timedelta(minutes=14))
    assert error.value.key == "login.locked"
    # Unlocked once the failures have left the 15-minute window.
    outcome = login_with_password(
        db, customer.mobile, GOOD, None, ADDRESS, now=T0 + timedelta(minutes=15, seconds=10)
    )
    assert outcome.challenge is not None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "customer.account_locked")).one()


def test_an_attacker_address_cannot_lock_the_customer_out(db, account):
    """Issue 10 item 5: knowing the mobile was enough to keep the account locked for everyone."""
    customer, _principal, _ = account
    _wrong_passwords(db, customer.mobile, 10, address="203.0.113.66")
    _wrong_passwords(db, customer.mobile, 10, address="203.0.113.67", start=T0 + timedelta(seconds=20))
    outcome = login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0 + timedelta(minutes=1))
    assert outcome.challenge is not None


def test_failures_decay(db, account):
    """Nine wrong passwords, then nine more 16 minutes later: never locked (they used to add up)."""
    customer, _principal, _ = account
    assert "login.locked" not in _wrong_passwords(db, customer.mobile, 9)
    later = T0 + timedelta(minutes=16)
    assert "login.locked" not in _wrong_passwords(db, customer.mobile, 9, start=later)


def test_a_right_password_clears_the_failures_of_its_address(db, account):
    customer, _principal, _ = account
    _wrong_passwords(db, customer.mobile, 9)
    login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0 + timedelta(seconds=30))
    assert "login.locked" not in _wrong_passwords(db, customer.mobile, 9, start=T0 + timedelta(seconds=40))


def test_unknown_mobile_is_locked_like_a_real_account(db, account):
    """No oracle: an unknown mobile gets the same answers, lock included."""
    customer, _principal, _ = account
    unknown = "+47 400 00 000"
    assert _wrong_passwords(db, unknown, 10) == _wrong_passwords(db, customer.mobile, 10)
    for mobile in (unknown, customer.mobile):
        with pytest.raises(DomainError) as error:
            login_with_password(db, mobile, GOOD, None, ADDRESS, now=T0 + timedelta(minutes=1))
        assert error.value.key == "login.locked"


def test_many_addresses_lock_the_account_but_not_its_remembered_device(db, account):
    customer, principal, _ = account
    device = remember_device(db, principal.user_id, now=T0)
    db.commit()
    for n in range(10):
        _wrong_passwords(
            db, customer.mobile, 10, address=f"198.51.100.{n}", start=T0 + timedelta(seconds=20 * n)
        )
    later = T0 + timedelta(minutes=5)
    # Issue 20.8: no longer "locked" for a new device: a fresh SMS code instead (a step-up).
    stepped_up = login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=later)
    assert stepped_up.challenge is not None and stepped_up.result is None
    outcome = login_with_password(db, customer.mobile, GOOD, device, ADDRESS, now=later)
    assert outcome.result is not None


def test_unknown_mobile_and_wrong_password_give_the_same_message(db, account):
    with pytest.raises(DomainError) as unknown:
        login_with_password(db, "+47 400 00 000", GOOD, None, ADDRESS, now=T0)
    with pytest.raises(DomainError) as wrong:
        login_with_password(db, account[0].mobile, "wrong", None, ADDRESS, now=T0)
    assert unknown.value.key == wrong.value.key == "login.bad_credentials"


def test_change_password(db, account):
    _customer, principal, _ = account
    new = "Kanelsnurr med kardemomme"
    with pytest.raises(DomainError) as error:
        change_password(db, principal, "wrong", new, new)
    assert error.value.key == "password.wrong" and error.value.field == "current_password"
    with pytest.raises(FieldErrors) as rules:
        change_password(db, principal, GOOD, "passord1", "passord1")
    assert rules.value.errors == {"new_password": "password.common"}
    change_password(db, principal, GOOD, new, new)
    db.commit()
    user = db.get(User, principal.user_id)
    assert passwords.verify_password(user.password_hash, new)
    assert user.failed_logins == 0


def test_delete_account_keeps_no_personal_data(db, account):
    customer, principal, token = account
    remember_device(db, principal.user_id, now=T0)
    login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0)
    db.commit()
    delete_account(db, principal, GOOD)
    db.commit()
    user = db.get(User, principal.user_id)
    db.refresh(user)
    assert (user.mobile, user.password_hash, user.email, user.name, user.is_active) == (
        None,
        None,
        None,
        "",
        False,
    )
    assert db.exec(select(AccountRelationship)).all() == []
    assert db.exec(select(RememberedDevice)).all() == []
    assert db.exec(select(LoginChallenge).where(LoginChallenge.mobile == customer.e164)).all() == []
    assert resolve_principal(db, token) is None
    assert all(s.revoked_at is not None for s in db.exec(select(UserSession)).all())
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "customer.account_deleted")).one()
    assert audit.detail == "" and audit.subject_id == str(user.id)
    with pytest.raises(DomainError) as error:
        login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0)
    assert error.value.key == "login.bad_credentials"
    # The mobile can start afresh as a guest.
    assert sign_in_by_sms(db, customer, now=T0 + timedelta(minutes=1)).user_id is None


def test_guest_cannot_change_password_or_delete(db, make_customer):
    customer = make_customer()
    principal = principal_of(db, sign_in_by_sms(db, customer).session_token)
    for call in (
        lambda: change_password(db, principal, GOOD, GOOD, GOOD),
        lambda: delete_account(db, principal, GOOD),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.key == "account.required"


def test_logout_revokes_the_session(db, account):
    _, _, token = account
    assert sign_out(db, token)
    db.commit()
    assert resolve_principal(db, token) is None
    assert not sign_out(db, token)
    signed_out = db.exec(select(AuditEntry).where(AuditEntry.action == "session.signed_out")).all()
    assert [entry.actor_role for entry in signed_out] == ["customer"]


def test_first_login_by_an_account_holder_is_signed_in_as_the_account(db, account):
    customer, principal, _ = account
    result = sign_in_by_sms(db, customer, now=T0 + timedelta(minutes=1))
    assert result.user_id == principal.user_id
    assert result.relationship_linked
    with pytest.raises(AccessDenied):
        account_profile(db, None)


def _guest_session_elsewhere(db, customer, address="127.0.3.40"):
    """A session of the mobile started by an SMS code on another device, before any account."""
    from app.models import Role
    from app.services.sessions import start_session

    token = start_session(
        db, Role.CUSTOMER, relationship_id=customer.relationship_id, client_address=address, now=T0
    )
    db.commit()
    return token


def test_creating_the_account_ends_the_other_guest_sessions_of_the_mobile(db, make_customer):
    """Issue 20.6: a session started by an SMS code outlived the account's creation."""
    customer = make_customer()
    elsewhere = sign_in_by_sms(db, customer, address="127.0.3.41").session_token
    here = sign_in_by_sms(db, customer, address="127.0.3.42").session_token
    create_account(db, principal_of(db, here), GOOD, GOOD, now=T0)
    db.commit()
    assert resolve_principal(db, elsewhere, now=T0) is None
    assert resolve_principal(db, here, now=T0) is not None


def test_changing_the_password_ends_the_guest_sessions_of_the_mobile(db, account):
    customer, principal, token = account
    guest = _guest_session_elsewhere(db, customer)
    change_password(db, principal, GOOD, GOOD + "!", GOOD + "!", now=T0)
    db.commit()
    assert resolve_principal(db, guest, now=T0) is None
    assert resolve_principal(db, token, now=T0) is not None


def test_deleting_the_account_ends_the_guest_sessions_of_the_mobile(db, account):
    customer, principal, _token = account
    guest = _guest_session_elsewhere(db, customer)
    delete_account(db, principal, GOOD, now=T0)
    db.commit()
    assert resolve_principal(db, guest, now=T0) is None


def test_the_device_that_created_the_account_signs_in_by_password_without_a_second_code(db, make_customer):
    """Issue 21.11: right after the SMS first login, mobile + password asked for another code."""
    from app.models import OutboxMessage
    from app.services.customer.accounts import create_account_on_this_device

    customer = make_customer()
    result = sign_in_by_sms(db, customer, address="127.0.3.43")
    _principal, device = create_account_on_this_device(
        db, principal_of(db, result.session_token), GOOD, GOOD, now=T0
    )
    db.commit()
    sms_before = len(db.exec(select(OutboxMessage)).all())
    outcome = login_with_password(
        db, customer.mobile, GOOD, device, "127.0.3.43", now=T0 + timedelta(minutes=1)
    )
    assert outcome.result is not None and outcome.challenge is None
    assert len(db.exec(select(OutboxMessage)).all()) == sms_before
    # Another browser still gets a code.
    elsewhere = login_with_password(
        db, customer.mobile, GOOD, None, "127.0.3.44", now=T0 + timedelta(minutes=2)
    )
    assert elsewhere.challenge is not None
