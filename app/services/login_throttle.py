"""Wrong-password throttling for every password sign-in, whatever identifies the account.

The API is two functions around each password check, keyed by an *identity* (what the person
typed to name their account: ``customer:+4791234567``, ``email:ola@example.no``) and the
client address:

    claim_password_attempt(limiter, identity, client_address, trusted_device=..., now=...)
    ... verify the password ...
    forget_password_failures(limiter, identity, client_address)   # only when it was right

Why this shape (issue 10, item 5):
- A check is *claimed* before the password is verified, through the rate limiter's atomic
  ``attempt``: concurrent guesses cannot exceed the bound (item 9).
- Two bounds, both sliding windows, so failures decay instead of adding up forever:
  per (identity, address) a small one, and per identity a large one. One attacker address
  therefore locks only itself out of the account; the customer's own address keeps working.
- A remembered device of the account is exempt from the per-identity bound, so even many
  attacker addresses cannot lock the customer out on a device they used before.
- The identity is what was typed, whether or not an account exists: an unknown mobile number
  gets exactly the same answers (no oracle).
- Keys are HMACs (see ``rate_limit.Limit.key``): no mobile number or address is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.services.errors import DomainError
from app.services.rate_limit import Limit, RateLimiter

# The same address may try 10 passwords on one account per 15 minutes.
FAILURES_PER_IDENTITY_AND_ADDRESS = Limit(
    "password-checks-per-identity-and-address", 10, timedelta(minutes=15)
)
# Every address together: 100 per hour (a botnet's bound; remembered devices are exempt).
FAILURES_PER_IDENTITY = Limit("password-checks-per-identity", 100, timedelta(hours=1))


class PasswordAttemptsLocked(DomainError):
    """Too many password checks for this account (from this address, or in all)."""

    def __init__(self, minutes: int) -> None:
        super().__init__("login.locked", minutes=minutes)


def _pair(identity: str, client_address: str | None) -> str:
    return f"{identity}|{client_address or 'unknown'}"


def _minutes(limit: Limit) -> int:
    return int(limit.window.total_seconds() // 60)


def claim_password_attempt(
    limiter: RateLimiter,
    identity: str,
    client_address: str | None,
    *,
    trusted_device: bool = False,
    step_up_possible: bool = False,
    now: datetime | None = None,
) -> bool:
    """Count one password check for ``identity`` from ``client_address``, before it is made.

    Raises ``PasswordAttemptsLocked`` (``login.locked``) when a bound is full; nothing is
    counted against the other bound then. With ``step_up_possible`` a full per-identity bound
    does not refuse: the check goes ahead and True is returned, and the caller asks for a fresh
    SMS code before a right password counts (issue 20.8: other addresses never lock the owner
    out, NIST SP 800-63B 5.2.2). False when the check is an ordinary one.
    """
    pair_key = FAILURES_PER_IDENTITY_AND_ADDRESS.key(_pair(identity, client_address))
    identity_key = FAILURES_PER_IDENTITY.key(identity)
    identity_full = (
        not trusted_device
        and limiter.count(identity_key, FAILURES_PER_IDENTITY.window, now=now) >= FAILURES_PER_IDENTITY.count
    )
    if identity_full and not step_up_possible:
        raise PasswordAttemptsLocked(_minutes(FAILURES_PER_IDENTITY))
    if not limiter.attempt(
        pair_key,
        FAILURES_PER_IDENTITY_AND_ADDRESS.count,
        FAILURES_PER_IDENTITY_AND_ADDRESS.window,
        now=now,
    ):
        raise PasswordAttemptsLocked(_minutes(FAILURES_PER_IDENTITY_AND_ADDRESS))
    if trusted_device or identity_full:
        return identity_full
    if not limiter.attempt(identity_key, FAILURES_PER_IDENTITY.count, FAILURES_PER_IDENTITY.window, now=now):
        if step_up_possible:
            return True
        raise PasswordAttemptsLocked(_minutes(FAILURES_PER_IDENTITY))
    return False


def password_attempts_exhausted(
    limiter: RateLimiter, identity: str, client_address: str | None, *, now: datetime | None = None
) -> bool:
    """True when the next check from this address would be refused (for the audit trail)."""
    pair_key = FAILURES_PER_IDENTITY_AND_ADDRESS.key(_pair(identity, client_address))
    return (
        limiter.count(pair_key, FAILURES_PER_IDENTITY_AND_ADDRESS.window, now=now)
        >= FAILURES_PER_IDENTITY_AND_ADDRESS.count
    )


def forget_password_failures(limiter: RateLimiter, identity: str, client_address: str | None) -> None:
    """The right password from this address: its earlier wrong ones stop counting.

    The per-identity count is kept: a right password from one address must not give other
    addresses a fresh allowance.
    """
    limiter.clear(FAILURES_PER_IDENTITY_AND_ADDRESS.key(_pair(identity, client_address)))


def customer_identity(e164_mobile: str) -> str:
    """The identity of a customer's password sign-in: the mobile number typed (E.164)."""
    return f"customer:{e164_mobile}"


def email_identity(email: str) -> str:
    """The identity of an e-mail account's password sign-in."""
    return f"email:{email.strip().lower()}"
