"""Service-test fixtures: customers, a customer with a password account, console SMS and mail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from argon2 import PasswordHasher, Type
from customer_factories import GOOD, PUBLIC_URL, T0, DemoCustomer, principal_of, sign_in_by_sms
from sqlmodel import Session

from app.config import Settings
from app.models import (
    Customer,
    CustomerRelationship,
    Meter,
    Organisation,
    OrganisationKind,
    Reading,
    ReadingSource,
)
from app.services import passwords, rate_limit
from app.services.customer.accounts import create_account
from app.services.mobile_numbers import normalise_mobile
from app.services.notify import mail, sms


@pytest.fixture(autouse=True)
def _console_sms_mail_and_database_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the environment says, these tests use the console SMS, the console mail (links to
    PUBLIC_URL) and database limits."""
    monkeypatch.setattr(sms, "settings", Settings(sms_backend="console", redis_url=""))
    monkeypatch.setattr(rate_limit, "settings", Settings(sms_backend="console", redis_url=""))
    console_mail = Settings(mail_backend="console", public_url=PUBLIC_URL, redis_url="")
    monkeypatch.setattr(mail, "settings", console_mail)


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with small cost parameters: the production ones take ~0.4 s a hash."""
    hasher = PasswordHasher(type=Type.ID, time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash("dummy"))


@pytest.fixture
def utility_id(db: Session) -> int:
    org = Organisation(name="Fjernvarme AS", kind=OrganisationKind.DISTRICT_HEATING.value)
    db.add(org)
    db.commit()
    assert org.id is not None
    return org.id


@pytest.fixture
def make_customer(db: Session, utility_id: int) -> Callable[..., DemoCustomer]:
    counter = {"n": 0}

    def make(
        *,
        name: str = "Kari Nordmann",
        mobile: str = "912 34 567",
        customer_id: int | None = None,
        readings: tuple[tuple[datetime, float, str], ...] = (),
    ) -> DemoCustomer:
        counter["n"] += 1
        n = counter["n"]
        if customer_id is None:
            customer = Customer(name=name, mobile=mobile)
            db.add(customer)
            db.flush()
        else:
            customer = db.get(Customer, customer_id)
        assert customer is not None and customer.id is not None
        meter = Meter(serial=f"MTR{n:05d}", manufacturer="Kamstrup", model="603", medium="heat")
        db.add(meter)
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=utility_id,
            installation_number=f"{100000 + n}",
            metering_point_id=f"70705750001234{n:04d}",
            address=f"Storgata {n}",
            postcode="0155",
            city="Oslo",
            meter_id=meter.id,
        )
        db.add(relationship)
        db.flush()
        for at, value, unit in readings:
            db.add(
                Reading(
                    meter_id=meter.id or 0,
                    register_code="energy",
                    ts=int(at.timestamp()),
                    value=value,
                    unit=unit,
                    source=ReadingSource.DEMO.value,
                )
            )
        db.commit()
        assert relationship.id is not None
        return DemoCustomer(
            customer_id=customer.id,
            relationship_id=relationship.id,
            installation_number=relationship.installation_number,
            metering_point_id=relationship.metering_point_id,
            mobile=customer.mobile or "",
            e164=normalise_mobile(customer.mobile),
            name=customer.name,
            meter_serial=meter.serial,
        )

    return make


@pytest.fixture
def account_address() -> str:
    """Where the ``account`` fixture's customer signed in by SMS (a module may override it)."""
    return "10.0.0.1"


@pytest.fixture
def account(db: Session, make_customer: Callable[..., DemoCustomer], account_address: str):  # type: ignore[no-untyped-def]
    """A customer with a password account (GOOD), signed in once by SMS: (customer, principal, token)."""
    customer = make_customer()
    result = sign_in_by_sms(db, customer, address=account_address)
    principal = create_account(db, principal_of(db, result.session_token), GOOD, GOOD, now=T0)
    db.commit()
    return customer, principal, result.session_token
