"""The reusable password throttle (``login_throttle``), on both limiters."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from customer_factories import T0

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
            claim_password_attempt(limiter, IDENTITY, address, now=T0 + timedelta(seconds=n), **kwargs)
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


def test_a_claimed_attempt_can_be_given_back(limiter):
    """What lets a per-address bound count only failures (issue 21.5), on both limiters."""
    from app.services.rate_limit import PASSWORD_LOGIN_PER_ADDRESS as limit

    key = limit.key(f"give-back-{uuid.uuid4().hex}")
    for n in range(limit.count + 5):
        at = T0 + timedelta(seconds=n)
        assert limiter.attempt(key, limit.count, limit.window, now=at)
        limiter.give_back(key, now=at)
    assert limiter.count(key, limit.window, now=T0 + timedelta(minutes=1)) == 0
    limiter.attempt(key, limit.count, limit.window, now=T0)
    limiter.give_back(key, now=T0 + timedelta(seconds=1))  # another moment: nothing given back
    assert limiter.count(key, limit.window, now=T0 + timedelta(minutes=1)) == 1
