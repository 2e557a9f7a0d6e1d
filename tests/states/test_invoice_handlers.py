"""The invoice handlers, called directly: a customer lists and downloads only their own
relationship's invoices, whatever invoice id the browser sends (issue 26)."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import app.db
from app.config import settings
from app.models import (
    AuditEntry,
    Customer,
    CustomerRelationship,
    Invoice,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
)
from app.services.caller import CLI_CALLER
from app.services.customer import invoices as invoice_service
from app.services.customer.invoices import import_invoice_dir
from app.services.errors import AccessDenied
from app.states.customer.invoices import InvoicesState
from tests.handler_callers import session_token, state_as


@pytest.fixture
def private_app_db(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    monkeypatch.setattr(app.db, "get_engine", lambda: engine)
    monkeypatch.setattr(invoice_service, "settings", replace(settings, invoice_dir=tmp_path / "store"))
    yield engine


def _run(handler, state, *args):
    result = handler.fn(state, *args)
    return asyncio.run(result) if inspect.iscoroutine(result) else result


@pytest.fixture
def two(private_app_db: Engine, tmp_path: Path) -> dict[str, int]:
    folder = tmp_path / "billing"
    folder.mkdir()
    records, ids = [], {}
    with Session(private_app_db, expire_on_commit=False) as db:
        grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY)
        db.add(grid)
        db.flush()
        for n, name in ((1, "mine"), (2, "theirs")):
            customer = Customer(name=f"Kunde {n}", mobile=f"+4741100{n:03d}")
            meter = Meter(serial=f"XINV{n:04d}", manufacturer="Aidon", model="6525", medium="electricity")
            db.add_all([customer, meter])
            db.flush()
            relationship = CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid.id,
                installation_number=f"{9100 + n}",
                metering_point_id=f"7070575000098{n:05d}",
                address="Elvegata 2",
                postcode="7010",
                city="Trondheim",
                meter_id=meter.id,
            )
            db.add(relationship)
            db.flush()
            ids[name] = relationship.id or 0
            for month in (1, 2):
                number = f"{name.upper()}-{month}"
                (folder / f"{number}.pdf").write_bytes(b"%PDF-1.4\n% " + number.encode() + b"\n%%EOF\n")
                records.append(
                    {
                        "invoice_number": number,
                        "metering_point_id": relationship.metering_point_id,
                        "invoice_date": f"2025-0{month + 1}-05",
                        "due_date": f"2025-0{month + 1}-20",
                        "period_start": f"2025-0{month}-01",
                        "period_end": f"2025-0{month}-28",
                        "amount": "500.00",
                        "vat": "100.00",
                        "status": "paid",
                        "pdf": f"{number}.pdf",
                    }
                )
        db.commit()
        (folder / "batch.json").write_text(json.dumps(records))
        assert import_invoice_dir(db, CLI_CALLER, folder).new == 4
    return ids


def _state(engine: Engine, relationship_id: int) -> InvoicesState:
    return state_as(InvoicesState, session_token(Role.CUSTOMER, relationship_id, engine))


def test_a_customer_lists_their_own_invoices_newest_first(two, private_app_db):
    state = _state(private_app_db, two["mine"])
    _run(InvoicesState.load, state)
    assert [row["number"] for row in state.rows] == ["MINE-2", "MINE-1"] and state.total == 2


def test_a_customer_downloads_their_invoices_pdf(two, private_app_db):
    state = _state(private_app_db, two["mine"])
    _run(InvoicesState.load, state)
    event = _run(InvoicesState.download, state, state.rows[0]["id"])
    assert "faktura-MINE-2.pdf" in str(event)


def test_guessing_another_relationships_invoice_id_is_refused_and_audited(two, private_app_db):
    with Session(private_app_db) as db:
        theirs = db.exec(select(Invoice.id).where(Invoice.invoice_number == "THEIRS-1")).one()
    state = _state(private_app_db, two["mine"])
    for guess in (str(theirs), str(theirs + 100), "'; drop table invoice", ""):
        with pytest.raises(AccessDenied):
            _run(InvoicesState.download, state, guess)
    with Session(private_app_db) as db:
        refused = db.exec(
            select(AuditEntry).where(
                AuditEntry.action == "access.refused", AuditEntry.subject_type == "invoice"
            )
        ).all()
        downloaded = db.exec(select(AuditEntry).where(AuditEntry.action == "invoices.downloaded")).all()
    assert len(refused) == 4 and downloaded == []


def test_staff_cannot_list_a_customers_invoices(two, private_app_db):
    state = state_as(InvoicesState, session_token(Role.GRID_STAFF, None, private_app_db))
    with pytest.raises(AccessDenied):
        _run(InvoicesState.load, state)
