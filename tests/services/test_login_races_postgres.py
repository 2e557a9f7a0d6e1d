"""Issue 10 item 9: the lockout and code-tries counters hold under concurrent guesses.

On PostgreSQL (the production database): 30 workers guess at the same instant. The counters
used to be read and written back, so concurrent guesses were all checked and none locked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from customer_factories import T0, code_sent_to
from sqlmodel import Session, col, select

from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import AuditEntry, ChallengeStatus, LoginChallenge
from app.services.customer.accounts import create_account
from app.services.customer.login import start_first_login, verify_code
from app.services.customer.password_login import login_with_password
from app.services.errors import DomainError
from app.services.login_throttle import FAILURES_PER_IDENTITY, customer_identity
from app.services.otp import MAX_WRONG_TRIES, find_challenge
from app.services.rate_limit import DatabaseRateLimiter
from app.services.sessions import resolve_principal

GOOD = "Blåbærsyltetøy på vaffel"
ADDRESS = "10.0.0.1"
WORKERS = 30


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """The shared fixtures (db, make_customer) on a private PostgreSQL schema."""
    upgrade_to_head(postgres_url)
    return postgres_url


def _race(database_url: str, guess: Callable[[Session], None], workers: int = WORKERS) -> list[str]:
    """Run ``guess`` in ``workers`` threads released together; the error keys they raised."""
    engine = make_engine(database_url)
    start = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                guess(session)
                outcome = "ok"
            except DomainError as error:
                outcome = error.key
            session.rollback()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return outcomes


def _wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_concurrent_wrong_codes_get_five_tries_in_all(db, make_customer, database_url):
    customer = make_customer()
    info = start_first_login(
        db,
        customer.installation_number,
        customer.metering_point_id,
        customer.mobile,
        True,
        ADDRESS,
        now=T0,
    )
    db.commit()
    wrong = _wrong_code(code_sent_to(db, customer.e164))

    outcomes = _race(
        database_url, lambda session: verify_code(session, info.challenge_id, wrong, ADDRESS, now=T0)
    )

    # Exactly five guesses were compared: four "wrong, n left" and the fifth that killed it.
    assert outcomes.count("otp.wrong") == MAX_WRONG_TRIES - 1
    assert outcomes.count("otp.locked") == WORKERS - (MAX_WRONG_TRIES - 1)
    db.expire_all()
    challenge = find_challenge(db, info.challenge_id)
    assert isinstance(challenge, LoginChallenge)
    assert challenge.failed_attempts == MAX_WRONG_TRIES
    assert challenge.status == ChallengeStatus.DEAD.value


def test_concurrent_wrong_passwords_lock_the_account(db, make_customer, database_url):
    customer = make_customer()
    info = start_first_login(
        db,
        customer.installation_number,
        customer.metering_point_id,
        customer.mobile,
        True,
        ADDRESS,
        now=T0,
    )
    db.commit()
    result = verify_code(db, info.challenge_id, code_sent_to(db, customer.e164), ADDRESS, now=T0)
    db.commit()
    principal = resolve_principal(db, result.session_token, now=T0)
    create_account(db, principal, GOOD, GOOD, now=T0)
    db.commit()

    outcomes = _race(
        database_url,
        lambda session: login_with_password(session, customer.mobile, "wrong", None, ADDRESS, now=T0),
        # 25: the address's own limit (30 password sign-ins an hour) must leave room for the last.
        workers=25,
    )

    # Exactly ten passwords were checked (each audited), the rest refused unchecked. Which
    # answer a checked guess gets depends on timing: "locked" once the tenth check is claimed.
    assert set(outcomes) <= {"login.bad_credentials", "login.locked"}
    checked = db.exec(
        select(AuditEntry).where(
            col(AuditEntry.action).in_(["customer.password_rejected", "customer.account_locked"])
        )
    ).all()
    assert len(checked) == 10
    with pytest.raises(DomainError) as error:
        login_with_password(db, customer.mobile, GOOD, None, ADDRESS, now=T0)
    assert error.value.key == "login.locked"


def test_concurrent_wrong_passwords_from_many_addresses_are_all_counted(db, make_customer, database_url):
    """The per-account count (the bound over every address) loses no concurrent failure."""
    customer = make_customer()
    addresses = iter(f"198.51.100.{n}" for n in range(WORKERS))
    lock = threading.Lock()

    def guess(session: Session) -> None:
        with lock:
            address = next(addresses)
        login_with_password(session, customer.mobile, "wrong", None, address, now=T0)

    outcomes = _race(database_url, guess)

    assert outcomes == ["login.bad_credentials"] * WORKERS
    identity = customer_identity(customer.e164)
    counted = DatabaseRateLimiter(db).count(
        FAILURES_PER_IDENTITY.key(identity), FAILURES_PER_IDENTITY.window, now=T0
    )
    assert counted == WORKERS
