"""The pre-notification's statuses and the moves between them (Elsmart's flow)."""

from __future__ import annotations

from app.models import NotificationStatus as S
from app.services.case_status import StatusMachine

NOTIFICATION_STATUSES = StatusMachine.of(
    "pre_notification",
    {
        S.NOT_SENT: {S.FOR_APPROVAL},
        S.NEEDS_CHANGES: {S.FOR_APPROVAL},
        S.FOR_APPROVAL: {S.APPROVED, S.REJECTED, S.NEEDS_CHANGES},
        S.APPROVED: {S.COMPLETED},
    },
)

# The installer may change the form only before it is sent, or when it came back for changes.
EDITABLE_STATUSES = frozenset({S.NOT_SENT, S.NEEDS_CHANGES})
# Only a draft never sent may be deleted.
DELETABLE_STATUSES = frozenset({S.NOT_SENT})
ALL_STATUSES = tuple(S)
