"""The reusable password throttle (``login_throttle``), on both limiters."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from signin_helpers import T0

from app.services.login_throttle import (
    FAILURES_PER_IDENTITY,
    FAILURES_PER_IDENTITY_AND_ADDRESS,
    PasswordAttemptsLocked,
    claim_password_attempt,
    email_identity,
    forget_password_failures,
)
from app.services.rate_limit import DatabaseRateLimiter, RedisRateLimiter
from tests.external_services import redis_url_or_skip

IDENTITY = email_identity(" Ola.Nordmann@Example.no ")


@pytest.fixture(params=["database", "redis"])
def limiter(request, db):
    if request.param == "database":
        yield DatabaseRateLimiter(db)
        return
    client = redis.Redis.from_url(redis_url_or_skip())
    prefix = f"test:{uuid.uuid4().hex}:"
    yield RedisRateLimiter(client, prefix=prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def _claims(limiter, count, address="10.0.0.1", **kwargs):
    outcomes = []
    for n in range(count):
        try:
            claim_password_attempt(
                limiter, IDENTITY, address, now=T0 + timedelta(seconds=n), **kwargs
            )
            outcomes.append("checked")
        except PasswordAttemptsLocked:
            outcomes.append("locked")
    return outcomes


def test_an_identity_is_named_the_same_however_it_is_typed():
    assert email_identity("OLA.nordmann@example.NO") == IDENTITY


def test_per_address_bound_then_forgotten_after_a_right_password(limiter):
    bound = FAILURES_PER_IDENTITY_AND_ADDRESS.count
    assert _claims(limiter, bound + 1) == ["checked"] * bound + ["locked"]
    assert _claims(limiter, 1, address="10.0.0.2") == ["checked"]
    forget_password_failures(limiter, IDENTITY, "10.0.0.1")
    assert _claims(limiter, 1) == ["checked"]


def test_per_identity_bound_spares_a_trusted_device(limiter):
    per_address = FAILURES_PER_IDENTITY_AND_ADDRESS.count
    addresses = FAILURES_PER_IDENTITY.count // per_address
    for n in range(addresses):
        assert "locked" not in _claims(limiter, per_address, address=f"198.51.100.{n}")
    assert _claims(limiter, 1, address="10.0.0.9") == ["locked"]
    assert _claims(limiter, 1, address="10.0.0.9", trusted_device=True) == ["checked"]
