"""Earlier invoices ("Vis tidligere fakturaer", issue 26): imported from the billing system, listed
on Min side beside the portal's own consumption and cost for each period, and downloaded as PDF.

Who may see an invoice is decided in one place, ``invoice_relationships``: the relationships whose
invoices the caller may see (today: the customer's session relationship). Everything else (the
list, the download) asks it, so sharing (issue 27) extends that one function.

Import (``import_invoice_dir``): JSON (a list, or ``{"invoices": [...]}``) and CSV records with
invoice number, metering point ID or installation number, invoice date, due date, period
start/end, amount incl. VAT, VAT, status (paid/unpaid/overdue), KID and the PDF's file name in the
same folder. Validated record by record; nothing of a file is written while one of its records is
wrong, unless ``skip_invalid``. Idempotent: an invoice number is stored once, a changed status
updates it, other changed values are refused. PDFs are copied under ``INVOICE_DIR`` (0600) with a
random name: no URL or name reveals them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.config import settings
from app.models import ConsumptionDay, CustomerRelationship, Invoice, InvoiceStatus, Meter, Role
from app.private_files import open_private, private_directory
from app.services.access import refuse
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.consumption.cost import CostPoint, hour_costs, sum_costs, to_ore
from app.services.consumption.local_time import local_midnight, local_zone
from app.services.customer.visibility import Scope, visible_clause, visible_params
from app.services.errors import AccessDenied

PAGE_SIZE = 12
MAX_PDF_BYTES = 10 * 1024 * 1024
FIELDS = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "period_start",
    "period_end",
    "amount",
    "vat",
    "status",
    "kid",
    "pdf",
)


# ---------------------------------------------------------------- who may see


def invoice_relationships(db: Session, caller: Caller | None) -> list[int]:
    """The customer relationships whose invoices ``caller`` may see, as the one access selector
    (``customer.visibility``) decides: the session's relationship when it is the caller's own, a
    linked one, or one shared with them by a live grant that names invoices."""
    if caller is None or caller.role != Role.CUSTOMER or caller.relationship_id is None:
        return []
    found = db.exec(
        select(CustomerRelationship.id)
        .where(
            CustomerRelationship.id == caller.relationship_id,
            visible_clause(col(CustomerRelationship.id), Scope.INVOICES),
        )
        .params(**visible_params(caller))
    ).first()
    return [found] if found is not None else []


def _visible_invoice(db: Session, caller: Caller, invoice_id: int, action: str) -> Invoice:
    invoice = db.get(Invoice, invoice_id)
    if invoice is None or invoice.relationship_id not in invoice_relationships(db, caller):
        # Another relationship's invoice and one that does not exist look the same.
        raise refuse(
            db,
            caller,
            action,
            "not an invoice of the caller's relationships",
            subject_type="invoice",
            subject_id=invoice_id,
        )
    return invoice


# ---------------------------------------------------------------- listing


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    invoice_number: str
    invoice_date: date
    due_date: date
    period_start: date
    period_end: date
    amount_kr: Decimal
    vat_kr: Decimal
    status: str
    has_pdf: bool
    # The portal's own view of the same period: kWh used and what its hours cost (None: no data).
    consumption_kwh: Decimal | None
    portal_cost_kr: Decimal | None
    portal_cost_complete: bool


@dataclass(frozen=True)
class InvoicePage:
    rows: list[InvoiceRow]
    total: int
    page: int
    page_size: int


def list_invoices(db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE) -> InvoicePage:
    """The caller's invoices, newest first, one page, each beside the portal's consumption and
    cost for its period."""
    relationships = invoice_relationships(db, caller)
    if not relationships:
        raise AccessDenied("auth.denied")
    where = col(Invoice.relationship_id).in_(relationships)
    total = int(db.exec(select(func.count()).select_from(Invoice).where(where)).one())
    page = max(1, page)
    invoices = db.exec(
        select(Invoice)
        .where(where)
        .order_by(col(Invoice.invoice_date).desc(), col(Invoice.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    points = {r.id: _cost_point(db, r) for r in (db.get(CustomerRelationship, i) for i in relationships) if r}
    rows = [_row(db, invoice, points.get(invoice.relationship_id)) for invoice in invoices]
    return InvoicePage(rows, total, page, page_size)


def _cost_point(db: Session, relationship: CustomerRelationship) -> CostPoint | None:
    if relationship.meter_id is None:
        return None
    meter = db.get(Meter, relationship.meter_id)
    if meter is None:
        return None
    markup = relationship.supplier_markup_kr_per_kwh
    return CostPoint(
        meter.id or 0,
        relationship.utility_id,
        meter.medium,
        relationship.bidding_zone,
        None if markup is None else Decimal(markup),
    )


def _row(db: Session, invoice: Invoice, point: CostPoint | None) -> InvoiceRow:
    kwh: Decimal | None = None
    cost: Decimal | None = None
    complete = False
    if point is not None:
        until = invoice.period_end + timedelta(days=1)
        used = db.exec(
            select(func.sum(ConsumptionDay.energy_kwh)).where(
                ConsumptionDay.meter_id == point.meter_id,
                ConsumptionDay.day >= invoice.period_start,
                ConsumptionDay.day < until,
            )
        ).one()
        kwh = None if used is None else Decimal(repr(used)).quantize(Decimal("0.001"))
        costs = hour_costs(db, point, invoice.period_start, until)
        if costs:
            summed = sum_costs(costs.values(), 0)
            cost = to_ore(summed.total)
            zone = local_zone()
            hours = (local_midnight(until, zone) - local_midnight(invoice.period_start, zone)) // 3600
            complete = summed.hours == hours
    return InvoiceRow(
        invoice.id or 0,
        invoice.invoice_number,
        invoice.invoice_date,
        invoice.due_date,
        invoice.period_start,
        invoice.period_end,
        Decimal(invoice.amount_kr),
        Decimal(invoice.vat_kr),
        invoice.status,
        bool(invoice.pdf_file),
        kwh,
        cost,
        complete,
    )


# ---------------------------------------------------------------- the PDF


@dataclass(frozen=True)
class InvoicePdf:
    filename: str
    content: bytes


def invoice_pdf(db: Session, caller: Caller, invoice_id: int) -> InvoicePdf:
    """The invoice's PDF, for a session of its relationship only; audited. The caller commits."""
    invoice = _visible_invoice(db, caller, invoice_id, "invoices.download")
    if not invoice.pdf_file:
        raise refuse(db, caller, "invoices.download", "no PDF", subject_type="invoice", subject_id=invoice_id)
    path = settings.invoice_dir / invoice.pdf_file
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != invoice.pdf_sha256:
        raise refuse(
            db,
            caller,
            "invoices.download",
            "PDF changed on disk",
            subject_type="invoice",
            subject_id=invoice_id,
        )
    record_audit(
        db,
        "invoices.downloaded",
        caller,
        subject_type="invoice",
        subject_id=invoice_id,
        detail=f"invoice {invoice.invoice_number}",
    )
    return InvoicePdf(f"faktura-{invoice.invoice_number}.pdf", content)


# ---------------------------------------------------------------- import


@dataclass
class InvoiceImport:
    files: int = 0
    records: int = 0
    new: int = 0
    status_changed: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file: record, what)
    refused_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Record:
    where: str
    invoice_number: str
    relationship_id: int
    invoice_date: date
    due_date: date
    period_start: date
    period_end: date
    amount: Decimal
    vat: Decimal
    status: str
    kid: str
    pdf: Path | None


def kid_is_valid(kid: str) -> bool:
    """A Norwegian KID: 2-25 digits whose last is a MOD10 (Luhn) or MOD11 check digit ('-' for 10)."""
    if not 2 <= len(kid) <= 25 or not kid[:-1].isdigit() or not (kid[-1].isdigit() or kid[-1] == "-"):
        return False
    body = [int(d) for d in kid[:-1]]
    luhn = sum(sum(divmod(d * (2 if i % 2 == 0 else 1), 10)) for i, d in enumerate(reversed(body)))
    mod10 = str((10 - luhn % 10) % 10)
    weights = [2 + i % 6 for i in range(len(body))]
    remainder = sum(d * w for d, w in zip(reversed(body), weights, strict=True)) % 11
    mod11 = "0" if remainder == 0 else ("-" if remainder == 1 else str(11 - remainder))
    return kid[-1] in {mod10, mod11}


def _records_of(path: Path) -> list[tuple[str, dict[str, str]]]:
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text("utf-8"))
        items = data.get("invoices", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ValueError("a list of invoices expected")
        return [
            (f"record {n}", {str(k): "" if v is None else str(v) for k, v in item.items()})
            if isinstance(item, dict)
            else (f"record {n}", {})
            for n, item in enumerate(items, start=1)
        ]
    reader = csv.DictReader(io.StringIO(path.read_text("utf-8").lstrip("\ufeff")))
    return [
        (f"line {reader.line_num}", {k.strip(): (v or "").strip() for k, v in row.items() if k})
        for row in reader
    ]


def _amount(text: str) -> Decimal:
    value = Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


def _validate(db: Session, folder: Path, where: str, raw: dict[str, str]) -> tuple[_Record | None, list[str]]:
    problems: list[str] = []
    number = raw.get("invoice_number", "").strip()
    if not number or len(number) > 40:
        problems.append("invoice_number missing or longer than 40")
    relationship_id = _relationship_of(
        db, raw.get("metering_point_id", "").strip(), raw.get("installation_number", "").strip(), problems
    )
    dates: dict[str, date] = {}
    for name in ("invoice_date", "due_date", "period_start", "period_end"):
        try:
            dates[name] = date.fromisoformat(raw.get(name, "").strip())
        except ValueError:
            problems.append(f"{name} is not a date (YYYY-MM-DD)")
    if {"invoice_date", "due_date"} <= dates.keys() and dates["due_date"] < dates["invoice_date"]:
        problems.append("due_date before invoice_date")
    if {"period_start", "period_end"} <= dates.keys() and dates["period_end"] < dates["period_start"]:
        problems.append("period_end before period_start")
    amounts: dict[str, Decimal] = {}
    for name in ("amount", "vat"):
        try:
            amounts[name] = _amount(raw.get(name, ""))
        except InvalidOperation:
            problems.append(f"{name} is not an amount in kr (two decimals at most)")
    if len(amounts) == 2 and amounts["vat"] > amounts["amount"]:
        problems.append("vat larger than the amount")
    status = raw.get("status", "").strip().lower()
    if status not in set(InvoiceStatus):
        problems.append("status must be paid, unpaid or overdue")
    kid = raw.get("kid", "").strip()
    if kid and not kid_is_valid(kid):
        problems.append("kid fails its check digit")
    pdf: Path | None = None
    name = raw.get("pdf", "").strip()
    if name:
        candidate = (folder / name).resolve()
        if candidate.parent != folder.resolve() or not candidate.is_file():
            problems.append(f"pdf {name!r} is not a file in the folder")
        elif candidate.stat().st_size > MAX_PDF_BYTES or candidate.read_bytes()[:5] != b"%PDF-":
            problems.append(f"pdf {name!r} is not a PDF (or larger than 10 MB)")
        else:
            pdf = candidate
    if problems:
        return None, problems
    assert relationship_id is not None
    return _Record(
        where,
        number,
        relationship_id,
        dates["invoice_date"],
        dates["due_date"],
        dates["period_start"],
        dates["period_end"],
        amounts["amount"],
        amounts["vat"],
        status,
        kid,
        pdf,
    ), []


def _relationship_of(db: Session, metering_point: str, installation: str, problems: list[str]) -> int | None:
    if metering_point:
        found = db.exec(
            select(CustomerRelationship.id).where(CustomerRelationship.metering_point_id == metering_point)
        ).first()
        if found is None:
            problems.append("metering_point_id not known")
        return found
    if installation:
        found = db.exec(
            select(CustomerRelationship.id).where(CustomerRelationship.installation_number == installation)
        ).all()
        if len(found) != 1:
            problems.append(
                "installation_number not known"
                if not found
                else "installation_number has several relationships: give the metering_point_id"
            )
            return None
        return found[0]
    problems.append("metering_point_id or installation_number missing")
    return None


def _store_pdf(pdf: Path) -> tuple[str, str]:
    content = pdf.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    folder = private_directory(settings.invoice_dir, tighten=True)
    name = f"{secrets.token_urlsafe(24)}.pdf"
    descriptor = open_private(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return name, digest


def import_invoice_dir(
    db: Session, caller: Caller, folder: Path, *, skip_invalid: bool = False
) -> InvoiceImport:
    """Import every ``*.json`` and ``*.csv`` of ``folder`` (see the module's text). Each file is
    its own unit: committed when whole (or with ``skip_invalid``), else left out entirely."""
    report = InvoiceImport()
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in {".json", ".csv"}):
        report.files += 1
        try:
            raw_records = _records_of(path)
        except (ValueError, UnicodeDecodeError) as error:
            report.errors.append((path.name, f"unreadable: {error}"))
            report.refused_files.append(path.name)
            continue
        valid: list[_Record] = []
        file_errors: list[tuple[str, str]] = []
        seen: set[str] = set()
        for where, raw in raw_records:
            record, problems = _validate(db, folder, where, raw)
            if record is not None and record.invoice_number in seen:
                problems, record = ["invoice_number twice in the file"], None
            if record is not None:
                conflict = _conflict(db, record)
                if conflict:
                    problems, record = [conflict], None
            if record is None:
                file_errors.extend((f"{path.name}: {where}", problem) for problem in problems)
                continue
            seen.add(record.invoice_number)
            valid.append(record)
        report.records += len(raw_records)
        report.errors.extend(file_errors)
        if file_errors and not skip_invalid:
            report.refused_files.append(path.name)
            record_audit(
                db,
                "invoices.import_refused",
                caller,
                subject_type="file",
                subject_id=path.name[:64],
                outcome="refused",
                detail=f"{len(file_errors)} invalid; first: {file_errors[0]}",
            )
            db.commit()
            continue
        written: list[Path] = []
        try:
            for record in valid:
                _write(db, record, report, written)
            record_audit(
                db,
                "invoices.imported",
                caller,
                subject_type="file",
                subject_id=path.name[:64],
                detail=f"{len(valid)} records, {len(file_errors)} invalid skipped",
            )
            db.commit()
        except BaseException:
            db.rollback()
            for stored in written:
                stored.unlink(missing_ok=True)
            raise
    return report


def _conflict(db: Session, record: _Record) -> str | None:
    known = db.exec(select(Invoice).where(Invoice.invoice_number == record.invoice_number)).first()
    if known is None:
        return None
    same = (
        known.relationship_id,
        known.invoice_date,
        known.due_date,
        known.period_start,
        known.period_end,
        Decimal(known.amount_kr),
        Decimal(known.vat_kr),
    ) == (
        record.relationship_id,
        record.invoice_date,
        record.due_date,
        record.period_start,
        record.period_end,
        record.amount,
        record.vat,
    )
    return None if same else "invoice_number already imported with other values (only the status may change)"


def _write(db: Session, record: _Record, report: InvoiceImport, written: list[Path]) -> None:
    known = db.exec(select(Invoice).where(Invoice.invoice_number == record.invoice_number)).first()
    if known is not None:
        changed = known.status != record.status
        if record.pdf is not None and not known.pdf_file:
            known.pdf_file, known.pdf_sha256 = _store_pdf(record.pdf)
            written.append(settings.invoice_dir / known.pdf_file)
            changed = True
        if changed:
            known.status = record.status
            known.updated_at = utcnow()
            db.add(known)
            report.status_changed += 1
        else:
            report.unchanged += 1
        return
    pdf_file = digest = ""
    if record.pdf is not None:
        pdf_file, digest = _store_pdf(record.pdf)
        written.append(settings.invoice_dir / pdf_file)
    db.add(
        Invoice(
            invoice_number=record.invoice_number,
            relationship_id=record.relationship_id,
            invoice_date=record.invoice_date,
            due_date=record.due_date,
            period_start=record.period_start,
            period_end=record.period_end,
            amount_kr=record.amount,
            vat_kr=record.vat,
            status=record.status,
            kid=record.kid,
            pdf_file=pdf_file,
            pdf_sha256=digest,
        )
    )
    report.new += 1


def is_overdue(row: InvoiceRow, today: date) -> bool:
    """Overdue as the customer should see it: so marked, or unpaid past its due date."""
    unpaid_late = row.status == InvoiceStatus.UNPAID and row.due_date < today
    return row.status == InvoiceStatus.OVERDUE or unpaid_late


__all__ = [
    "InvoicePage",
    "InvoicePdf",
    "InvoiceRow",
    "import_invoice_dir",
    "invoice_pdf",
    "invoice_relationships",
    "is_overdue",
    "kid_is_valid",
    "list_invoices",
]
