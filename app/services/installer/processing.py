"""The grid company's side: its queue, opening a notification, deciding, completing.

Staff see only their own grid company's notifications (and so only its grid areas); they see
the parties' personal and organisation numbers. The installer who created the notification is
mailed on every decision.
"""

from __future__ import annotations

from sqlmodel import Session

from app import routes
from app.i18n import translate
from app.models import NotificationStatus, PreNotification, Role, User
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.installer.notification_access import reachable_notification
from app.services.installer.sealed_numbers import open_number
from app.services.installer.transitions import move
from app.services.notify.mail import public_link
from app.services.notify.outbox import queue_mail


def staff_grid_company(caller: Caller) -> int:
    if not caller.is_role(Role.GRID_STAFF) or caller.organisation_id is None:
        raise AccessDenied("auth.denied")
    return caller.organisation_id


def staff_notification(db: Session, caller: Caller, notification_id: int) -> PreNotification:
    """A notification to the caller's grid company that has been sent; any other is refused."""
    grid_company_id = staff_grid_company(caller)
    return reachable_notification(
        db,
        caller,
        notification_id,
        lambda row: row.grid_company_id == grid_company_id and row.status != NotificationStatus.NOT_SENT,
    )


def id_numbers_for_staff(db: Session, caller: Caller, row: PreNotification) -> dict[str, str]:
    """The parties' numbers, opened for the grid company's staff; every view is audited."""
    staff_grid_company(caller)
    record_audit(
        db, "installer.id_numbers_viewed", caller, subject_type="pre_notification", subject_id=row.id or ""
    )
    return {
        "owner_id_number": open_number(row.id or 0, "owner_id_number_sealed", row.owner_id_number_sealed),
        "billing_id_number": open_number(
            row.id or 0, "billing_id_number_sealed", row.billing_id_number_sealed
        ),
    }


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
