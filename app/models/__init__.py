"""Every table, imported so that SQLModel.metadata (and Alembic) sees them all."""

from app.models.accounts import (
    AccessRequest,
    AccessRequestStatus,
    AccountToken,
    AccountTokenPurpose,
)
from app.models.audit import AuditEntry
from app.models.consumption import (
    ConsumptionDay,
    ConsumptionHour,
    ConsumptionMonth,
    IntervalQuality,
)
from app.models.customer import Customer, CustomerRelationship, PrivacyConsent
from app.models.customer_auth import (
    AccountRelationship,
    ChallengePurpose,
    ChallengeStatus,
    LoginChallenge,
    RateLimitHit,
    RememberedDevice,
)
from app.models.grid_settings import DEFAULT_COMPLETION_DAYS, HanServiceSettings, SettingChange
from app.models.han import (
    HanDelivery,
    HanOrderEvent,
    HanOrderStatus,
    HanPortAction,
    HanPortOrder,
)
from app.models.ingest import HanReader, IngestSource
from app.models.installer import (
    GridArea,
    Installation,
    InstallationApiCall,
    InstallationType,
    InstallerApiToken,
    InstallerAuthorisation,
    JobType,
    NotificationNote,
    NotificationStatus,
    NotificationTransition,
    PartyKind,
    PreNotification,
)
from app.models.invoice import Invoice, InvoiceStatus
from app.models.meter import Concentrator, Medium, Meter
from app.models.meter_key import (
    ImportBatchStatus,
    KeyImportBatch,
    KeyImportRow,
    KeyKind,
    KeyReadRight,
    MeterKey,
)
from app.models.organisation import Organisation, OrganisationKind
from app.models.outbox import OutboxChannel, OutboxMessage, OutboxStatus
from app.models.price import SpotPrice
from app.models.reading import (
    BILLING_GRADE_SOURCES,
    IntervalReading,
    Reading,
    ReadingSource,
    ReadingStatus,
)
from app.models.sharing import AccessGrant, GrantScope
from app.models.tariff import (
    HeatPrice,
    Season,
    TariffCapacityStep,
    TariffEnergyRate,
    TariffPeriod,
    TaxKind,
    TaxRate,
    TimeBand,
)
from app.models.user import KEY_SERVICE_ROLES, Role, User, UserSession, role_admitted

__all__ = [
    "BILLING_GRADE_SOURCES",
    "DEFAULT_COMPLETION_DAYS",
    "KEY_SERVICE_ROLES",
    "AccessGrant",
    "AccessRequest",
    "AccessRequestStatus",
    "AccountRelationship",
    "AccountToken",
    "AccountTokenPurpose",
    "AuditEntry",
    "ChallengePurpose",
    "ChallengeStatus",
    "Concentrator",
    "ConsumptionDay",
    "ConsumptionHour",
    "ConsumptionMonth",
    "Customer",
    "CustomerRelationship",
    "GrantScope",
    "GridArea",
    "HanDelivery",
    "HanOrderEvent",
    "HanOrderStatus",
    "HanPortAction",
    "HanPortOrder",
    "HanReader",
    "HanServiceSettings",
    "HeatPrice",
    "ImportBatchStatus",
    "IngestSource",
    "Installation",
    "InstallationApiCall",
    "InstallationType",
    "InstallerApiToken",
    "InstallerAuthorisation",
    "IntervalQuality",
    "IntervalReading",
    "Invoice",
    "InvoiceStatus",
    "JobType",
    "KeyImportBatch",
    "KeyImportRow",
    "KeyKind",
    "KeyReadRight",
    "LoginChallenge",
    "Medium",
    "Meter",
    "MeterKey",
    "NotificationNote",
    "NotificationStatus",
    "NotificationTransition",
    "Organisation",
    "OrganisationKind",
    "OutboxChannel",
    "OutboxMessage",
    "OutboxStatus",
    "PartyKind",
    "PreNotification",
    "PrivacyConsent",
    "RateLimitHit",
    "Reading",
    "ReadingSource",
    "ReadingStatus",
    "RememberedDevice",
    "Role",
    "Season",
    "SettingChange",
    "SpotPrice",
    "TariffCapacityStep",
    "TariffEnergyRate",
    "TariffPeriod",
    "TaxKind",
    "TaxRate",
    "TimeBand",
    "User",
    "UserSession",
    "role_admitted",
]
