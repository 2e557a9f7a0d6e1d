"""Invoices from the utility's billing system, shown on Min side (issue 26)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Numeric
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class InvoiceStatus(StrEnum):
    PAID = "paid"
    UNPAID = "unpaid"
    OVERDUE = "overdue"


class Invoice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    invoice_number: str = Field(max_length=40, unique=True, index=True)
    relationship_id: int = Field(foreign_key="customer_relationship.id", index=True)
    invoice_date: date = Field(index=True)
    due_date: date
    # The billed period, both days included (as the invoice prints it).
    period_start: date
    period_end: date
    amount_kr: Decimal = Field(sa_type=Numeric(12, 2))  # including VAT
    vat_kr: Decimal = Field(sa_type=Numeric(12, 2))
    status: str = Field(max_length=10)
    kid: str = Field(default="", max_length=25)
    # The PDF under INVOICE_DIR: a random name (never the invoice number), and its SHA-256.
    pdf_file: str = Field(default="", max_length=80)
    pdf_sha256: str = Field(default="", max_length=64)
    imported_at: datetime = timestamp_field(default_now=True)
    updated_at: datetime | None = timestamp_field(nullable=True)
