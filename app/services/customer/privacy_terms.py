"""The privacy terms ("Personvern og vilkår") a customer accepts at first login, and the record of it.

The text itself is UI text (``privacy.*`` in the translation tables). Whenever it changes, the
version changes too, so the record says which text each customer accepted.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.clock import utcnow
from app.models import CustomerRelationship, PrivacyConsent
from app.services.form_errors import FieldErrors

PRIVACY_TERMS_VERSION = "2026-11-24"
# The paragraphs of the terms, in the order they are shown.
PRIVACY_TERMS_PARAGRAPHS = ("privacy.stored", "privacy.mobile_use", "privacy.data_use", "privacy.rights")


def check_terms_version(terms_version: str | None) -> None:
    """The page the customer ticked showed the current terms; else they must read them again."""
    if terms_version != PRIVACY_TERMS_VERSION:
        raise FieldErrors({"consent": "login.consent_outdated"})


def record_privacy_consent(
    db: Session,
    relationship: CustomerRelationship,
    terms_version: str,
    client_address: str | None,
    now: datetime | None = None,
) -> PrivacyConsent:
    consent = PrivacyConsent(
        customer_id=relationship.customer_id,
        relationship_id=relationship.id or 0,
        terms_version=terms_version,
        accepted_at=now or utcnow(),
        client_address=client_address,
    )
    db.add(consent)
    db.flush()
    return consent
