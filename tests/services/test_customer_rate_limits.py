"""Rate limits of the customer sign-in, in the database and in Redis."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import redis
from customer_factories import T0

from app.services import rate_limit
from app.services.customer.login import start_first_login
from app.services.errors import DomainError
from app.services.rate_limit import (
    FIRST_LOGIN_PER_ADDRESS,
    SMS_PER_ADDRESS,
    SMS_PER_MOBILE,
    DatabaseRateLimiter,
    RedisRateLimiter,
    default_rate_limiter,
)


def _start(db, customer, *, now, address="10.0.0.1", **overrides):
    args = {
        "installation_number": customer.installation_number,
        "metering_point_id": customer.metering_point_id,
        "mobile": customer.mobile,
        "consent": True,
    } | overrides
    info = start_first_login(db, client_address=address, now=now, **args)
    db.commit()
    return info


def test_the_limits_are_those_of_the_issue():
    assert (SMS_PER_MOBILE.count, SMS_PER_MOBILE.window) == (3, timedelta(minutes=15))
    assert (SMS_PER_ADDRESS.count, SMS_PER_ADDRESS.window) == (10, timedelta(hours=1))
    assert (FIRST_LOGIN_PER_ADDRESS.count, FIRST_LOGIN_PER_ADDRESS.window) == (
        20,
        timedelta(hours=1),
    )


def test_at_most_three_sms_per_mobile_per_15_minutes(db, make_customer):
    customer = make_customer()
    for i in range(3):
        # Different addresses: only the per-mobile limit can bite.
        _start(db, customer, now=T0 + timedelta(minutes=i), address=f"10.0.0.{i}")
    with pytest.raises(DomainError) as error:
        _start(db, customer, now=T0 + timedelta(minutes=4), address="10.0.0.9")
    assert error.value.key == "sms.too_many"
    # The window slides: 15 minutes after the first SMS there is room for one again.
    _start(db, customer, now=T0 + timedelta(minutes=15, seconds=1), address="10.0.0.9")


def test_at_most_ten_sms_per_client_address_per_hour(db, make_customer):
    customers = [make_customer(mobile=f"+47 9{i:02d} 00 000") for i in range(11)]
    for i, customer in enumerate(customers[:10]):
        _start(db, customer, now=T0 + timedelta(minutes=i))
    with pytest.raises(DomainError) as error:
        _start(db, customers[10], now=T0 + timedelta(minutes=11))
    assert error.value.key == "sms.too_many"
    # Another address is not affected.
    _start(db, customers[10], now=T0 + timedelta(minutes=11), address="10.9.9.9")
    # An hour after the first SMS the address has room again.
    _start(db, customers[0], now=T0 + timedelta(hours=1, seconds=1))


def test_at_most_twenty_first_login_attempts_per_address_per_hour(db, make_customer):
    customer = make_customer()
    for i in range(20):
        with pytest.raises(DomainError) as error:
            _start(db, customer, now=T0 + timedelta(seconds=i), installation_number=f"9{i}")
        assert error.value.key == "login.no_match"
    with pytest.raises(DomainError) as error:
        _start(db, customer, now=T0 + timedelta(seconds=30))
    assert error.value.key == "login.too_many_attempts"
    _start(db, customer, now=T0 + timedelta(seconds=30), address="10.1.1.1")
    _start(db, customer, now=T0 + timedelta(hours=1, seconds=1), address="10.0.0.1")


def test_the_keys_hold_no_phone_number(db, make_customer):
    from sqlmodel import select

    from app.models import RateLimitHit

    customer = make_customer()
    _start(db, customer, now=T0)
    keys = [hit.key_hash for hit in db.exec(select(RateLimitHit)).all()]
    # The mobile's digits (a chance "567" in a 64-digit hash is no phone number: 8 digits are).
    digits = "".join(ch for ch in customer.mobile if ch.isdigit())[-8:]
    assert keys and all(digits not in k and len(k) == 64 and int(k, 16) >= 0 for k in keys)


def test_database_limiter_counts_inside_the_window_only(db):
    limiter = DatabaseRateLimiter(db)
    window = timedelta(minutes=10)
    assert limiter.attempt("k", 2, window, now=T0)
    assert limiter.attempt("k", 2, window, now=T0 + timedelta(minutes=1))
    assert not limiter.attempt("k", 2, window, now=T0 + timedelta(minutes=2))
    assert limiter.count("k", window, now=T0 + timedelta(minutes=2)) == 2
    assert limiter.attempt("k", 2, window, now=T0 + timedelta(minutes=10, seconds=1))
    assert limiter.count("other", window, now=T0) == 0


def test_default_limiter_is_the_database_without_redis_url(db):
    assert isinstance(default_rate_limiter(db), DatabaseRateLimiter)


# ------------------------------------------------------------------ redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to test Redis limits"
)


@pytest.fixture
def redis_limiter():
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test:{uuid.uuid4().hex}:"
    yield RedisRateLimiter(client, prefix=prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.mark.redis
@needs_redis
def test_redis_limiter_counts_inside_the_window_only(redis_limiter):
    window = timedelta(minutes=10)
    assert redis_limiter.attempt("k", 2, window, now=T0)
    assert redis_limiter.attempt("k", 2, window, now=T0 + timedelta(minutes=1))
    assert not redis_limiter.attempt("k", 2, window, now=T0 + timedelta(minutes=2))
    assert redis_limiter.count("k", window, now=T0 + timedelta(minutes=2)) == 2
    assert redis_limiter.attempt("k", 2, window, now=T0 + timedelta(minutes=10, seconds=1))
    assert redis_limiter.count("other", window, now=T0) == 0


@pytest.mark.redis
@needs_redis
def test_redis_limiter_is_shared_between_workers(redis_limiter):
    other_worker = RedisRateLimiter(redis.Redis.from_url(REDIS_URL), prefix=redis_limiter.prefix)
    window = timedelta(minutes=15)
    assert redis_limiter.attempt("m", 3, window, now=T0)
    assert other_worker.attempt("m", 3, window, now=T0)
    assert redis_limiter.attempt("m", 3, window, now=T0)
    assert not other_worker.attempt("m", 3, window, now=T0)
    ttl = redis_limiter.client.pttl(redis_limiter.prefix + "m")
    assert 0 < ttl <= window.total_seconds() * 1000


@pytest.mark.redis
@needs_redis
def test_sms_limit_per_mobile_with_redis(db, make_customer, redis_limiter):
    customer = make_customer()
    for i in range(3):
        start_first_login(
            db,
            customer.installation_number,
            customer.metering_point_id,
            customer.mobile,
            True,
            f"10.0.0.{i}",
            now=T0 + timedelta(minutes=i),
            limiter=redis_limiter,
        )
    with pytest.raises(DomainError) as error:
        start_first_login(
            db,
            customer.installation_number,
            customer.metering_point_id,
            customer.mobile,
            True,
            "10.0.0.9",
            now=T0 + timedelta(minutes=4),
            limiter=redis_limiter,
        )
    assert error.value.key == "sms.too_many"


@pytest.mark.redis
@needs_redis
def test_default_limiter_is_redis_when_redis_url_is_set(db, monkeypatch):
    from app.config import Settings

    monkeypatch.setattr(rate_limit, "settings", Settings(redis_url=REDIS_URL))
    assert isinstance(default_rate_limiter(db), RedisRateLimiter)


def test_at_most_thirty_password_logins_per_address_per_hour(db):
    from app.services.customer.password_login import login_with_password
    from app.services.rate_limit import PASSWORD_LOGIN_PER_ADDRESS

    assert (PASSWORD_LOGIN_PER_ADDRESS.count, PASSWORD_LOGIN_PER_ADDRESS.window) == (
        30,
        timedelta(hours=1),
    )
    # Spraying one password over many mobiles: the per-account lockout never triggers.
    for i in range(30):
        with pytest.raises(DomainError) as error:
            login_with_password(
                db, f"+47400{i:05d}", "Sommer2026!", None, "10.0.0.9", now=T0 + timedelta(seconds=i)
            )
        assert error.value.key == "login.bad_credentials"
    with pytest.raises(DomainError) as error:
        login_with_password(
            db, "+4740099999", "Sommer2026!", None, "10.0.0.9", now=T0 + timedelta(seconds=40)
        )
    assert error.value.key == "login.too_many_attempts"
    with pytest.raises(DomainError) as error:
        login_with_password(
            db, "+4740099999", "Sommer2026!", None, "10.0.0.10", now=T0 + timedelta(seconds=40)
        )
    assert error.value.key == "login.bad_credentials"


def test_database_limiter_holds_under_concurrent_workers_on_postgresql(postgres_url):
    """Twenty workers race for five slots: exactly five get one."""
    import threading

    from sqlmodel import Session

    from app.db import make_engine
    from app.migrate import upgrade_to_head

    upgrade_to_head(postgres_url)
    engine = make_engine(postgres_url)
    key = f"race-{uuid.uuid4().hex}"
    start = threading.Barrier(20)
    granted: list[bool] = []

    def worker() -> None:
        with Session(engine) as session:
            start.wait()
            allowed = DatabaseRateLimiter(session).attempt(key, 5, timedelta(minutes=15), now=T0)
            session.commit()
            granted.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert granted.count(True) == 5
