"""HAN readers a customer connected to their own meter, and the consent that lets the worker store
their data. HAN data is the customer's: stored only for them, never billing-grade."""

from __future__ import annotations

from sqlmodel import Session, select

from app.clock import utcnow
from app.models import CustomerRelationship, HanReader
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import DomainError


class HanReaderRefused(DomainError):
    pass


def connect_han_reader(
    db: Session,
    relationship_id: int,
    reader_id: str,
    consent_text: str,
    *,
    caller: Caller | None = None,
) -> HanReader:
    """Record that the customer of `relationship_id` connected `reader_id` to their meter, with consent."""
    relationship = db.get(CustomerRelationship, relationship_id)
    if relationship is None or relationship.meter_id is None or not relationship.active:
        raise HanReaderRefused("han.no_meter")
    if not consent_text.strip():
        raise HanReaderRefused("han.consent_required")
    reader = db.exec(
        select(HanReader).where(HanReader.reader_id == reader_id, HanReader.meter_id == relationship.meter_id)
    ).first()
    if reader is None:
        reader = HanReader(
            reader_id=reader_id,
            meter_id=relationship.meter_id,
            relationship_id=relationship_id,
            consent_text=consent_text[:500],
        )
    reader.relationship_id = relationship_id
    reader.consent_text = consent_text[:500]
    reader.consent_at = utcnow()
    reader.revoked_at = None
    db.add(reader)
    db.flush()
    record_audit(
        db,
        "han.consent",
        caller,
        subject_type="han_reader",
        subject_id=reader.id or "",
        detail=f"reader={reader_id} relationship={relationship_id}",
    )
    return reader


def revoke_han_reader(db: Session, reader: HanReader, *, caller: Caller | None = None) -> None:
    reader.revoked_at = utcnow()
    db.add(reader)
    record_audit(db, "han.revoke", caller, subject_type="han_reader", subject_id=reader.id or "")
