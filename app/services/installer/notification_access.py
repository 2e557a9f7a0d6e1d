"""Opening one pre-notification for a caller: either it is theirs to see, or the refusal is audited.

Installers and the grid company's staff reach notifications by different rules; what happens when
the rule says no (an audited refusal that looks like "not found") is the same for both.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from app.models import PreNotification
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied


def reachable_notification(
    db: Session, caller: Caller, notification_id: int, reachable: Callable[[PreNotification], bool]
) -> PreNotification:
    """The notification when ``reachable`` says the caller may see it; otherwise refused as if absent."""
    row = db.get(PreNotification, notification_id)
    if row is None or not reachable(row):
        record_audit(
            db,
            "installer.notification_refused",
            caller,
            subject_type="pre_notification",
            subject_id=notification_id,
            outcome="refused",
        )
        db.commit()
        raise AccessDenied("installer.not_found")
    return row
