"""Every table, imported so that SQLModel.metadata (and Alembic) sees them all."""

from app.models.audit import AuditEntry
from app.models.customer import Customer, CustomerRelationship
from app.models.meter import Concentrator, Medium, Meter
from app.models.organisation import Organisation, OrganisationKind
from app.models.reading import Reading, ReadingSource
from app.models.user import Role, User, UserSession

__all__ = [
    "AuditEntry",
    "Concentrator",
    "Customer",
    "CustomerRelationship",
    "Medium",
    "Meter",
    "Organisation",
    "OrganisationKind",
    "Reading",
    "ReadingSource",
    "Role",
    "User",
    "UserSession",
]

from app.models.customer_auth import (
    AccountRelationship,
    ChallengePurpose,
    ChallengeStatus,
    LoginChallenge,
    RateLimitHit,
    RememberedDevice,
    SmsOutboxEntry,
)

__all__ += [
    "AccountRelationship",
    "ChallengePurpose",
    "ChallengeStatus",
    "LoginChallenge",
    "RateLimitHit",
    "RememberedDevice",
    "SmsOutboxEntry",
]
