"""Pre-notifications on the installer's side: create, save, copy the owner, delete, send, list.

An installer sees and changes only the notifications of their own firm. Personal and
organisation numbers are write-only here: validated, sealed, and never read back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, or_, select

from app.clock import utcnow
from app.models import (
    GridArea,
    JobType,
    NotificationNote,
    NotificationStatus,
    NotificationTransition,
    Organisation,
    PartyKind,
    PreNotification,
    Role,
)
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.installer.catalogue import installer_firm_of, is_authorised
from app.services.installer.form_fields import ID_NUMBER_FIELDS, PARTY_FIELDS, TEXT_FIELDS, missing_fields
from app.services.installer.identifiers import compact_digits, is_valid_ean18, normalise_id_number
from app.services.installer.installation_data import apply_installation_data
from app.services.installer.sealed_numbers import open_number, seal_number
from app.services.installer.statuses import DELETABLE_STATUSES, EDITABLE_STATUSES
from app.services.installer.transitions import NOTIFICATIONS, move

PAGE_SIZE = 25


class MissingFields(DomainError):
    """Sending refused: these mandatory fields are empty."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__("installer.send_missing")
        self.fields = fields


def installer_notification(db: Session, caller: Caller, notification_id: int) -> PreNotification:
    """The caller's firm's notification; any other is refused as if it did not exist."""
    firm_id = installer_firm_of(caller)
    return NOTIFICATIONS.open(db, caller, notification_id, lambda row: row.installer_firm_id == firm_id)


def create_notification(
    db: Session,
    caller: Caller,
    *,
    grid_company_id: int,
    installation_type_id: int,
    job_type_id: int,
    grid_area_id: int,
) -> int:
    firm_id = installer_firm_of(caller)
    errors: dict[str, str] = {}
    if not is_authorised(db, firm_id, grid_company_id):
        errors["grid_company"] = "installer.choose_grid_company"
    job = db.get(JobType, job_type_id)
    if (
        job is None
        or job.grid_company_id != grid_company_id
        or job.installation_type_id != installation_type_id
    ):
        errors["job_type"] = "installer.choose_job_type"
    area = db.get(GridArea, grid_area_id)
    if area is None or area.grid_company_id != grid_company_id:
        errors["grid_area"] = "installer.choose_grid_area"
    if not installation_type_id:
        errors["installation_type"] = "installer.choose_installation_type"
    if errors:
        raise FieldErrors(errors)
    row = PreNotification(
        installer_firm_id=firm_id,
        created_by_user_id=caller.user_id,
        grid_company_id=grid_company_id,
        installation_type_id=installation_type_id,
        job_type_id=job_type_id,
        grid_area_id=grid_area_id,
    )
    db.add(row)
    db.flush()
    record_audit(
        db, "installer.notification_created", caller, subject_type="pre_notification", subject_id=row.id or ""
    )
    return row.id or 0


def _require_editable(row: PreNotification) -> None:
    if row.status not in EDITABLE_STATUSES:
        raise DomainError("installer.not_editable")


def _max_length(name: str) -> int:
    column = PreNotification.__table__.columns[name]  # type: ignore[attr-defined]
    return getattr(column.type, "length", None) or 2000


def _clean(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Trimmed values of the known fields, and the field errors they have."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        if name not in values:
            continue
        value = str(values[name]).strip()
        if len(value) > _max_length(name):
            errors[name] = "installer.too_long"
        cleaned[name] = value
    for party in ("owner", "billing"):
        if f"{party}_kind" in cleaned and cleaned[f"{party}_kind"] not in set(PartyKind):
            cleaned[f"{party}_kind"] = PartyKind.PRIVATE
    if cleaned.get("ean"):
        cleaned["ean"] = compact_digits(cleaned["ean"])
        if not is_valid_ean18(cleaned["ean"]):
            errors["ean"] = "installer.invalid_ean"
    for name in ("owner_email", "billing_email"):
        if cleaned.get(name) and "@" not in cleaned[name]:
            errors[name] = "installer.invalid_email"
    return cleaned, errors


def save_notification(
    db: Session,
    caller: Caller,
    notification_id: int,
    values: dict[str, str],
    id_numbers: dict[str, str],
) -> PreNotification:
    """Write the form's values; an empty number field keeps the number on file."""
    row = installer_notification(db, caller, notification_id)
    _require_editable(row)
    cleaned, errors = _clean(values)
    sealed: dict[str, bytes] = {}
    for field, column in ID_NUMBER_FIELDS.items():
        typed = id_numbers.get(field, "").strip()
        if not typed:
            continue
        party = field.removesuffix("_id_number")
        number = normalise_id_number(cleaned.get(f"{party}_kind", getattr(row, f"{party}_kind")), typed)
        if number is None:
            errors[field] = "installer.invalid_id_number"
        else:
            sealed[column] = seal_number(row.id or 0, column, number)
    if errors:
        raise FieldErrors(errors)
    changed = [name for name, value in cleaned.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, cleaned[name])
    for column, value in sealed.items():
        setattr(row, column, value)
    row.updated_at = utcnow()
    row.version += 1
    db.add(row)
    detail = ",".join(changed + [column.removesuffix("_sealed") for column in sealed])
    record_audit(
        db,
        "installer.notification_saved",
        caller,
        subject_type="pre_notification",
        subject_id=row.id or "",
        detail=detail,
    )
    return row


def copy_owner_to_billing(db: Session, caller: Caller, notification_id: int) -> PreNotification:
    row = installer_notification(db, caller, notification_id)
    _require_editable(row)
    for name in PARTY_FIELDS:
        setattr(row, f"billing_{name}", getattr(row, f"owner_{name}"))
    if row.owner_id_number_sealed:
        number = open_number(row.id or 0, "owner_id_number_sealed", row.owner_id_number_sealed)
        row.billing_id_number_sealed = seal_number(row.id or 0, "billing_id_number_sealed", number)
    else:
        row.billing_id_number_sealed = None
    row.version += 1
    row.updated_at = utcnow()
    db.add(row)
    record_audit(
        db, "installer.owner_copied", caller, subject_type="pre_notification", subject_id=row.id or ""
    )
    return row


def delete_notification(db: Session, caller: Caller, notification_id: int) -> None:
    row = installer_notification(db, caller, notification_id)
    if row.status not in DELETABLE_STATUSES:
        raise DomainError("installer.not_deletable")
    for model in (NotificationNote, NotificationTransition):
        for child in db.exec(select(model).where(model.notification_id == row.id)).all():
            db.delete(child)
    db.delete(row)
    record_audit(
        db,
        "installer.notification_deleted",
        caller,
        subject_type="pre_notification",
        subject_id=notification_id,
    )


def send_notification(db: Session, caller: Caller, notification_id: int) -> PreNotification:
    """For approval, when every mandatory field is filled; else ``MissingFields``."""
    row = installer_notification(db, caller, notification_id)
    missing = missing_fields(row)
    if missing:
        raise MissingFields(missing)
    move(db, caller, row, NotificationStatus.FOR_APPROVAL)
    row.sent_at = utcnow()
    row.reject_reason = ""
    db.add(row)
    return row


@dataclass(frozen=True)
class NotificationRow:
    id: int
    status: str
    grid_company: str
    address: str
    owner: str
    meter_number: str
    updated_at: str


def list_notifications(
    db: Session,
    caller: Caller,
    *,
    status: str = "",
    search: str = "",
    page: int = 1,
    grid_company_id: int | None = None,
    sent_only: bool = False,
) -> tuple[list[NotificationRow], int]:
    """One page (from 1) of notifications: the installer's firm's, or (``grid_company_id``) a grid company's.

    The grid company's list is the staff's: the caller must be staff of that company.
    """
    query = select(PreNotification, Organisation.name).join(
        Organisation, col(Organisation.id) == PreNotification.grid_company_id
    )
    if grid_company_id is None:
        query = query.where(PreNotification.installer_firm_id == installer_firm_of(caller))
    else:
        if not caller.is_role(Role.GRID_STAFF) or caller.organisation_id != grid_company_id:
            raise AccessDenied("auth.denied")
        query = query.where(PreNotification.grid_company_id == grid_company_id)
    if sent_only:
        query = query.where(PreNotification.status != NotificationStatus.NOT_SENT)
    if status:
        query = query.where(PreNotification.status == status)
    text = search.strip()[:100]
    if text:
        pattern = f"%{text.lower()}%"
        conditions = [col(PreNotification.meter_number).like(pattern), col(PreNotification.ean).like(pattern)]
        if text.isdigit():
            # A number: the notification's own, or part of a meter number or metering point ID.
            conditions.append(col(PreNotification.id) == int(text))
        else:
            conditions += [
                func.lower(col(PreNotification.installation_address)).like(pattern),
                func.lower(col(PreNotification.owner_surname)).like(pattern),
            ]
        query = query.where(or_(*conditions))
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = db.exec(
        query.order_by(col(PreNotification.updated_at).desc(), col(PreNotification.id).desc())
        .offset((max(1, page) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        NotificationRow(
            id=row.id or 0,
            status=row.status,
            grid_company=name,
            address=" ".join(p for p in (row.installation_address, row.installation_city) if p),
            owner=" ".join(p for p in (row.owner_first_name, row.owner_surname) if p),
            meter_number=row.meter_number,
            updated_at=row.updated_at.isoformat(timespec="minutes"),
        )
        for row, name in rows
    ], total


def apply_fetched_data(
    db: Session, caller: Caller, notification_id: int, data: dict[str, str], *, overwrite: bool
) -> PreNotification:
    """ "Update and close": the looked-up installation data into the form, by the overwrite rules."""
    row = installer_notification(db, caller, notification_id)
    _require_editable(row)
    changed = apply_installation_data(row, data, overwrite=overwrite)
    row.version += 1
    row.updated_at = utcnow()
    db.add(row)
    record_audit(
        db,
        "installer.installation_data_applied",
        caller,
        subject_type="pre_notification",
        subject_id=row.id or "",
        detail=f"overwrite={overwrite}: {','.join(changed)}",
    )
    return row
