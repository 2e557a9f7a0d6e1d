"""What "New pre-notification" offers: the firm's grid companies, installation types, the grid
company's job types for a type, and its grid areas."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import (
    GridArea,
    InstallationType,
    InstallerAuthorisation,
    JobType,
    Organisation,
    PreNotification,
    Role,
)
from app.services.caller import Caller
from app.services.errors import AccessDenied


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


def installer_firm_of(caller: Caller) -> int:
    """The installer firm the caller works for; refused for anyone else."""
    if not caller.is_role(Role.INSTALLER) or caller.organisation_id is None:
        raise AccessDenied("auth.denied")
    return caller.organisation_id


def is_authorised(db: Session, firm_id: int, grid_company_id: int) -> bool:
    return (
        db.exec(
            select(InstallerAuthorisation.id).where(
                InstallerAuthorisation.installer_firm_id == firm_id,
                InstallerAuthorisation.grid_company_id == grid_company_id,
            )
        ).first()
        is not None
    )


def grid_companies(db: Session, caller: Caller) -> list[Choice]:
    firm_id = installer_firm_of(caller)
    rows = db.exec(
        select(Organisation)
        .join(InstallerAuthorisation, col(InstallerAuthorisation.grid_company_id) == Organisation.id)
        .where(InstallerAuthorisation.installer_firm_id == firm_id)
        .order_by(Organisation.name)
    ).all()
    return [Choice(row.id or 0, row.name) for row in rows]


def installation_types(db: Session) -> list[tuple[int, str]]:
    """(id, code); the name is UI text ``installer.type.<code>``."""
    rows = db.exec(select(InstallationType).order_by(InstallationType.sort_order)).all()
    return [(row.id or 0, row.code) for row in rows]


def job_type_name(job: JobType, language: str) -> str:
    """The job type's name in ``language`` (nb, sv, en), its bokmål name where none is given."""
    named = {"sv": job.name_sv, "en": job.name_en}.get(language, "")
    return named or job.name


def job_types(
    db: Session, caller: Caller, grid_company_id: int, installation_type_id: int, language: str = "nb"
) -> list[Choice]:
    firm_id = installer_firm_of(caller)
    if not is_authorised(db, firm_id, grid_company_id):
        return []
    rows = db.exec(
        select(JobType)
        .where(
            JobType.grid_company_id == grid_company_id,
            JobType.installation_type_id == installation_type_id,
            col(JobType.active).is_(True),
        )
        .order_by(JobType.sort_order, JobType.name)
    ).all()
    return [Choice(row.id or 0, job_type_name(row, language)) for row in rows]


def grid_areas(db: Session, caller: Caller, grid_company_id: int) -> list[Choice]:
    firm_id = installer_firm_of(caller)
    if not is_authorised(db, firm_id, grid_company_id):
        return []
    rows = db.exec(
        select(GridArea).where(GridArea.grid_company_id == grid_company_id).order_by(GridArea.code)
    ).all()
    return [Choice(row.id or 0, f"{row.code} {row.name}") for row in rows]


@dataclass(frozen=True)
class CaseSummary:
    grid_company: str
    installer_firm: str
    installation_type_code: str
    job_type: str
    grid_area: str


def case_summary(db: Session, row: PreNotification, language: str = "nb") -> CaseSummary:
    """Names of what a notification was created for, in ``language`` (the caller's access is
    checked before)."""
    company = db.get(Organisation, row.grid_company_id)
    firm = db.get(Organisation, row.installer_firm_id)
    kind = db.get(InstallationType, row.installation_type_id)
    job = db.get(JobType, row.job_type_id)
    area = db.get(GridArea, row.grid_area_id)
    return CaseSummary(
        grid_company=company.name if company else "",
        installer_firm=firm.name if firm else "",
        installation_type_code=kind.code if kind else "",
        job_type=job_type_name(job, language) if job else "",
        grid_area=f"{area.code} {area.name}" if area else "",
    )
