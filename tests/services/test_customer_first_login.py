"""First login and SMS codes: every rule of the issue, with an injected clock."""

from __future__ import annotations

import hmac
from datetime import timedelta

import pytest
from customer_factories import T0, code_sent_to
from sqlmodel import select

from app.models import AuditEntry, LoginChallenge, PrivacyConsent, UserSession
from app.services import otp
from app.services.customer.login import resend_code, start_first_login, verify_code
from app.services.customer.privacy_terms import PRIVACY_TERMS_VERSION
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.notify.sms import latest_sms_to
from app.services.sessions import resolve_principal

ADDRESS = "10.0.0.1"


def _start(db, customer, *, now=T0, address=ADDRESS, **overrides):
    args = {
        "installation_number": customer.installation_number,
        "metering_point_id": customer.metering_point_id,
        "mobile": customer.mobile,
        "consent": True,
    } | overrides
    info = start_first_login(db, client_address=address, now=now, **args)
    db.commit()
    return info


def test_first_login_sends_a_six_digit_code_and_masks_the_mobile(db, make_customer):
    customer = make_customer(mobile="+47 912 34 567")
    info = _start(db, customer, mobile="91234567")
    sent = latest_sms_to(db, customer.e164)
    assert sent is not None and sent.recipient == "+4791234567"
    code = code_sent_to(db, customer.e164)
    assert len(code) == 6 and code.isdigit()
    assert info.masked_mobile == "+•••••••567"
    assert info.resend_available_at == T0 + otp.RESEND_COOLDOWN
    assert info.expires_at == T0 + otp.CODE_TTL


def test_the_code_is_stored_only_as_an_hmac(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    code = code_sent_to(db, customer.e164)
    row = db.exec(select(LoginChallenge).where(LoginChallenge.public_id == info.challenge_id)).one()
    assert row.code_hash is not None and code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.code_hash == otp.code_digest(info.challenge_id, code)


def test_right_code_starts_a_guest_session_on_that_relationship(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    result = verify_code(db, info.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=T0)
    db.commit()
    principal = resolve_principal(db, result.session_token, now=T0)
    assert principal is not None
    assert principal.relationship_id == customer.relationship_id
    assert principal.user_id is None
    assert result.device_token is None
    # A code works once.
    with pytest.raises(DomainError) as again:
        verify_code(db, info.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=T0)
    assert again.value.key == "otp.invalid"


def test_missing_fields_are_field_errors(db, make_customer):
    make_customer()
    with pytest.raises(FieldErrors) as error:
        start_first_login(db, "", " ", None, False, ADDRESS, now=T0)
    assert error.value.errors == {
        "installation_number": "form.required",
        "metering_point_id": "form.required",
        "mobile": "form.required",
        "consent": "login.consent_required",
    }


def test_consent_is_required(db, make_customer):
    customer = make_customer()
    with pytest.raises(FieldErrors) as error:
        _start(db, customer, consent=False)
    assert error.value.errors == {"consent": "login.consent_required"}
    assert latest_sms_to(db, customer.e164) is None


def test_an_invalid_mobile_is_a_field_error(db, make_customer):
    customer = make_customer()
    with pytest.raises(FieldErrors) as error:
        _start(db, customer, mobile="12")
    assert error.value.errors == {"mobile": "mobile.invalid"}
    assert error.value.field == "mobile"


@pytest.mark.parametrize(
    "override",
    [
        {"installation_number": "999999"},
        {"metering_point_id": "707057500099999999"},
        {"mobile": "+47 987 65 432"},
    ],
)
def test_a_wrong_combination_gives_one_generic_message(db, make_customer, override):
    customer = make_customer()
    make_customer(name="Ola", mobile="987 65 432")  # that mobile exists, on another relationship
    with pytest.raises(DomainError) as error:
        _start(db, customer, **override)
    assert error.value.key == "login.no_match"
    assert error.value.field is None
    assert error.value.params == {}
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == "customer.first_login")).all()
    assert refused and refused[-1].outcome == "refused"
    assert "987" not in refused[-1].detail


def test_code_expires_after_five_minutes(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    code = code_sent_to(db, customer.e164)
    with pytest.raises(DomainError) as error:
        verify_code(db, info.challenge_id, code, ADDRESS, now=T0 + timedelta(minutes=5))
    assert error.value.key == "otp.expired"
    result = verify_code(db, info.challenge_id, code, ADDRESS, now=T0 + timedelta(minutes=4, seconds=59))
    assert result.session_token


def test_five_wrong_tries_kill_the_code(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    code = code_sent_to(db, customer.e164)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(DomainError) as error:
            verify_code(db, info.challenge_id, wrong, ADDRESS, now=T0)
        assert error.value.key == "otp.wrong"
        assert error.value.params == {"tries_left": tries_left}
        assert error.value.field == "code"
    with pytest.raises(DomainError) as error:
        verify_code(db, info.challenge_id, wrong, ADDRESS, now=T0)
    assert error.value.key == "otp.locked"
    # Even the right code no longer works: the customer must ask for a new one.
    with pytest.raises(DomainError) as error:
        verify_code(db, info.challenge_id, code, ADDRESS, now=T0)
    assert error.value.key == "otp.locked"
    assert db.exec(select(UserSession)).all() == []


def test_wrong_tries_survive_a_rollback_by_the_caller(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    with pytest.raises(DomainError):
        verify_code(
            db,
            info.challenge_id,
            "000000" if code_sent_to(db, customer.e164) != "000000" else "111111",
            ADDRESS,
            now=T0,
        )
    db.rollback()
    row = db.exec(select(LoginChallenge).where(LoginChallenge.public_id == info.challenge_id)).one()
    assert row.failed_attempts == 1


def test_a_malformed_code_is_not_counted_as_a_try(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    with pytest.raises(DomainError) as error:
        verify_code(db, info.challenge_id, "12ab", ADDRESS, now=T0)
    assert error.value.key == "otp.format"
    row = db.exec(select(LoginChallenge).where(LoginChallenge.public_id == info.challenge_id)).one()
    assert row.failed_attempts == 0


def test_one_live_code_per_mobile(db, make_customer):
    customer = make_customer()
    first = _start(db, customer)
    first_code = code_sent_to(db, customer.e164)
    second = _start(db, customer, now=T0 + timedelta(seconds=5))
    second_code = code_sent_to(db, customer.e164)
    with pytest.raises(DomainError) as error:
        verify_code(db, first.challenge_id, first_code, ADDRESS, now=T0 + timedelta(seconds=6))
    assert error.value.key == "otp.invalid"
    result = verify_code(db, second.challenge_id, second_code, ADDRESS, now=T0 + timedelta(seconds=6))
    assert result.session_token


def test_codes_are_compared_in_constant_time(db, make_customer, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(otp.hmac, "compare_digest", spy)
    customer = make_customer()
    info = _start(db, customer)
    with pytest.raises(DomainError):
        verify_code(
            db,
            info.challenge_id,
            "000000" if code_sent_to(db, customer.e164) != "000000" else "111111",
            ADDRESS,
            now=T0,
        )
    verify_code(db, info.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=T0)
    assert len(calls) == 2


def test_codes_come_from_secrets(monkeypatch):
    monkeypatch.setattr(otp.secrets, "randbelow", lambda n: 42)
    assert otp.generate_code() == "000042"


def test_resend_waits_for_the_cooldown_and_replaces_the_code(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    old_code = code_sent_to(db, customer.e164)
    with pytest.raises(DomainError) as error:
        resend_code(db, info.challenge_id, ADDRESS, now=T0 + timedelta(seconds=30))
    assert error.value.key == "sms.resend_wait"
    assert error.value.params == {"seconds": 31}
    later = T0 + otp.RESEND_COOLDOWN
    new = resend_code(db, info.challenge_id, ADDRESS, now=later)
    db.commit()
    assert new.challenge_id != info.challenge_id
    new_code = code_sent_to(db, customer.e164)
    with pytest.raises(DomainError):
        verify_code(db, info.challenge_id, old_code, ADDRESS, now=later)
    assert verify_code(db, new.challenge_id, new_code, ADDRESS, now=later).session_token


def test_resend_after_five_wrong_tries_gives_a_working_code(db, make_customer):
    customer = make_customer()
    info = _start(db, customer)
    wrong = f"{(int(code_sent_to(db, customer.e164)) + 1) % 1_000_000:06d}"
    for _ in range(otp.MAX_WRONG_TRIES):
        with pytest.raises(DomainError):
            verify_code(db, info.challenge_id, wrong, ADDRESS, now=T0)
    later = T0 + otp.RESEND_COOLDOWN
    new = resend_code(db, info.challenge_id, ADDRESS, now=later)
    assert verify_code(
        db, new.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=later
    ).session_token


def test_an_unknown_challenge_is_refused(db, make_customer):
    with pytest.raises(DomainError) as error:
        verify_code(db, "no-such-challenge", "123456", ADDRESS, now=T0)
    assert error.value.key == "otp.invalid"


def test_first_login_records_which_version_of_the_privacy_terms_was_accepted(db, make_customer):
    customer = make_customer()
    _start(db, customer, terms_version=PRIVACY_TERMS_VERSION)
    [consent] = db.exec(select(PrivacyConsent)).all()
    assert consent.terms_version == PRIVACY_TERMS_VERSION
    assert (consent.customer_id, consent.relationship_id) == (customer.customer_id, customer.relationship_id)
    assert consent.client_address == ADDRESS
    assert consent.accepted_at.replace(tzinfo=T0.tzinfo) == T0


def test_consent_ticked_beside_older_terms_is_refused_and_not_recorded(db, make_customer):
    customer = make_customer()
    with pytest.raises(FieldErrors) as refused:
        _start(db, customer, terms_version="2020-01-01")
    assert refused.value.errors == {"consent": "login.consent_outdated"}
    assert db.exec(select(PrivacyConsent)).all() == []
    assert latest_sms_to(db, customer.e164) is None


def test_no_consent_is_recorded_for_a_wrong_combination(db, make_customer):
    customer = make_customer()
    with pytest.raises(DomainError):
        _start(db, customer, metering_point_id="707057500099999999")
    assert db.exec(select(PrivacyConsent)).all() == []


def test_a_wrong_installation_number_and_a_wrong_mobile_do_the_same_work(db, make_customer, monkeypatch):
    """Issue 20.15: the same statements and the same mobile parsing on both refusals (no
    timing oracle), proved by counting the work, not by a stopwatch."""
    import re as _re

    from sqlalchemy import event

    from app.services.customer import login as login_module

    customer = make_customer()
    db.commit()
    parses: list[str] = []
    real_parse = login_module.parse_mobile

    def counting_parse(text):
        parses.append("parse")
        return real_parse(text)

    monkeypatch.setattr(login_module, "parse_mobile", counting_parse)

    def work(installation_number: str, mobile: str, address: str) -> tuple[list[str], int]:
        statements: list[str] = []

        def record(_conn, _cursor, statement, _parameters, _context, _many):
            statements.append(_re.sub(r"\s+", " ", statement))

        parses.clear()
        event.listen(db.get_bind(), "before_cursor_execute", record)
        try:
            with pytest.raises(DomainError) as refused:
                start_first_login(
                    db, installation_number, customer.metering_point_id, mobile, True, address, now=T0
                )
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", record)
        assert refused.value.key == "login.no_match"
        return statements, len(parses)

    wrong_number = work("999999", customer.mobile, "127.0.3.50")
    wrong_mobile = work(customer.installation_number, "+47 401 23 456", "127.0.3.51")
    assert wrong_number == wrong_mobile
    assert wrong_number[1] >= 2  # the typed mobile and the one on record (or its stand-in)
