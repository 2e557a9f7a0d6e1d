"""The grid company's side: its queue, opening a notification, deciding, completing.

Staff see only their own grid company's notifications (and so only its grid areas); they see
the parties' personal and organisation numbers. The installer who created the notification is
mailed on every decision.
"""

from __future__ import annotations

from sqlmodel import Session

from app import routes
from app.i18n import translate
from app.models import NotificationStatus, PreNotification, User
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.cases import staff_grid_company
from app.services.errors import AccessDenied, DomainError
from app.services.installer.sealed_numbers import open_number
from app.services.installer.transitions import NOTIFICATIONS, move
from app.services.notify.mail import public_link
from app.services.notify.outbox import queue_mail


def staff_notification(db: Session, caller: Caller, notification_id: int) -> PreNotification:
    """A notification to the caller's grid company that has been sent; any other is refused."""
    grid_company_id = staff_grid_company(caller)
    return NOTIFICATIONS.open(
        db,
        caller,
        notification_id,
        lambda row: row.grid_company_id == grid_company_id and row.status != NotificationStatus.NOT_SENT,
    )


# The parties whose personal or organisation number a notification holds.
ID_NUMBER_PARTIES = ("owner", "billing")


def id_number_for_staff(db: Session, caller: Caller, row: PreNotification, party: str) -> str:
    """One party's number, opened for the grid company's staff on request; every view is
    audited. The caller writes it into the page, never into a state var (issue 20.12)."""
    staff_grid_company(caller)
    if party not in ID_NUMBER_PARTIES:
        raise AccessDenied("auth.denied")  # no such party: a handcrafted call
    record_audit(
        db,
        "installer.id_number_viewed",
        caller,
        subject_type="pre_notification",
        subject_id=row.id or "",
        detail=f"{party} party",
    )
    field = f"{party}_id_number_sealed"
    return open_number(row.id or 0, field, getattr(row, field))


def _mail_installer(db: Session, row: PreNotification, status: str, reason: str) -> None:
    installer = db.get(User, row.created_by_user_id) if row.created_by_user_id else None
    if installer is None or not installer.email:
        return
    language = installer.language or "nb"
    queue_mail(
        db,
        installer.email,
        "installer_decision",
        language,
        organisation_id=row.grid_company_id,
        link=public_link(f"{routes.INSTALLER_NOTIFICATION}?id={row.id}"),
        number=row.id,
        status=translate(f"installer.status.{status}", language),
        reason=reason or "-",
    )


def decide(
    db: Session, caller: Caller, notification_id: int, target: str, reason: str = ""
) -> PreNotification:
    """Approve, reject (a reason is required) or return for changes; mark an approved one completed."""
    row = staff_notification(db, caller, notification_id)
    reason = reason.strip()
    if target == NotificationStatus.REJECTED and not reason:
        raise DomainError("installer.reason_required", field="reason")
    move(db, caller, row, target, reason=reason)
    if target in (NotificationStatus.REJECTED, NotificationStatus.NEEDS_CHANGES):
        row.reject_reason = reason[:1000]
    _mail_installer(db, row, target, reason)
    return row
