"""Earlier invoices: import from the billing system, listing, PDF download (issue 26)."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

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
from app.services.caller import CLI_CALLER, Caller
from app.services.customer import invoices
from app.services.customer.invoices import import_invoice_dir, invoice_pdf, kid_is_valid, list_invoices
from app.services.errors import AccessDenied


@pytest.fixture(autouse=True)
def invoice_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "invoice-store"
    monkeypatch.setattr(invoices, "settings", replace(settings, invoice_dir=folder))
    return folder


@pytest.fixture
def two(db: Session) -> dict[str, Caller]:
    grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY)
    db.add(grid)
    db.flush()
    callers = {}
    for n, name in ((1, "mine"), (2, "theirs")):
        customer = Customer(name=f"Kunde {n}", mobile=f"+47400000{n:02d}")
        meter = Meter(serial=f"INV{n:05d}", manufacturer="Aidon", model="6525", medium="electricity")
        db.add_all([customer, meter])
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=grid.id,
            installation_number=f"31000{n}",
            metering_point_id=f"70705750000000000{n}",
            address="Storgata 1",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
            bidding_zone="NO3",
        )
        db.add(relationship)
        db.flush()
        callers[name] = Caller(
            role=Role.CUSTOMER, session_id=n, relationship_id=relationship.id, client_address=f"127.0.6.{n}"
        )
    db.commit()
    return callers


def _pdf(folder: Path, name: str, text: str) -> None:
    (folder / name).write_bytes(b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n")


def _record(number: str, mp: str, invoice_date: str, status: str = "unpaid", **changes: str) -> dict:
    record = {
        "invoice_number": number,
        "metering_point_id": mp,
        "invoice_date": invoice_date,
        "due_date": invoice_date[:8] + "28",
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
        "amount": "1 234,50",
        "vat": "246.90",
        "status": status,
        "kid": "1234567897",
        "pdf": f"{number}.pdf",
    }
    record.update(changes)
    return record


def _batch(folder: Path, records: list[dict], name: str = "invoices.json") -> Path:
    folder.mkdir(exist_ok=True)
    for record in records:
        if record.get("pdf"):
            _pdf(folder, record["pdf"], record["invoice_number"])
    (folder / name).write_text(json.dumps(records))
    return folder


def test_invoices_are_listed_newest_first_and_only_the_relationships_own(db: Session, two, tmp_path):
    folder = _batch(
        tmp_path / "in",
        [
            _record("F-1001", "707057500000000001", "2025-02-05"),
            _record("F-1002", "707057500000000001", "2025-03-05", status="overdue"),
            _record("F-2001", "707057500000000002", "2025-02-05"),
        ],
    )
    report = import_invoice_dir(db, CLI_CALLER, folder)
    assert (report.new, report.errors) == (3, [])
    page = list_invoices(db, two["mine"])
    assert [row.invoice_number for row in page.rows] == ["F-1002", "F-1001"] and page.total == 2
    assert page.rows[0].amount_kr == Decimal("1234.50") and page.rows[0].vat_kr == Decimal("246.90")
    assert invoices.is_overdue(page.rows[0], date(2025, 3, 1))
    assert not invoices.is_overdue(page.rows[1], date(2025, 2, 27))
    assert invoices.is_overdue(page.rows[1], date(2025, 3, 1))  # unpaid after its due date
    # No readings: the portal's consumption and cost for the period are unknown, not zero.
    assert page.rows[0].consumption_kwh is None and page.rows[0].portal_cost_kr is None


def test_the_pdf_is_stored_privately_under_a_random_name_and_served_to_its_relationship(
    db: Session, two, tmp_path, invoice_dir
):
    import_invoice_dir(
        db, CLI_CALLER, _batch(tmp_path / "in", [_record("F-1001", "707057500000000001", "2025-02-05")])
    )
    invoice = db.exec(select(Invoice)).one()
    stored = invoice_dir / invoice.pdf_file
    assert "F-1001" not in invoice.pdf_file and len(invoice.pdf_file) > 30
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    pdf = invoice_pdf(db, two["mine"], invoice.id)
    db.commit()
    assert pdf.content == (tmp_path / "in" / "F-1001.pdf").read_bytes()
    assert pdf.filename == "faktura-F-1001.pdf"
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "invoices.downloaded")).one()
    assert audit.subject_id == str(invoice.id) and audit.client_address == "127.0.6.1"


def test_another_relationships_invoice_cannot_be_had_by_guessing_its_id(db: Session, two, tmp_path):
    import_invoice_dir(
        db, CLI_CALLER, _batch(tmp_path / "in", [_record("F-2001", "707057500000000002", "2025-02-05")])
    )
    theirs = db.exec(select(Invoice)).one()
    for invoice_id in (theirs.id, theirs.id + 1, -1):
        with pytest.raises(AccessDenied):
            invoice_pdf(db, two["mine"], invoice_id)
    refused = db.exec(select(AuditEntry).where(AuditEntry.outcome == "refused")).all()
    assert len(refused) == 3 and all(r.subject_type == "invoice" for r in refused)
    assert list_invoices(db, two["mine"]).rows == []
    with pytest.raises(AccessDenied):
        list_invoices(db, Caller(role=Role.GRID_STAFF, organisation_id=1))


def test_an_import_is_idempotent_and_a_changed_status_updates_the_invoice(db: Session, two, tmp_path):
    records = [_record("F-1001", "707057500000000001", "2025-02-05")]
    folder = _batch(tmp_path / "in", records)
    import_invoice_dir(db, CLI_CALLER, folder)
    again = import_invoice_dir(db, CLI_CALLER, folder)
    assert (again.new, again.unchanged, again.status_changed) == (0, 1, 0)
    _batch(folder, [_record("F-1001", "707057500000000001", "2025-02-05", status="paid")])
    paid = import_invoice_dir(db, CLI_CALLER, folder)
    assert paid.status_changed == 1 and db.exec(select(Invoice)).one().status == "paid"
    _batch(folder, [_record("F-1001", "707057500000000001", "2025-02-05", amount="999.00")])
    changed = import_invoice_dir(db, CLI_CALLER, folder)
    assert changed.refused_files == ["invoices.json"] and "only the status may change" in changed.errors[0][1]
    assert db.exec(select(Invoice)).one().amount_kr == Decimal("1234.50")


def test_a_wrong_record_keeps_its_whole_file_out_unless_skipping_is_asked(db: Session, two, tmp_path):
    folder = _batch(
        tmp_path / "in",
        [
            _record("F-1001", "707057500000000001", "2025-02-05"),
            _record("F-1002", "707057500000000009", "2025-02-05"),
            _record("F-1003", "707057500000000001", "5. februar", kid="1234567890", status="late"),
        ],
    )
    report = import_invoice_dir(db, CLI_CALLER, folder)
    assert report.refused_files == ["invoices.json"] and report.new == 0
    assert report.errors == [
        ("invoices.json: record 2", "metering_point_id not known"),
        ("invoices.json: record 3", "invoice_date is not a date (YYYY-MM-DD)"),
        ("invoices.json: record 3", "due_date is not a date (YYYY-MM-DD)"),
        ("invoices.json: record 3", "status must be paid, unpaid or overdue"),
        ("invoices.json: record 3", "kid fails its check digit"),
    ]
    assert db.exec(select(Invoice)).all() == []
    skipped = import_invoice_dir(db, CLI_CALLER, folder, skip_invalid=True)
    assert skipped.new == 1 and [i.invoice_number for i in db.exec(select(Invoice)).all()] == ["F-1001"]


def test_csv_records_by_installation_number(db: Session, two, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    _pdf(folder, "a.pdf", "a")
    (folder / "batch.csv").write_text(
        "invoice_number,installation_number,invoice_date,due_date,period_start,period_end,amount,vat,status,kid,pdf\n"
        "C-1,310001,2025-04-05,2025-04-28,2025-03-01,2025-03-31,800.00,160.00,paid,,a.pdf\n"
        "C-2,999999,2025-04-05,2025-04-28,2025-03-01,2025-03-31,800.00,160.00,paid,,\n"
    )
    report = import_invoice_dir(db, CLI_CALLER, folder, skip_invalid=True)
    assert report.new == 1 and report.errors == [("batch.csv: line 3", "installation_number not known")]


def test_a_pdf_must_be_a_pdf_in_the_folder(db: Session, two, tmp_path):
    folder = _batch(tmp_path / "in", [_record("F-1", "707057500000000001", "2025-02-05", pdf="../x.pdf")])
    (folder / "fake.pdf").write_text("<html>")
    (folder / "invoices.json").write_text(
        json.dumps(
            [
                _record("F-1", "707057500000000001", "2025-02-05", pdf="../x.pdf"),
                _record("F-2", "707057500000000001", "2025-02-05", pdf="fake.pdf"),
            ]
        )
    )
    report = import_invoice_dir(db, CLI_CALLER, folder)
    assert [what for _, what in report.errors] == [
        "pdf '../x.pdf' is not a file in the folder",
        "pdf 'fake.pdf' is not a PDF (or larger than 10 MB)",
    ]


def test_kid_check_digits():
    assert kid_is_valid("1234567897")  # MOD10
    assert kid_is_valid("12345678903")  # MOD11
    assert not kid_is_valid("1234567890") and not kid_is_valid("12a4") and not kid_is_valid("1")
