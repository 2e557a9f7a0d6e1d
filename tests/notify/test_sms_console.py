"""The console backend and the outbox; sign-in through Twilio end to end."""

from __future__ import annotations

import logging

import pytest
from twilio_standin import ACCOUNT_SID, AUTH_TOKEN, VERIFY_SID

from app.config import Settings
from app.models import Customer, CustomerRelationship, Organisation
from app.services.customer.login import start_first_login, verify_code
from app.services.errors import DomainError
from app.services.notify import sms
from app.services.notify.outbox import queue_sms
from app.services.notify.sender import send_due_messages
from app.services.notify.sms import deliver_sms, latest_sms_to, send_login_code


def test_console_backend_logs_and_the_outbox_keeps_the_message(db, engine, caplog):
    config = Settings(sms_backend="console")
    send_login_code(db, "+4791234567", "123456", language="en", config=config)
    queue_sms(db, "+4791234567", "han.sms.rejected", "en", number=7, reason="andre")
    db.commit()
    with caplog.at_level(logging.INFO, logger=sms.__name__):
        assert send_due_messages(engine, config).sent == 1
    assert "andre" in caplog.text
    assert latest_sms_to(db, "+4791234567").body == "HAN port order 7 was rejected: andre"
    assert latest_sms_to(db, "912 34 567").body.endswith("andre")  # as typed
    assert latest_sms_to(db, "+4799999999") is None


def test_console_backend_shows_the_message_in_the_server_terminal(db, capfd):
    receipt = deliver_sms("+4791234567", "Koden din er 123456", config=Settings(sms_backend="console"))
    assert receipt.backend == "console"
    terminal = capfd.readouterr().err
    assert "[DEVELOPMENT SMS - not sent, SMS_BACKEND=console]" in terminal
    assert "To: +4791234567\nKoden din er 123456" in terminal


@pytest.fixture
def customer(db):
    org = Organisation(name="Nett AS", kind="grid_company")
    db.add(org)
    db.flush()
    person = Customer(name="Kari", mobile="91234567")
    db.add(person)
    db.flush()
    relationship = CustomerRelationship(
        customer_id=person.id,
        utility_id=org.id,
        installation_number="500001",
        metering_point_id="707057500000000001",
        address="Gata 1",
        postcode="0150",
        city="Oslo",
    )
    db.add(relationship)
    db.commit()
    return relationship


def _start(db, relationship):
    return start_first_login(
        db,
        relationship.installation_number,
        relationship.metering_point_id,
        "91234567",
        True,
        "10.0.0.1",
    )


def test_first_login_through_twilio_verify(db, customer, twilio, monkeypatch):
    monkeypatch.setattr(
        sms,
        "settings",
        Settings(
            sms_backend="twilio",
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_verify_service_sid=VERIFY_SID,
            twilio_api_base=twilio.base_url,
            redis_url="",
        ),
    )
    info = _start(db, customer)
    db.commit()
    with pytest.raises(DomainError) as error:
        verify_code(db, info.challenge_id, "111111", "10.0.0.1")
    assert error.value.key == "otp.wrong"
    result = verify_code(db, info.challenge_id, "424242", "10.0.0.1")
    assert result.relationship_id == customer.id


def test_first_login_shows_twilio_errors(db, customer, twilio, monkeypatch):
    monkeypatch.setattr(
        sms,
        "settings",
        Settings(
            sms_backend="twilio",
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_from_number="+4759440000",
            twilio_verify_service_sid="",
            twilio_api_base=twilio.base_url,
            redis_url="",
        ),
    )
    twilio.failures["+4791234567"] = (429, 20429)
    with pytest.raises(DomainError) as error:
        _start(db, customer)
    assert error.value.key == "sms.busy"
    assert "prøv igjen" in error.value.message("nb").lower()
