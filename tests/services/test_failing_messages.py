"""Messages that keep failing: administrators see all, grid staff their own grid company's."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.config import Settings
from app.models import AuditEntry, Organisation, OrganisationKind, OutboxStatus, Role, User
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.notify.failing_messages import failing_messages, send_again
from app.services.notify.outbox import queue_mail, queue_sms
from app.services.notify.sender import send_due_messages
from tests.local_servers import free_port


def _caller(db: Session, role: Role, organisation_id: int | None) -> Caller:
    user = User(
        email=f"{role.value}{organisation_id}@example.org", role=role.value, organisation_id=organisation_id
    )
    db.add(user)
    db.flush()
    return Caller(role=role, user_id=user.id, organisation_id=organisation_id, client_address="127.0.4.2")


@pytest.fixture
def world(db: Session):
    grids = [Organisation(name=f"Nett {n}", kind=OrganisationKind.GRID_COMPANY) for n in "AB"]
    db.add_all(grids)
    db.flush()
    ours, theirs = (grid.id for grid in grids)
    decision = queue_mail(
        db,
        "inst@example.org",
        "installer_decision",
        "nb",
        organisation_id=ours,
        number=7,
        status="Godkjent",
        reason="-",
    )
    han = queue_sms(
        db, "+4791234567", "han.sms.rejected", "nb", organisation_id=theirs, number=3, reason="Nei"
    )
    account = queue_mail(db, "new@example.org", "activation", "en", link="http://x/y")
    fine = queue_mail(db, "ok@example.org", "access_declined", "nb", organisation_id=ours, reason="-")
    built = {
        "ours": ours,
        "decision": decision.id,
        "han": han.id,
        "account": account.id,
        "fine": fine.id,
        "staff": _caller(db, Role.GRID_STAFF, ours),
        "admin": _caller(db, Role.ADMIN, None),
        "installer": _caller(db, Role.INSTALLER, None),
    }
    db.commit()
    return built


def _fail(engine, rounds: int) -> None:
    """Every message fails ``rounds`` times (SMTP and Twilio unreachable)."""
    down = Settings(
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        sms_backend="twilio",
        twilio_account_sid="AC1",
        twilio_auth_token="t",
        twilio_api_base="http://127.0.0.1:9",
        outbox_retry_seconds=0,
        outbox_max_attempts=3,
    )
    for _ in range(rounds):
        send_due_messages(engine, down)


def test_once_is_not_failing_twice_is_and_each_sees_their_own(db, engine, world):
    _fail(engine, 1)
    assert failing_messages(db, world["admin"]) == ([], 0)  # a single failed try is not news
    _fail(engine, 1)
    everything, total = failing_messages(db, world["admin"])
    assert total == 4 and {m.id for m in everything} >= {world["decision"], world["han"], world["account"]}
    own, total = failing_messages(db, world["staff"])
    assert total == 2 and {m.id for m in own} == {world["decision"], world["fine"]}
    assert all(m.status == OutboxStatus.PENDING and m.attempts == 2 for m in own)
    assert all(m.what for m in own)
    with pytest.raises(AccessDenied):
        failing_messages(db, world["installer"])


def test_a_given_up_message_can_be_sent_again_by_who_sees_it(db, engine, world):
    _fail(engine, 3)
    [decision] = [m for m in failing_messages(db, world["staff"])[0] if m.id == world["decision"]]
    assert decision.status == OutboxStatus.FAILED and decision.next_attempt_at is None
    with pytest.raises(DomainError):  # not their grid company's: as if it did not exist
        send_again(db, world["staff"], world["han"])
    send_again(db, world["staff"], world["decision"])
    db.commit()
    [again] = [m for m in failing_messages(db, world["admin"])[0] if m.id == world["decision"]] or [None]
    assert again is None  # pending with no failed try: off the list until it fails again
    assert db.exec(
        AuditEntry.__table__.select().where(AuditEntry.action == "outbox.send_again")  # type: ignore[attr-defined]
    ).first()
    with pytest.raises(DomainError):  # only a given-up message
        send_again(db, world["admin"], world["decision"])
