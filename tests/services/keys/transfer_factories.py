"""Helpers of the transfer tests: the mailed send code caught, a robot check solved as the widget
does, and a send or request carried through the services."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence

import altcha
import pytest
from sqlmodel import Session

from app.models import KeyTransfer, Organisation, User
from app.services.caller import Caller
from app.services.keys import transfer_codes
from app.services.keys.transfers import request_send_code, request_units, send_units
from app.services.robot_check import new_challenge

CODE = re.compile(r"\b(\d{6})\b")


class CodeMailbox:
    """The send codes mailed (``deliver_mail`` caught): address -> the mails' texts."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, str]] = []

    def __call__(self, mail, **_: object) -> str:
        self.mails.append((mail.to, mail.text))
        return "test"

    def last_code(self, address: str) -> str:
        texts = [text for to, text in self.mails if to == address]
        assert texts, f"no code mailed to {address}"
        found = CODE.search(texts[-1])
        assert found
        return found.group(1)


def catch_codes(monkeypatch: pytest.MonkeyPatch) -> CodeMailbox:
    box = CodeMailbox()
    monkeypatch.setattr(transfer_codes, "deliver_mail", box)
    return box


def email_of(db: Session, caller: Caller) -> str:
    user = db.get(User, caller.user_id)
    assert user is not None and user.email
    return user.email


def solved_robot_check() -> str:
    """What the widget submits once it has solved a fresh challenge."""
    challenge = new_challenge()
    solution = altcha.solve_challenge_v1(
        str(challenge["challenge"]),
        salt=str(challenge["salt"]),
        algorithm=str(challenge["algorithm"]),
        max_number=int(challenge["maxNumber"]),
    )  # type: ignore[call-overload]
    assert solution is not None
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def send(
    db: Session, box: CodeMailbox, sender: Caller, units: Sequence[int], recipient: Caller
) -> KeyTransfer:
    """A send carried through: code asked, read from the mail, typed."""
    to = email_of(db, recipient)
    code_id = request_send_code(db, sender, units, to)
    return send_units(db, sender, units, to, code_id, box.last_code(email_of(db, sender)))


def request(db: Session, requester: Caller, serials: Sequence[str]) -> list[KeyTransfer]:
    return request_units(db, requester, serials, solved_robot_check())


def organisation_name(db: Session, organisation_id: int | None) -> str:
    organisation = db.get(Organisation, organisation_id)
    assert organisation is not None
    return organisation.name
