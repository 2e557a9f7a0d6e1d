"""The Twilio stand-in, started per test, and settings that point the client at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio_standin import ACCOUNT_SID, AUTH_TOKEN, VERIFY_SID, RunningStandIn, TwilioStandIn

from app.config import Settings


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    with RunningStandIn() as state:
        yield state


@pytest.fixture
def twilio_settings(twilio: TwilioStandIn) -> Settings:
    return Settings(
        sms_backend="twilio",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number="+4759440000",
        twilio_verify_service_sid="",
        twilio_api_base=twilio.base_url,
    )


@pytest.fixture
def twilio_verify_settings(twilio: TwilioStandIn) -> Settings:
    return Settings(
        sms_backend="twilio",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number="+4759440000",
        twilio_verify_service_sid=VERIFY_SID,
        twilio_api_base=twilio.base_url,
    )
