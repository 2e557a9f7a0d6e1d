"""The twilio backend, through the real ``twilio`` client, against a local stand-in."""

from __future__ import annotations

import logging

import pytest
from twilio_standin import ACCOUNT_SID

from app.services.notify import sms
from app.services.notify.sms import (
    PROVIDER_LOCAL,
    PROVIDER_TWILIO_VERIFY,
    SmsDeliveryError,
    check_login_code,
    deliver_sms,
    latest_sms_to,
    send_login_code,
)

TO = "+4791234567"


def test_messaging_api_success(db, twilio, twilio_settings):
    receipt = send_login_code(db, TO, "123456", language="nb", config=twilio_settings)
    assert receipt == PROVIDER_LOCAL
    [request] = twilio.requests
    assert request.authorised
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form["To"] == TO and request.form["From"] == "+4759440000"
    assert request.form["Body"].startswith("123456")
    assert request.headers["User-Agent"].startswith("twilio-python/")
    assert latest_sms_to(db, TO) is None  # a code is kept only by the console backend (laptops)


def test_delivery_returns_twilios_message_id(twilio, twilio_settings):
    receipt = deliver_sms(TO, "Bestilling 7 er utført", config=twilio_settings)
    assert receipt.backend == "twilio" and receipt.provider_id.startswith("SM")
    assert twilio.requests[-1].form["Body"] == "Bestilling 7 er utført"


def test_invalid_number_21211_is_a_field_error_and_logged(db, twilio, twilio_settings, caplog):
    twilio.failures[TO] = (400, 21211)
    with caplog.at_level(logging.ERROR, logger=sms.__name__), pytest.raises(SmsDeliveryError) as error:
        deliver_sms(TO, "hei", config=twilio_settings)
    assert error.value.key == "sms.invalid_number"
    assert error.value.field == "mobile"
    assert error.value.provider_code == 21211
    assert error.value.permanent  # the outbox does not try such a number again
    assert "21211" in caplog.text and TO not in caplog.text
    assert error.value.message("en").startswith("The text message could not be sent")


def test_too_many_requests_20429_is_a_clear_busy_message(db, twilio, twilio_settings, caplog):
    twilio.failures[TO] = (429, 20429)
    with caplog.at_level(logging.ERROR, logger=sms.__name__), pytest.raises(SmsDeliveryError) as error:
        deliver_sms(TO, "hei", config=twilio_settings)
    assert error.value.key == "sms.busy"
    assert error.value.provider_code == 20429
    assert "20429" in caplog.text


def test_other_errors_and_bad_credentials_are_sms_failed(db, twilio, twilio_settings):
    from dataclasses import replace

    wrong = replace(twilio_settings, twilio_auth_token="wrong")
    with pytest.raises(SmsDeliveryError) as error:
        deliver_sms(TO, "hei", config=wrong)
    assert error.value.key == "sms.failed" and error.value.provider_code == 20003
    assert not twilio.requests[-1].authorised


def test_unreachable_twilio_is_sms_failed(db, twilio_settings):
    from dataclasses import replace

    gone = replace(twilio_settings, twilio_api_base="http://127.0.0.1:9")
    with pytest.raises(SmsDeliveryError) as error:
        deliver_sms(TO, "hei", config=gone)
    assert error.value.key == "sms.failed"


def test_login_code_through_messaging_api(db, twilio, twilio_settings):
    provider = send_login_code(db, TO, "654321", language="en", config=twilio_settings)
    assert provider == PROVIDER_LOCAL
    assert "654321" in twilio.requests[-1].form["Body"]
    assert "My page" in twilio.requests[-1].form["Body"]


def test_login_code_through_verify_api(db, twilio, twilio_verify_settings):
    provider = send_login_code(db, TO, "654321", language="nb", config=twilio_verify_settings)
    assert provider == PROVIDER_TWILIO_VERIFY
    request = twilio.requests[-1]
    assert request.path.endswith("/Verifications") and request.authorised
    assert request.form == {"To": TO, "Channel": "sms", "Locale": "nb"}
    assert not check_login_code(TO, "000000", config=twilio_verify_settings)
    assert check_login_code(TO, "424242", config=twilio_verify_settings)
    assert twilio.requests[-1].form == {"To": TO, "Code": "424242"}
    # Used: Twilio answers 404, which is simply "not approved".
    assert not check_login_code(TO, "424242", config=twilio_verify_settings)


def test_missing_credentials_are_refused(db):
    from app.config import Settings

    with pytest.raises(SmsDeliveryError):
        deliver_sms(TO, "hei", config=Settings(sms_backend="twilio", twilio_account_sid=""))
