"""A grid company's own settings, changed by its grid-company administrator (issue 24).

Installer portal: job types per installation type (named in nb, sv, en), grid areas, the installer
firms authorised for the company and their installation-API tokens (issued and shown once, stored
as a SHA-256, revoked; two live per firm while rotating). HAN port service: the postage fee, the
pickup address and hours, the completion target in working days. Administrators: who of the
company's staff administers it.

Every service takes the caller and acts only on the caller's own grid company: another company's
row is refused (audited) as if it did not exist. Every change is one ``setting_change`` row (who,
when, old and new value) and one audit row, in the change's transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.models import (
    GridArea,
    HanServiceSettings,
    InstallationType,
    InstallerApiToken,
    InstallerAuthorisation,
    JobType,
    Organisation,
    OrganisationKind,
    Role,
    SettingChange,
    User,
)
from app.services.access import refuse
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.consumption import tariffs
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.han.service_settings import HanService, han_service, local_today
from app.services.installer.api_tokens import PORTAL_LABEL, hash_api_token
from app.services.sessions import end_user_sessions

PAGE_SIZE = 20
# A firm holds at most this many live tokens for one grid company: the old and the new one
# while its systems move over (issue 24).
LIVE_TOKENS_PER_FIRM = 2
NAME_MAX = 120
MAX_COMPLETION_DAYS = 60
MAX_POST_FEE = Decimal("10000")
GRID_KINDS = (OrganisationKind.GRID_COMPANY, OrganisationKind.DISTRICT_HEATING)


def grid_admin_company(caller: Caller | None) -> int:
    """The grid company the caller administers; anyone else is refused."""
    if caller is None or caller.role != Role.GRID_ADMIN or caller.organisation_id is None:
        raise AccessDenied("auth.denied")
    return caller.organisation_id


def _not_found(db: Session, caller: Caller, action: str, subject_type: str, subject_id: int) -> AccessDenied:
    return refuse(
        db, caller, action, "not this grid company's", subject_type=subject_type, subject_id=subject_id
    )


def _log(
    db: Session, caller: Caller, company: int, area: str, subject: str, field: str, old: object, new: object
) -> None:
    """One setting's change: a ``setting_change`` row and an audit row, in the change's transaction."""
    old_text, new_text = str(old), str(new)
    if old_text == new_text:
        return
    db.add(
        SettingChange(
            grid_company_id=company,
            area=area,
            subject=subject[:120],
            field=field,
            old_value=old_text[:300],
            new_value=new_text[:300],
            actor_user_id=caller.user_id,
            actor_role=str(caller.role),
            at=utcnow(),
        )
    )
    record_audit(
        db,
        "settings.changed",
        caller,
        subject_type=area,
        subject_id=subject[:64],
        detail=f"{field}: {old_text[:400]!r} -> {new_text[:400]!r} (grid company {company})",
    )


def _clean(text: str, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def _page(page: int) -> int:
    return max(page, 1)


# ---------------------------------------------------------------- HAN port service


def my_han_service(db: Session, caller: Caller) -> HanService:
    return han_service(db, grid_admin_company(caller))


def _parse_fee(text: str) -> Decimal | None:
    cleaned = "".join((text or "").split()).replace(",", ".").removesuffix("kr")
    try:
        fee = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not fee.is_finite() or fee < 0 or fee > MAX_POST_FEE:
        return None
    return fee.quantize(Decimal("0.01"))


def update_han_service(
    db: Session,
    caller: Caller,
    *,
    post_fee: str,
    pickup_address: str,
    pickup_hours: str,
    completion_days: str,
) -> HanService:
    """Save the HAN port service; every field is checked, all errors come at once."""
    company = grid_admin_company(caller)
    errors: dict[str, str] = {}
    fee = _parse_fee(post_fee)
    if fee is None:
        errors["post_fee"] = "settings.invalid_fee"
    days_text = (completion_days or "").strip()
    days = int(days_text) if days_text.isdigit() else -1
    if not 1 <= days <= MAX_COMPLETION_DAYS:
        errors["completion_days"] = "settings.invalid_days"
    address, hours = _clean(pickup_address, 200), _clean(pickup_hours, 200)
    if not address:
        errors["pickup_address"] = "settings.required"
    if not hours:
        errors["pickup_hours"] = "settings.required"
    if errors:
        raise FieldErrors(errors)
    assert fee is not None
    row = db.exec(select(HanServiceSettings).where(HanServiceSettings.grid_company_id == company)).first()
    before = han_service(db, company)
    if row is None:
        row = HanServiceSettings(grid_company_id=company)
    row.post_fee, row.pickup_address, row.pickup_hours, row.completion_days = fee, address, hours, days
    row.updated_at = utcnow()
    db.add(row)
    for field, old, new in (
        ("post_fee", before.post_fee, fee),
        ("pickup_address", before.pickup_address, address),
        ("pickup_hours", before.pickup_hours, hours),
        ("completion_days", before.completion_days, days),
    ):
        _log(db, caller, company, "han", "han_service", field, old, new)
    return HanService(fee, address, hours, days)


# ---------------------------------------------------------------- job types


@dataclass(frozen=True)
class JobTypeRow:
    id: int
    installation_type_code: str
    name: str
    name_sv: str
    name_en: str
    active: bool


def installation_types(db: Session) -> list[tuple[int, str]]:
    return [
        (row.id or 0, row.code)
        for row in db.exec(select(InstallationType).order_by(InstallationType.sort_order))
    ]


def list_job_types(
    db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[JobTypeRow], int]:
    company = grid_admin_company(caller)
    total = db.exec(select(func.count()).select_from(JobType).where(JobType.grid_company_id == company)).one()
    rows = db.exec(
        select(JobType, InstallationType.code)
        .join(InstallationType, InstallationType.id == JobType.installation_type_id)
        .where(JobType.grid_company_id == company)
        .order_by(InstallationType.sort_order, JobType.sort_order, JobType.name, col(JobType.id))
        .offset((_page(page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        JobTypeRow(job.id or 0, code, job.name, job.name_sv, job.name_en, job.active) for job, code in rows
    ], int(total)


def save_job_type(
    db: Session,
    caller: Caller,
    *,
    job_type_id: int | None,
    installation_type_id: int | None,
    name: str,
    name_sv: str,
    name_en: str,
    active: bool,
) -> int:
    """A new job type (``job_type_id`` None) or new names of one of the caller's company's."""
    company = grid_admin_company(caller)
    names = {
        "name": _clean(name, NAME_MAX),
        "name_sv": _clean(name_sv, NAME_MAX),
        "name_en": _clean(name_en, NAME_MAX),
    }
    errors = {field: "settings.required" for field, value in names.items() if not value}
    if job_type_id is None:
        kind = db.get(InstallationType, installation_type_id) if installation_type_id else None
        if kind is None:
            errors["installation_type"] = "settings.choose_installation_type"
    if errors:
        raise FieldErrors(errors)
    if job_type_id is None:
        job = JobType(
            grid_company_id=company, installation_type_id=installation_type_id or 0, active=active, **names
        )
        db.add(job)
        db.flush()
        _log(
            db,
            caller,
            company,
            "job_type",
            f"{job.id}",
            "created",
            "",
            f"{names['name']} / {names['name_sv']} / {names['name_en']}",
        )
        return job.id or 0
    job = db.get(JobType, job_type_id)
    if job is None or job.grid_company_id != company:
        raise _not_found(db, caller, "settings.save_job_type", "job_type", job_type_id)
    for field, value in (*names.items(), ("active", active)):
        _log(db, caller, company, "job_type", f"{job.id} {job.name}", field, getattr(job, field), value)
        setattr(job, field, value)
    db.add(job)
    return job.id or 0


# ---------------------------------------------------------------- grid areas


@dataclass(frozen=True)
class GridAreaRow:
    id: int
    code: str
    name: str


def list_grid_areas(
    db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[GridAreaRow], int]:
    company = grid_admin_company(caller)
    total = db.exec(
        select(func.count()).select_from(GridArea).where(GridArea.grid_company_id == company)
    ).one()
    rows = db.exec(
        select(GridArea)
        .where(GridArea.grid_company_id == company)
        .order_by(GridArea.code)
        .offset((_page(page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [GridAreaRow(row.id or 0, row.code, row.name) for row in rows], int(total)


def save_grid_area(db: Session, caller: Caller, *, area_id: int | None, code: str, name: str) -> int:
    company = grid_admin_company(caller)
    code, name = _clean(code, 20).upper(), _clean(name, NAME_MAX)
    errors = {}
    if not code:
        errors["code"] = "settings.required"
    if not name:
        errors["name"] = "settings.required"
    if errors:
        raise FieldErrors(errors)
    clash = db.exec(
        select(GridArea.id).where(GridArea.grid_company_id == company, GridArea.code == code)
    ).first()
    if clash is not None and clash != area_id:
        raise FieldErrors({"code": "settings.code_taken"})
    if area_id is None:
        area = GridArea(grid_company_id=company, code=code, name=name)
        db.add(area)
        db.flush()
        _log(db, caller, company, "grid_area", code, "created", "", f"{code} {name}")
        return area.id or 0
    area = db.get(GridArea, area_id)
    if area is None or area.grid_company_id != company:
        raise _not_found(db, caller, "settings.save_grid_area", "grid_area", area_id)
    _log(db, caller, company, "grid_area", area.code, "code", area.code, code)
    _log(db, caller, company, "grid_area", code, "name", area.name, name)
    area.code, area.name = code, name
    db.add(area)
    return area.id or 0


# ---------------------------------------------------------------- installer firms and tokens


@dataclass(frozen=True)
class FirmRow:
    id: int
    name: str
    authorised: bool
    live_tokens: int


def _live_tokens(db: Session, company: int, firm_id: int) -> list[InstallerApiToken]:
    return list(
        db.exec(
            select(InstallerApiToken)
            .where(
                InstallerApiToken.installer_firm_id == firm_id,
                InstallerApiToken.grid_company_id == company,
                col(InstallerApiToken.revoked_at).is_(None),
            )
            .order_by(col(InstallerApiToken.id))
        ).all()
    )


def list_firms(
    db: Session, caller: Caller, *, search: str = "", page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[FirmRow], int]:
    """Installer firms (authorised for the company first), whether authorised, their live tokens."""
    company = grid_admin_company(caller)
    conditions = [Organisation.kind == OrganisationKind.INSTALLER_FIRM.value]
    if search.strip():
        conditions.append(col(Organisation.name).ilike(f"%{search.strip()[:60]}%"))
    authorised = select(InstallerAuthorisation.installer_firm_id).where(
        InstallerAuthorisation.grid_company_id == company
    )
    total = db.exec(select(func.count()).select_from(Organisation).where(*conditions)).one()
    is_authorised = col(Organisation.id).in_(authorised)
    rows = db.exec(
        select(Organisation, is_authorised)
        .where(*conditions)
        .order_by(is_authorised.desc(), Organisation.name)
        .offset((_page(page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        FirmRow(org.id or 0, org.name, bool(flag), len(_live_tokens(db, company, org.id or 0)))
        for org, flag in rows
    ], int(total)


def _firm(db: Session, caller: Caller, firm_id: int, action: str) -> Organisation:
    firm = db.get(Organisation, firm_id)
    if firm is None or firm.kind != OrganisationKind.INSTALLER_FIRM:
        raise refuse(
            db, caller, action, "no such installer firm", subject_type="organisation", subject_id=firm_id
        )
    return firm


def _authorisation(db: Session, company: int, firm_id: int) -> InstallerAuthorisation | None:
    return db.exec(
        select(InstallerAuthorisation).where(
            InstallerAuthorisation.grid_company_id == company,
            InstallerAuthorisation.installer_firm_id == firm_id,
        )
    ).first()


def set_firm_authorised(db: Session, caller: Caller, firm_id: int, authorised: bool) -> None:
    """Authorise a firm for the company, or withdraw it (its tokens for the company are revoked)."""
    company = grid_admin_company(caller)
    firm = _firm(db, caller, firm_id, "settings.authorise_firm")
    row = _authorisation(db, company, firm_id)
    if authorised and row is None:
        db.add(InstallerAuthorisation(installer_firm_id=firm_id, grid_company_id=company))
        _log(db, caller, company, "authorisation", firm.name, "authorised", "no", "yes")
    elif not authorised and row is not None:
        db.delete(row)
        for token in _live_tokens(db, company, firm_id):
            _revoke(db, caller, company, firm, token)
        _log(db, caller, company, "authorisation", firm.name, "authorised", "yes", "no")


@dataclass(frozen=True)
class TokenRow:
    id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


def list_tokens(db: Session, caller: Caller, firm_id: int) -> list[TokenRow]:
    """The tokens the company issued to a firm, newest first (a handful: never paged)."""
    company = grid_admin_company(caller)
    _firm(db, caller, firm_id, "settings.list_tokens")
    rows = db.exec(
        select(InstallerApiToken)
        .where(
            InstallerApiToken.installer_firm_id == firm_id,
            InstallerApiToken.grid_company_id == company,
            InstallerApiToken.label != PORTAL_LABEL,
        )
        .order_by(col(InstallerApiToken.id).desc())
        .limit(50)
    ).all()
    return [TokenRow(row.id or 0, row.label, row.created_at, row.revoked_at) for row in rows]


def issue_token(db: Session, caller: Caller, firm_id: int, label: str) -> str:
    """A new token for an authorised firm, returned once (only its hash is kept); a firm holds at
    most two live ones, so the old one is revoked once its systems use the new one."""
    company = grid_admin_company(caller)
    firm = _firm(db, caller, firm_id, "settings.issue_token")
    if _authorisation(db, company, firm_id) is None:
        raise DomainError("settings.firm_not_authorised")
    label = _clean(label, 60)
    if not label:
        raise FieldErrors({"label": "settings.required"})
    if label == PORTAL_LABEL:
        raise FieldErrors({"label": "settings.label_reserved"})
    if len(_live_tokens(db, company, firm_id)) >= LIVE_TOKENS_PER_FIRM:
        raise DomainError("settings.two_tokens")
    token = secrets.token_urlsafe(32)
    row = InstallerApiToken(
        installer_firm_id=firm_id,
        grid_company_id=company,
        token_hash=hash_api_token(token),
        label=label,
        created_at=utcnow(),
    )
    db.add(row)
    db.flush()
    record_audit(
        db,
        "installer.api_token_issued",
        caller,
        subject_type="installer_api_token",
        subject_id=row.id or "",
        detail=f"firm {firm_id}, grid company {company}",
    )
    _log(db, caller, company, "api_token", f"{firm.name}: {label}", "issued", "", f"#{row.id}")
    return token


def _revoke(db: Session, caller: Caller, company: int, firm: Organisation, row: InstallerApiToken) -> None:
    row.revoked_at = utcnow()
    db.add(row)
    record_audit(
        db,
        "installer.api_token_revoked",
        caller,
        subject_type="installer_api_token",
        subject_id=row.id or "",
        detail=f"firm {firm.id}, grid company {company}",
    )
    _log(db, caller, company, "api_token", f"{firm.name}: {row.label}", "revoked", f"#{row.id}", "")


def revoke_token(db: Session, caller: Caller, token_id: int) -> None:
    company = grid_admin_company(caller)
    row = db.get(InstallerApiToken, token_id)
    if row is None or row.grid_company_id != company:
        raise _not_found(db, caller, "settings.revoke_token", "installer_api_token", token_id)
    firm = db.get(Organisation, row.installer_firm_id)
    if row.revoked_at is None and firm is not None:
        _revoke(db, caller, company, firm, row)


# ---------------------------------------------------------------- administrators


@dataclass(frozen=True)
class StaffRow:
    user_id: int
    name: str
    email: str
    is_admin: bool


def list_staff(
    db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[StaffRow], int]:
    company = grid_admin_company(caller)
    conditions = [
        User.organisation_id == company,
        col(User.role).in_([Role.GRID_STAFF.value, Role.GRID_ADMIN.value]),
        col(User.is_active).is_(True),
    ]
    total = db.exec(select(func.count()).select_from(User).where(*conditions)).one()
    rows = db.exec(
        select(User)
        .where(*conditions)
        .order_by(User.name, User.email)
        .offset((_page(page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [StaffRow(u.id or 0, u.name, u.email or "", u.role == Role.GRID_ADMIN) for u in rows], int(total)


def set_administrator(db: Session, caller: Caller, user_id: int, make_admin: bool) -> None:
    """Make one of a grid company's staff its administrator, or staff again.

    The platform administrator may do it for any grid company; a grid-company administrator for
    their own company's staff, never for themselves (a company keeps at least the one who acts).
    The account's sessions end: it signs in again with its new role.
    """
    company = None if caller.role == Role.ADMIN else grid_admin_company(caller)
    user = db.get(User, user_id)
    if (
        user is None
        or user.role not in (Role.GRID_STAFF.value, Role.GRID_ADMIN.value)
        or (company is not None and user.organisation_id != company)
    ):
        raise refuse(
            db,
            caller,
            "settings.set_administrator",
            "not this grid company's staff",
            subject_type="user",
            subject_id=user_id,
        )
    org = db.get(Organisation, user.organisation_id) if user.organisation_id else None
    if org is None or org.kind not in GRID_KINDS:
        raise refuse(
            db,
            caller,
            "settings.set_administrator",
            "not a grid company's account",
            subject_type="user",
            subject_id=user_id,
        )
    if user_id == caller.user_id:
        raise DomainError("settings.not_yourself")
    new_role = Role.GRID_ADMIN.value if make_admin else Role.GRID_STAFF.value
    if user.role == new_role:
        return
    _log(db, caller, org.id or 0, "administrator", user.email or user.name, "role", user.role, new_role)
    user.role = new_role
    db.add(user)
    end_user_sessions(db, user_id)


# ---------------------------------------------------------------- the change log


@dataclass(frozen=True)
class ChangeRow:
    at: datetime
    who: str
    area: str
    subject: str
    field: str
    old_value: str
    new_value: str


def change_log(
    db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[ChangeRow], int]:
    """Every change of the company's settings, newest first."""
    company = grid_admin_company(caller)
    total = db.exec(
        select(func.count()).select_from(SettingChange).where(SettingChange.grid_company_id == company)
    ).one()
    rows = db.exec(
        select(SettingChange, User)
        .join(User, col(User.id) == SettingChange.actor_user_id, isouter=True)
        .where(SettingChange.grid_company_id == company)
        .order_by(col(SettingChange.id).desc())
        .offset((_page(page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        ChangeRow(
            change.at,
            (user.name or user.email or "") if user else change.actor_role,
            change.area,
            change.subject,
            change.field,
            change.old_value,
            change.new_value,
        )
        for change, user in rows
    ], int(total)


# ---------------------------------------------------------------- tariffs


def list_tariffs(
    db: Session, caller: Caller, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[tariffs.GridTariff], int]:
    """The company's tariff periods, newest first (app/services/consumption/tariffs.py)."""
    company = grid_admin_company(caller)
    found = tariffs.list_tariff_periods(db, caller, utility_id=company, page=page, page_size=page_size)
    return list(found.rows), found.total


def add_tariff(db: Session, caller: Caller, **fields: object) -> tariffs.GridTariff:
    """A new tariff period of the caller's company from a date (validated field by field by the
    tariff service); logged among the company's setting changes with the period before it."""
    company = grid_admin_company(caller)
    before = tariffs.grid_tariff_on(db, company, local_today())
    added = tariffs.add_tariff_period(db, caller, utility_id=company, **fields)  # type: ignore[arg-type]
    old, new = tariffs.describe_tariff(before), tariffs.describe_tariff(added)
    _log(db, caller, company, "tariff", f"from {added.valid_from}", "tariff", old, new)
    return added


def withdraw_tariff(db: Session, caller: Caller, period_id: int) -> None:
    """Withdraw a period of the caller's company that has not begun."""
    company = grid_admin_company(caller)
    tariffs.withdraw_tariff_period(db, caller, period_id)
    _log(db, caller, company, "tariff", f"period {period_id}", "withdrawn", "", "yes")
