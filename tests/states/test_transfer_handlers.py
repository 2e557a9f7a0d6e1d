"""Transfer handlers called as a browser would (issue 23): a superuser sends with the mailed code
and the other side accepts; requests go through the robot check; nobody answers, cancels or
reads another organisation's transfer, nor sends units they do not own."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import os
import random
import re
import uuid
from dataclasses import dataclass

import altcha
import pytest
from sqlmodel import col, select

from app.db import session_scope
from app.models import KeyTransfer, MeterKey, Organisation, OrganisationKind, Role, TransferStatus, User
from app.services.errors import AccessDenied
from app.services.keys import transfer_codes
from app.services.keys.sealing import add_key
from app.services.passwords import hash_password
from app.services.sessions import start_session
from app.states.keys.audit import KeyAuditState
from app.states.keys.transfers import ANSWER, REQUEST, SEND, STEP_CODE, STEP_ROBOT, STEP_WARNING
from app.states.keys.transfers import TransferActivitiesState as A
from app.states.keys.transfers import TransferDialogsState as D
from tests.handler_callers import state_as


@dataclass(frozen=True)
class Org:
    token: str
    email: str
    name: str
    organisation_id: int
    unit_ids: list[int]
    serials: list[str]


def _org(db, prefix: str, first: int, count: int) -> Org:
    org = Organisation(name=f"Distributør {uuid.uuid4().hex[:8]}", kind=OrganisationKind.DISTRIBUTOR.value)
    db.add(org)
    db.flush()
    serials = [f"{prefix}{first + n:03d}" for n in range(count)]
    ids = [add_key(db, serial, os.urandom(16), owner_id=org.id).id or 0 for serial in serials]
    email = f"dist-{uuid.uuid4().hex[:8]}@example.org"
    user = User(
        email=email,
        name=email.split("@")[0],
        role=Role.DISTRIBUTOR.value,
        organisation_id=org.id,
        password_hash=hash_password("Kobber#Maaler26"),
    )
    db.add(user)
    db.flush()
    return Org(
        start_session(db, Role.DISTRIBUTOR, user_id=user.id), email, org.name, org.id or 0, ids, serials
    )


@pytest.fixture
def orgs(app_database_url) -> tuple[Org, Org, Org]:
    prefix = f"KAM{random.randint(10000, 99999)}"
    with session_scope() as db:
        return _org(db, prefix, 0, 6), _org(db, prefix, 500, 4), _org(db, prefix, 800, 2)


@pytest.fixture
def mailed_codes(monkeypatch) -> list[tuple[str, str]]:
    mails: list[tuple[str, str]] = []
    monkeypatch.setattr(transfer_codes, "deliver_mail", lambda mail, **_: mails.append((mail.to, mail.text)))
    return mails


def _call(state_class, state, name: str, *args):
    owner = next(cls for cls in state_class.__mro__ if name in getattr(cls, "event_handlers", {}))
    result = owner.event_handlers[name].fn(state, *args)
    return asyncio.run(result) if inspect.isawaitable(result) else result


def _code(mails, address: str) -> str:
    return re.search(r"\b(\d{6})\b", [text for to, text in mails if to == address][-1]).group(1)  # type: ignore[union-attr]


def _solve(challenge_json: str) -> str:
    challenge = json.loads(challenge_json)
    solution = altcha.solve_challenge_v1(
        challenge["challenge"],
        salt=challenge["salt"],
        algorithm=challenge["algorithm"],
        max_number=challenge["maxNumber"],
    )
    assert solution is not None
    payload = {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**payload, "number": solution.number}).encode()).decode()


def _owners(unit_ids: list[int]) -> set[int | None]:
    with session_scope() as db:
        return set(db.exec(select(MeterKey.owner_id).where(col(MeterKey.id).in_(unit_ids))).all())


def _sent_through_the_dialog(own: Org, other: Org, mailed_codes) -> D:
    state = state_as(D, own.token)
    _call(D, state, "load")
    state._selected_ids = set()
    _call(D, state, "apply_filters", {"serial_search": " ".join(own.serials[:3])})
    _call(D, state, "select_page")
    _call(D, state, "open_send")
    assert state.open_dialog == SEND and state.send_title.endswith("3 enheter")
    _call(D, state, "check_send_recipient", {"email": other.email})
    assert state.recipient_organisation == other.name
    _call(D, state, "continue_send")
    assert state.send_step == STEP_WARNING and other.name in state.send_warning
    _call(D, state, "request_code")
    assert state.send_step == STEP_CODE and state.code_id
    _call(D, state, "send_now", {"code": _code(mailed_codes, own.email)})
    assert state.open_dialog == "" and state.selected_count == 0
    return state


def test_a_send_through_the_dialog_is_accepted_on_the_other_side(orgs, mailed_codes):
    own, other, _ = orgs
    _sent_through_the_dialog(own, other, mailed_codes)
    theirs = state_as(A, other.token)
    _call(A, theirs, "load")
    row = next(row for row in theirs.rows if row["counterparty"] == own.name)
    assert (row["accept"], row["cancel"], row["units"]) == ("1", "", "3 enheter")
    _call(A, theirs, "ask_answer", row["id"], "accept")
    assert theirs.open_dialog == ANSWER
    _call(A, theirs, "answer", {})
    assert _owners(own.unit_ids[:3]) == {other.organisation_id}
    _call(A, theirs, "show_tab", "closed")
    closed = next(row for row in theirs.rows if row["id"] == row["id"] and row["counterparty"] == own.name)
    assert closed["outcome"].startswith("Fullført")


def test_the_recipient_check_says_why_not(orgs):
    own, _, _ = orgs
    state = state_as(D, own.token)
    _call(D, state, "load")
    _call(D, state, "check_send_recipient", {"email": own.email})
    assert state.recipient_organisation == "" and "egen organisasjon" in state.errors["email"]


def test_a_request_goes_through_the_list_and_the_robot_check(orgs):
    own, other, third = orgs
    state = state_as(D, own.token)
    _call(D, state, "load")
    _call(D, state, "open_request")
    assert state.open_dialog == REQUEST
    typed = f"{other.serials[0]}\n{third.serials[0].lower()}, {other.serials[0]} {own.serials[0]} bad"
    _call(D, state, "add_serials", {"serials": typed})
    assert state.request_count == 4 and state.request_problems == 2
    _call(D, state, "continue_request")
    assert state.request_step != STEP_ROBOT and state.errors["serials"]
    _call(D, state, "remove_marked")
    _call(D, state, "continue_request")
    assert state.request_step == STEP_ROBOT and state.robot_challenge
    _call(D, state, "request_now", {"altcha": ""})
    assert state.errors["robot"] and state.open_dialog == REQUEST
    _call(D, state, "request_now", {"altcha": _solve(state.robot_challenge)})
    assert state.open_dialog == ""
    with session_scope() as db:
        opened = db.exec(
            select(KeyTransfer).where(KeyTransfer.to_organisation_id == own.organisation_id)
        ).all()
    assert sorted(t.from_organisation_id for t in opened) == sorted(
        [other.organisation_id, third.organisation_id]
    )


def test_nobody_answers_cancels_or_reads_another_organisations_transfer(orgs, mailed_codes):
    own, other, stranger = orgs
    _sent_through_the_dialog(own, other, mailed_codes)
    with session_scope() as db:
        transfer = db.exec(
            select(KeyTransfer).where(KeyTransfer.from_organisation_id == own.organisation_id)
        ).one()
    state = state_as(A, stranger.token)
    _call(A, state, "load")
    assert all(row["id"] != str(transfer.id) for row in state.rows)
    _call(A, state, "ask_answer", str(transfer.id), "accept")  # not listed: nothing opens
    _call(A, state, "open_serials", str(transfer.id))
    assert state.open_dialog == ""
    for answer in ("accept", "decline", "cancel"):
        # As if the browser had smuggled the id in.
        state.open_dialog, state.chosen_id, state.chosen_answer = ANSWER, str(transfer.id), answer
        with pytest.raises(AccessDenied):
            _call(A, state, "answer", {})
    # The sender may not answer its own send, the recipient may not cancel it.
    for token, answer in ((own.token, "accept"), (own.token, "decline"), (other.token, "cancel")):
        state = state_as(A, token)
        _call(A, state, "load")
        _call(A, state, "ask_answer", str(transfer.id), answer)
        assert state.open_dialog == ""  # the row offers no such action
        state.open_dialog, state.chosen_id, state.chosen_answer = ANSWER, str(transfer.id), answer
        with pytest.raises(AccessDenied):
            _call(A, state, "answer", {})
    with session_scope() as db:
        assert db.get(KeyTransfer, transfer.id).status == TransferStatus.OPEN.value  # type: ignore[union-attr]


def test_nobody_sends_units_they_do_not_own(orgs, mailed_codes):
    own, other, _ = orgs
    state = state_as(D, own.token)
    _call(D, state, "load")
    _call(D, state, "open_request")
    state.open_dialog, state.send_step = SEND, STEP_WARNING
    state.recipient_email, state.recipient_organisation = other.email, other.name
    state._selected_ids = {other.unit_ids[0], own.unit_ids[0]}  # smuggled into the selection
    with pytest.raises(AccessDenied):
        _call(D, state, "request_code")
    assert mailed_codes == []
    state.code_id = "anything"
    with pytest.raises(AccessDenied):
        _call(D, state, "send_now", {"code": "123456"})
    assert _owners(other.unit_ids[:1]) == {other.organisation_id}


def test_the_audit_filter_offers_the_transfer_actions(orgs):
    state = state_as(KeyAuditState, orgs[0].token)
    offered = {option["value"] for option in state.action_options}
    assert {
        "key.transfer_send",
        "key.transfer_request",
        "key.transfer_accept",
        "key.transfer_decline",
        "key.transfer_cancel",
    } <= offered
