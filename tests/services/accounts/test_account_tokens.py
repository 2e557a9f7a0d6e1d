"""One-time links: single use, expiry, and a newer link voiding the older ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from account_factories import NOW

from app.models import AccountTokenPurpose
from app.services.accounts.tokens import InvalidLink, find_token, issue_token, redeem_token

ACTIVATION = AccountTokenPurpose.ACTIVATION
RESET = AccountTokenPurpose.PASSWORD_RESET


def _refused(db, purpose, token, now) -> str:
    with pytest.raises(InvalidLink) as caught:
        redeem_token(db, purpose, token, now=now)
    return caught.value.key


def test_a_link_works_once(db):
    token = issue_token(db, ACTIVATION, "a@example.org", now=NOW)
    assert redeem_token(db, ACTIVATION, token, now=NOW).email == "a@example.org"
    assert _refused(db, ACTIVATION, token, NOW + timedelta(seconds=1)) == "link.used"


def test_activation_lives_24_hours_and_reset_1_hour(db):
    activation = issue_token(db, ACTIVATION, "a@example.org", now=NOW)
    reset = issue_token(db, RESET, "a@example.org", now=NOW)
    assert find_token(db, ACTIVATION, activation, now=NOW + timedelta(hours=24, seconds=-1))
    assert find_token(db, RESET, reset, now=NOW + timedelta(minutes=59))
    assert _refused(db, ACTIVATION, activation, NOW + timedelta(hours=24)) == "link.expired"
    assert _refused(db, RESET, reset, NOW + timedelta(hours=1)) == "link.expired"


def test_a_newer_link_voids_the_older_one_of_the_same_address_and_purpose(db):
    old = issue_token(db, ACTIVATION, "a@example.org", now=NOW)
    other_address = issue_token(db, ACTIVATION, "b@example.org", now=NOW)
    other_purpose = issue_token(db, RESET, "a@example.org", now=NOW)
    new = issue_token(db, ACTIVATION, "a@example.org", now=NOW + timedelta(minutes=1))
    assert _refused(db, ACTIVATION, old, NOW + timedelta(minutes=2)) == "link.voided"
    assert redeem_token(db, ACTIVATION, new, now=NOW + timedelta(minutes=2))
    assert redeem_token(db, ACTIVATION, other_address, now=NOW + timedelta(minutes=2))
    assert redeem_token(db, RESET, other_purpose, now=NOW + timedelta(minutes=2))


def test_unknown_empty_and_wrong_purpose_tokens_are_refused(db):
    reset = issue_token(db, RESET, "a@example.org", now=NOW)
    assert _refused(db, ACTIVATION, "not-a-token", NOW) == "link.unknown"
    assert _refused(db, ACTIVATION, "", NOW) == "link.unknown"
    assert _refused(db, ACTIVATION, reset, NOW) == "link.unknown"


def test_only_the_hash_is_stored(db):
    from sqlmodel import select

    from app.models import AccountToken

    token = issue_token(db, ACTIVATION, "a@example.org", now=NOW)
    stored = db.exec(select(AccountToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_two_redemptions_in_one_race_let_only_one_through(engine):
    from sqlmodel import Session

    with Session(engine) as setup:
        token = issue_token(setup, ACTIVATION, "a@example.org", now=NOW)
        setup.commit()
    with Session(engine) as first, Session(engine) as second:
        # Both read the live link before either writes.
        find_token(first, ACTIVATION, token, now=NOW)
        find_token(second, ACTIVATION, token, now=NOW)
        redeem_token(first, ACTIVATION, token, now=NOW)
        first.commit()
        assert _refused(second, ACTIVATION, token, NOW) == "link.used"
