"""The robot check: a proof-of-work challenge (ALTCHA) the browser solves, verified here.

No outside service: the server makes a challenge signed with a key derived from the server
secret (``altcha`` package), the page's widget finds the number whose hash matches, and the
server verifies the answer: its signature (not forged), its expiry (10 minutes) and that it was
never used before (``robot_check_use``: one row per used challenge, its signature unique, so even
two concurrent submissions of the same answer let only one through).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import altcha
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.clock import utcnow
from app.models import RobotCheckUse
from app.services.errors import DomainError
from app.services.server_secret import keyed_digest

CHALLENGE_TTL = timedelta(minutes=10)
# About 25,000 SHA-256 hashes on average: a fraction of a second in a browser, a cost per try for a script.
MAX_NUMBER = 50_000


def _hmac_key() -> str:
    return keyed_digest("robot-check", "altcha-hmac-key")


def new_challenge() -> dict[str, object]:
    """A fresh signed challenge for the widget (JSON the widget reads from its challenge)."""
    # altcha reads its expiry against the system clock, so it is set from it too.
    expires = datetime.now(UTC) + CHALLENGE_TTL
    return altcha.create_challenge_v1(hmac_key=_hmac_key(), max_number=MAX_NUMBER, expires=expires).to_dict()


def _signature(payload: str) -> str:
    try:
        data = json.loads(base64.b64decode(payload, validate=True))
        signature = data["signature"]
    except (ValueError, KeyError, TypeError):
        raise DomainError("robot.failed", field="robot") from None
    if not isinstance(signature, str) or not signature or len(signature) > 128:
        raise DomainError("robot.failed", field="robot")
    return signature


def redeem_proof(db: Session, payload: str | None) -> None:
    """Accept the widget's answer once: signed by us, solved, not expired, never used before.

    Marks it used in ``db``'s transaction (flushed now: a second use fails at once).
    """
    if not payload or len(payload) > 4096:
        raise DomainError("robot.missing", field="robot")
    signature = _signature(payload)
    try:
        ok, _reason = altcha.verify_solution_v1(payload, _hmac_key(), True)
    except Exception:  # a malformed answer is a failed check, whatever the library raises
        ok = False
    if not ok:
        raise DomainError("robot.failed", field="robot")
    now = utcnow()
    db.execute(delete(RobotCheckUse).where(col(RobotCheckUse.expires_at) < now - CHALLENGE_TTL))
    db.add(RobotCheckUse(signature=signature, expires_at=now + CHALLENGE_TTL))
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise DomainError("robot.used", field="robot") from None
