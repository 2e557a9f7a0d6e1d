"""Sliding-window rate limits: in the database by default, in Redis when ``REDIS_URL`` is set.

Keys are HMACs of what they count (a mobile number, a client address), so neither the
database nor Redis holds the personal data itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

import redis
from sqlalchemy import text
from sqlmodel import Session, col, delete, func, select

from app.config import settings
from app.models import RateLimitHit
from app.models.base import utcnow
from app.services.server_secret import keyed_digest


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``window`` for one key."""

    name: str
    count: int
    window: timedelta

    def key(self, subject: str) -> str:
        return keyed_digest("rate-limit", f"{self.name}:{subject}")


# The limits of the customer sign-in.
SMS_PER_MOBILE = Limit("sms-per-mobile", 3, timedelta(minutes=15))
SMS_PER_ADDRESS = Limit("sms-per-address", 10, timedelta(hours=1))
FIRST_LOGIN_PER_ADDRESS = Limit("first-login-per-address", 20, timedelta(hours=1))
# The per-account lockout alone would let one address try a password on many accounts.
# Only failed checks count (issue 21.5): an office behind one NAT address signs in all morning.
PASSWORD_LOGIN_PER_ADDRESS = Limit("password-login-per-address", 30, timedelta(hours=1))
# New passwords hashed (create account, change password) per address: argon2 is expensive.
PASSWORD_HASHES_PER_ADDRESS = Limit("password-hashes-per-address", 20, timedelta(hours=1))


class RateLimiter(Protocol):
    def count(self, key: str, window: timedelta, *, now: datetime | None = None) -> int:
        """Events counted for ``key`` in the window that ends at ``now``."""
        ...

    def attempt(self, key: str, limit: int, window: timedelta, *, now: datetime | None = None) -> bool:
        """Count one event if fewer than ``limit`` are in the window; False when full."""
        ...

    def clear(self, key: str) -> None:
        """Forget every event counted for ``key``."""
        ...

    def give_back(self, key: str, *, now: datetime) -> None:
        """Un-count the one event ``attempt`` counted for ``key`` at ``now``.

        For limits that count failures: the attempt is claimed before the outcome is known
        (atomic under concurrency) and given back when it turns out to be a success.
        """
        ...


class DatabaseRateLimiter:
    """Hits as rows in ``rate_limit_hit``, in the caller's transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def _serialise(self, key: str) -> None:
        """Make count-then-insert atomic per key across workers.

        PostgreSQL: a transaction-scoped advisory lock on the key. SQLite needs none: the prune
        below is a write, and SQLite lets one writer in at a time until the commit.
        """
        if self.db.get_bind().dialect.name == "postgresql":
            self.db.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))

    def _prune(self, key: str, since: datetime) -> None:
        self.db.exec(
            delete(RateLimitHit).where(col(RateLimitHit.key_hash) == key, col(RateLimitHit.at) <= since)
        )

    def count(self, key: str, window: timedelta, *, now: datetime | None = None) -> int:
        now = now or utcnow()
        since = now - window
        self._prune(key, since)
        return self.db.exec(
            select(func.count())
            .select_from(RateLimitHit)
            .where(col(RateLimitHit.key_hash) == key, col(RateLimitHit.at) > since)
        ).one()

    def attempt(self, key: str, limit: int, window: timedelta, *, now: datetime | None = None) -> bool:
        now = now or utcnow()
        self._serialise(key)
        if self.count(key, window, now=now) >= limit:
            return False
        self.db.add(RateLimitHit(key_hash=key, at=now))
        self.db.flush()
        return True

    def clear(self, key: str) -> None:
        self.db.exec(delete(RateLimitHit).where(col(RateLimitHit.key_hash) == key))

    def give_back(self, key: str, *, now: datetime) -> None:
        one = (
            select(RateLimitHit.id)
            .where(col(RateLimitHit.key_hash) == key, col(RateLimitHit.at) == now)
            .limit(1)
            .scalar_subquery()
        )
        self.db.exec(delete(RateLimitHit).where(col(RateLimitHit.id) == one))


# Sorted set per key, scored by time: drop old hits, count, add when room; one atomic step.
_ATTEMPT_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return 0
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return 1
"""


# Remove one member counted at exactly ARGV[1] (the one ``attempt`` added then).
_GIVE_BACK_SCRIPT = """
local members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if #members > 0 then
  redis.call('ZREM', KEYS[1], members[1])
end
return #members
"""


class RedisRateLimiter:
    """Hits in a Redis sorted set per key: shared by every worker."""

    def __init__(self, client: redis.Redis, prefix: str = "meterportal:ratelimit:") -> None:
        self.client = client
        self.prefix = prefix
        self._attempt = client.register_script(_ATTEMPT_SCRIPT)
        self._give_back = client.register_script(_GIVE_BACK_SCRIPT)

    def count(self, key: str, window: timedelta, *, now: datetime | None = None) -> int:
        now = now or utcnow()
        full_key = self.prefix + key
        floor = now.timestamp() - window.total_seconds()
        return int(self.client.zcount(full_key, f"({floor}", "+inf"))

    def attempt(self, key: str, limit: int, window: timedelta, *, now: datetime | None = None) -> bool:
        now = now or utcnow()
        member = f"{now.timestamp()}:{secrets.token_hex(8)}"
        allowed = self._attempt(
            keys=[self.prefix + key],
            args=[now.timestamp(), window.total_seconds(), limit, member],
        )
        return bool(allowed)

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def give_back(self, key: str, *, now: datetime) -> None:
        self._give_back(keys=[self.prefix + key], args=[repr(now.timestamp())])


@lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def default_rate_limiter(db: Session) -> RateLimiter:
    """Redis when ``REDIS_URL`` is set (several workers), else the database."""
    if settings.redis_url:
        return RedisRateLimiter(_redis_client(settings.redis_url))
    return DatabaseRateLimiter(db)


def within_limits(
    limiter: RateLimiter, checks: list[tuple[Limit, str]], *, now: datetime | None = None
) -> bool:
    """Count one event against every limit, but only when none of them is full."""
    now = now or utcnow()
    for limit, subject in checks:
        if limiter.count(limit.key(subject), limit.window, now=now) >= limit.count:
            return False
    return all(
        limiter.attempt(limit.key(subject), limit.count, limit.window, now=now) for limit, subject in checks
    )
