"""Helpers of the customer sign-in tests (imported by module name; tests/ is no package)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.services.caller import Caller
from app.services.customer.login import start_first_login, verify_code
from app.services.customer.login_steps import LoginResult
from app.services.notify import sms
from app.services.sessions import resolve_principal

# The clock of the tests: real time (sessions are checked against it), injected everywhere.
T0 = datetime.now(UTC).replace(microsecond=0)
# The portal's address in the links the console mail carries (tests/services/conftest.py).
PUBLIC_URL = "https://portal.example"
# The password of the ``account`` fixture's customer (tests/services/conftest.py).
GOOD = "Blåbærsyltetøy på vaffel"


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: int
    relationship_id: int
    installation_number: str
    metering_point_id: str
    mobile: str  # as stored on the customer
    e164: str
    name: str
    meter_serial: str


def code_sent_to(db: Session, e164: str) -> str:
    entry = sms.latest_sms_to(db, e164)
    assert entry is not None, f"no SMS to {e164}"
    match = re.search(r"\b(\d{6})\b", entry.body)
    assert match is not None
    return match.group(1)


def sign_in_by_sms(
    db: Session,
    customer: DemoCustomer,
    *,
    now: datetime = T0,
    address: str = "10.0.0.1",
    device_token: str | None = None,
) -> LoginResult:
    info = start_first_login(
        db,
        customer.installation_number,
        customer.metering_point_id,
        customer.mobile,
        True,
        address,
        now=now,
    )
    db.commit()
    result = verify_code(
        db, info.challenge_id, code_sent_to(db, customer.e164), address, device_token, now=now
    )
    db.commit()
    return result


def principal_of(db: Session, token: str, now: datetime = T0) -> Caller:
    principal = resolve_principal(db, token, now=now + timedelta(seconds=1))
    assert principal is not None
    return principal
