"""Transfers stay exact under races (issue 23): threads released together on SQLite and PostgreSQL.

Accept, decline and cancel racing on one transfer: exactly one wins and the others are told what
decided it; an acceptance raced by another moves every unit once. Two organisations requesting the
same units at once: exactly one transfer opens (the database's unique open_unit_id decides).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from key_factories import add_units, organisation, signed_in
from sqlmodel import Session, col, select
from transfer_factories import catch_codes, send, solved_robot_check

from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import KeyOwnership, KeyTransfer, KeyTransferUnit, MeterKey, Role, TransferStatus
from app.services.errors import DomainError
from app.services.keys.transfers import accept_transfer, cancel_transfer, decline_transfer, request_units

WORKERS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """Each race on a SQLite file and on a private PostgreSQL schema (``TEST_DATABASE_URL``)."""
    if request.param == "sqlite":
        return database_url
    url = request.getfixturevalue("postgres_url")
    upgrade_to_head(url)
    return url


def _race(url: str, moves: list[Callable[[Session], object]]) -> list[str]:
    """Run each move in its own thread and session, all released at once; their outcomes."""
    engine = make_engine(url)
    start = threading.Barrier(len(moves))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(move: Callable[[Session], object]) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                move(session)
                outcome = "ok"
            except DomainError as error:
                outcome = error.key
            session.rollback()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(move,)) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    assert len(outcomes) == len(moves)
    return outcomes


def _state(db: Session, transfer_id: int, units: list[int]) -> tuple[str, set[int | None], int]:
    db.expire_all()
    transfer = db.get(KeyTransfer, transfer_id)
    assert transfer is not None
    owners = {row for row in db.exec(select(MeterKey.owner_id).where(col(MeterKey.id).in_(units)))}
    history = len(db.exec(select(KeyOwnership).where(KeyOwnership.transfer_id == transfer_id)).all())
    return transfer.status, owners, history


def test_accept_decline_and_cancel_racing_exactly_one_wins(db, world, monkeypatch, database_url):
    units = world.own_units[:20]
    transfer = send(db, catch_codes(monkeypatch), world.own, units, world.other)
    moves = [
        *(lambda s: accept_transfer(s, world.other, transfer.id) for _ in range(3)),
        *(lambda s: decline_transfer(s, world.other, transfer.id) for _ in range(3)),
        *(lambda s: cancel_transfer(s, world.own, transfer.id) for _ in range(2)),
    ]
    outcomes = _race(database_url, moves)
    assert outcomes.count("ok") == 1, outcomes
    status, owners, history = _state(db, transfer.id, units)
    losers = {o for o in outcomes if o != "ok"}
    assert losers == {f"keys.transfer.error.already_{status}"}
    if status == TransferStatus.SUCCEEDED.value:
        assert (owners, history) == ({world.other.organisation_id}, len(units))
    else:
        assert (owners, history) == ({world.own.organisation_id}, 0)
    assert db.exec(select(KeyTransferUnit).where(col(KeyTransferUnit.open_unit_id).is_not(None))).all() == []


def test_racing_acceptances_move_every_unit_exactly_once(db, world, monkeypatch, database_url):
    units = world.own_units[:25]
    transfer = send(db, catch_codes(monkeypatch), world.own, units, world.other)
    outcomes = _race(database_url, [lambda s: accept_transfer(s, world.other, transfer.id)] * WORKERS)
    assert sorted(outcomes) == ["keys.transfer.error.already_succeeded"] * (WORKERS - 1) + ["ok"]
    assert _state(db, transfer.id, units) == (
        TransferStatus.SUCCEEDED.value,
        {world.other.organisation_id},
        len(units),
    )


def test_two_organisations_requesting_the_same_units_at_once_open_one_transfer(db, world, database_url):
    third_org = organisation(db, "Tredje AS")
    add_units(db, third_org, 1, start=69000000)
    third = signed_in(db, Role.DISTRIBUTOR, "tre@tredje.no", third_org)
    db.commit()
    serials = sorted(db.exec(select(MeterKey.serial).where(col(MeterKey.id).in_(world.own_units[:10]))).all())
    proofs = [solved_robot_check() for _ in range(WORKERS)]
    requesters = [world.other if n % 2 else third for n in range(WORKERS)]
    moves = [
        lambda s, who=who, proof=proof: request_units(s, who, serials, proof)
        for who, proof in zip(requesters, proofs)
    ]
    outcomes = _race(database_url, moves)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} == {"keys.transfer.error.busy"}
    db.expire_all()
    opened = db.exec(select(KeyTransfer)).all()
    assert len(opened) == 1 and opened[0].unit_count == 10
    assert len(db.exec(select(KeyTransferUnit)).all()) == 10
