"""Register by mailed link, sign in, lockout, forgot password, and the first administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from account_factories import NOW, mailed_link, token_of
from customer_factories import PUBLIC_URL
from sqlmodel import func, select

from app.models import OutboxMessage, Role, User
from app.services import passwords
from app.services.accounts.accounts import (
    complete_registration,
    create_admin,
    login,
    request_activation,
    request_password_reset,
    reset_password,
)
from app.services.accounts.tokens import InvalidLink
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.login_throttle import FAILURES_PER_IDENTITY_AND_ADDRESS
from app.services.sessions import find_live_session

PASSWORD = "Fjord#Blueberry26"
ADDRESS = "ada.lind@example.org"


def _mail_count(db) -> int:
    return db.exec(select(func.count()).select_from(OutboxMessage)).one()


def _register(db, address=ADDRESS, name="Ada Lind", now=NOW) -> User:
    request_activation(db, address, language="nb", client_address="10.0.0.1", now=now)
    token = token_of(mailed_link(db, address))
    return complete_registration(db, token, name, PASSWORD, PASSWORD, language="nb", now=now)


def test_registration_by_mailed_link_then_sign_in(db):
    request_activation(db, " Ada.Lind@Example.org ", language="en", client_address="10.0.0.1", now=NOW)
    link = mailed_link(db, ADDRESS)
    assert link.startswith(f"{PUBLIC_URL}/konto/aktiver?token=")
    account = complete_registration(
        db, token_of(link), "  Ada   Lind ", PASSWORD, PASSWORD, language="en", now=NOW
    )
    assert (account.email, account.name, account.role) == (ADDRESS, "Ada Lind", Role.REGISTERED.value)
    assert account.password_hash.startswith("$argon2id$")
    signed_in = login(db, "ADA.LIND@example.org", PASSWORD, client_address="10.0.0.1", now=NOW)
    assert signed_in.role is Role.REGISTERED
    assert find_live_session(db, signed_in.session_token, now=NOW).user_id == account.id


def test_the_server_checks_the_password_rules_on_completion(db):
    request_activation(db, ADDRESS, language="nb", now=NOW)
    token = token_of(mailed_link(db, ADDRESS))
    with pytest.raises(FieldErrors) as caught:
        complete_registration(
            db, token, "Ada Lind", "Lind#Fjord2026", "Lind#Fjord2026", language="nb", now=NOW
        )
    assert caught.value.errors == {"password": "password_rule.not_you"}
    # The refused attempt did not use the link up.
    assert complete_registration(db, token, "Ada Lind", PASSWORD, PASSWORD, language="nb", now=NOW)


def test_a_reused_or_expired_activation_link_is_refused(db):
    _register(db)
    used = token_of(mailed_link(db, ADDRESS))
    with pytest.raises(InvalidLink) as caught:
        complete_registration(db, used, "", PASSWORD, PASSWORD, language="nb", now=NOW)
    assert caught.value.key == "link.used"
    request_activation(db, "bo@example.org", language="nb", now=NOW)
    late = token_of(mailed_link(db, "bo@example.org"))
    with pytest.raises(InvalidLink) as caught:
        complete_registration(db, late, "", PASSWORD, PASSWORD, language="nb", now=NOW + timedelta(hours=25))
    assert caught.value.key == "link.expired"


def test_asking_again_sends_a_fresh_link_and_voids_the_old(db):
    request_activation(db, ADDRESS, language="nb", now=NOW)
    first = token_of(mailed_link(db, ADDRESS))
    request_activation(db, ADDRESS, language="nb", now=NOW + timedelta(minutes=1))
    second = token_of(mailed_link(db, ADDRESS))
    assert first != second
    with pytest.raises(InvalidLink) as caught:
        complete_registration(db, first, "", PASSWORD, PASSWORD, language="nb", now=NOW)
    assert caught.value.key == "link.voided"


def test_the_answer_is_the_same_for_a_known_address_and_no_link_reaches_it(db):
    _register(db)
    before = _mail_count(db)
    # No exception, no difference for the caller: the account holder gets a note instead.
    assert request_activation(db, ADDRESS, language="nb", now=NOW + timedelta(minutes=5)) is None
    assert _mail_count(db) == before + 1
    note = db.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert note.subject == "Du har allerede en konto" and "/konto/glemt-passord" in note.body
    assert "token=" not in note.body


def test_link_mails_are_limited_per_address(db):
    for minute in range(3):
        request_activation(db, ADDRESS, language="nb", now=NOW + timedelta(minutes=minute))
    with pytest.raises(DomainError) as caught:
        request_activation(db, ADDRESS, language="nb", now=NOW + timedelta(minutes=3))
    assert caught.value.key == "mail.too_many"


def test_an_invalid_address_is_a_field_error(db):
    with pytest.raises(FieldErrors) as caught:
        request_activation(db, "not an address", language="nb", now=NOW)
    assert caught.value.errors == {"email": "email.invalid"}


def test_wrong_password_and_unknown_account_get_the_same_answer(db):
    _register(db)
    answers = set()
    for email in (ADDRESS, "nobody@example.org"):
        with pytest.raises(DomainError) as caught:
            login(db, email, "Wrong#Password1", client_address="10.0.0.2", now=NOW)
        answers.add(caught.value.key)
    assert answers == {"account.bad_credentials"}


def test_password_checks_are_throttled_as_for_customers_without_locking_out_the_owner(db):
    _register(db)
    per_pair = FAILURES_PER_IDENTITY_AND_ADDRESS
    for attempt in range(per_pair.count):
        with pytest.raises(DomainError) as caught:
            login(db, ADDRESS, f"Wrong#Password{attempt}", client_address="10.0.0.3", now=NOW)
        assert caught.value.key == "account.bad_credentials"
    # That address is out of checks for this account, even with the right password ...
    with pytest.raises(DomainError) as caught:
        login(db, ADDRESS, PASSWORD, client_address="10.0.0.3", now=NOW + timedelta(minutes=1))
    assert caught.value.key == "login.locked"
    # ... and an unknown address gets exactly the same answers (no account oracle).
    for attempt in range(per_pair.count):
        with pytest.raises(DomainError) as caught:
            login(db, "nobody@example.org", f"Wrong#Password{attempt}", client_address="10.0.0.3", now=NOW)
        assert caught.value.key == "account.bad_credentials"
    with pytest.raises(DomainError) as caught:
        login(db, "nobody@example.org", PASSWORD, client_address="10.0.0.3", now=NOW)
    assert caught.value.key == "login.locked"
    # The owner, elsewhere, is not locked out; and the failures decay.
    assert login(db, ADDRESS, PASSWORD, client_address="10.0.0.4", now=NOW + timedelta(minutes=2))
    assert login(db, ADDRESS, PASSWORD, client_address="10.0.0.3", now=NOW + per_pair.window)


def test_the_per_address_limit_of_password_sign_ins_applies(db):
    _register(db)
    from app.services.rate_limit import PASSWORD_LOGIN_PER_ADDRESS

    for attempt in range(PASSWORD_LOGIN_PER_ADDRESS.count):
        with pytest.raises(DomainError):
            login(db, f"n{attempt}@example.org", "Wrong#Password1", client_address="10.9.9.9", now=NOW)
    with pytest.raises(DomainError) as caught:
        login(db, ADDRESS, PASSWORD, client_address="10.9.9.9", now=NOW)
    assert caught.value.key == "login.too_many_attempts"


def test_a_customer_cannot_sign_in_by_email(db):
    db.add(
        User(
            email="kunde@example.org",
            role=Role.CUSTOMER.value,
            password_hash=passwords.hash_password(PASSWORD),
        )
    )
    db.commit()
    with pytest.raises(DomainError) as caught:
        login(db, "kunde@example.org", PASSWORD, now=NOW)
    assert caught.value.key == "account.bad_credentials"


def test_forgot_password_mails_a_one_hour_link_that_ends_every_session(db):
    account = _register(db)
    first = login(db, ADDRESS, PASSWORD, client_address="10.0.0.4", now=NOW)
    second = login(db, ADDRESS, PASSWORD, client_address="10.0.0.5", now=NOW)
    request_password_reset(db, ADDRESS, language="nb", now=NOW)
    link = mailed_link(db, ADDRESS)
    assert link.startswith(f"{PUBLIC_URL}/konto/nytt-passord?token=")
    new_password = "Kobber#Maaler26"
    reset_password(db, token_of(link), new_password, new_password, now=NOW + timedelta(minutes=30))
    later = NOW + timedelta(minutes=31)
    assert find_live_session(db, first.session_token, now=later) is None
    assert find_live_session(db, second.session_token, now=later) is None
    with pytest.raises(DomainError):
        login(db, ADDRESS, PASSWORD, now=later)
    assert login(db, ADDRESS, new_password, now=later).user_id == account.id
    with pytest.raises(InvalidLink) as caught:
        reset_password(db, token_of(link), new_password, new_password, now=later)
    assert caught.value.key == "link.used"


def test_a_reset_link_expires_after_an_hour(db):
    _register(db)
    request_password_reset(db, ADDRESS, language="nb", now=NOW)
    token = token_of(mailed_link(db, ADDRESS))
    with pytest.raises(InvalidLink) as caught:
        reset_password(db, token, "Kobber#Maaler26", "Kobber#Maaler26", now=NOW + timedelta(hours=1))
    assert caught.value.key == "link.expired"


def test_forgot_password_for_an_unknown_address_sends_nothing_and_says_nothing(db):
    before = _mail_count(db)
    assert request_password_reset(db, "nobody@example.org", language="nb", now=NOW) is None
    assert _mail_count(db) == before


def test_create_admin_prints_a_link_that_activates_an_administrator(db):
    link = create_admin(db, "Root@Example.org", now=NOW)
    assert link.startswith(f"{PUBLIC_URL}/konto/aktiver?token=")
    # Registering the same address by the public form cannot take the admin over: same link kind,
    # but the account stays an administrator and gets the name and password set.
    account = complete_registration(
        db, token_of(link), "Root Admin", PASSWORD, PASSWORD, language="nb", now=NOW
    )
    assert account.role == Role.ADMIN.value
    assert login(db, "root@example.org", PASSWORD, now=NOW).role is Role.ADMIN
    with pytest.raises(DomainError) as caught:
        create_admin(db, "root@example.org", now=NOW)
    assert caught.value.key == "account.email_in_use"


def test_create_admin_refuses_an_address_of_an_existing_account(db):
    _register(db)
    with pytest.raises(DomainError) as caught:
        create_admin(db, ADDRESS, now=NOW)
    assert caught.value.key == "account.email_in_use"
    assert db.exec(select(User).where(User.email == ADDRESS)).one().role == Role.REGISTERED.value
