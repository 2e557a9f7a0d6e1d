"""Two grid companies, two installer firms, their people, job types, areas and installations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select
from stdnum import ean

from app.models import (
    GridArea,
    Installation,
    InstallationType,
    InstallerAuthorisation,
    JobType,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.services.caller import Caller
from app.services.installer import notifications

# A valid Norwegian fødselsnummer, a valid Swedish personnummer and organisation numbers.
FODSELSNUMMER = "15108695088"
PERSONNUMMER = "811228-9874"
SE_ORGNR = "5560360793"
NO_ORGNR = "988077917"
METER = "AID70000001"
EAN = "707057500000099999"


def ean_for(suffix: str) -> str:
    if not suffix:
        return EAN
    body = f"7070575{abs(hash(suffix)) % 10**10:010d}"
    return body + ean.calc_check_digit(body)


@dataclass
class World:
    grid: int
    other_grid: int
    firm: int
    other_firm: int
    installer: Caller
    other_installer: Caller
    staff: Caller
    other_staff: Caller
    installation_type: int
    job_type: int
    area: int
    other_area: int
    installer_email: str


def _user(db: Session, email: str, role: Role, org: int) -> Caller:
    user = User(email=email, name=email.split("@")[0], role=role.value, organisation_id=org)
    db.add(user)
    db.flush()
    return Caller(role=role, user_id=user.id, organisation_id=org, client_address="127.0.0.1")


def build_world(db: Session, suffix: str = "") -> World:
    orgs = [
        Organisation(name=f"Nett A{suffix}", kind=OrganisationKind.GRID_COMPANY),
        Organisation(name=f"Nett B{suffix}", kind=OrganisationKind.GRID_COMPANY),
        Organisation(name=f"Elektro A{suffix}", kind=OrganisationKind.INSTALLER_FIRM),
        Organisation(name=f"Elektro B{suffix}", kind=OrganisationKind.INSTALLER_FIRM),
    ]
    db.add_all(orgs)
    db.flush()
    grid, other_grid, firm, other_firm = (org.id or 0 for org in orgs)
    db.add_all(
        [
            InstallerAuthorisation(installer_firm_id=firm, grid_company_id=grid),
            InstallerAuthorisation(installer_firm_id=other_firm, grid_company_id=other_grid),
        ]
    )
    installation_type = db.exec(
        select(InstallationType).where(InstallationType.code == "new_installation")
    ).one()
    job = JobType(grid_company_id=grid, installation_type_id=installation_type.id or 0, name="One meter")
    area = GridArea(grid_company_id=grid, code="A1", name="Sentrum")
    other_area = GridArea(grid_company_id=other_grid, code="B1", name="Nord")
    db.add_all([job, area, other_area])
    db.add(
        Installation(
            grid_company_id=grid,
            meter_number=f"{METER}{suffix}",
            ean=ean_for(suffix),
            technical_number="T-100",
            address="Storgata 1",
            postcode="7010",
            city="Trondheim",
            owner_surname="Nordmann",
            owner_first_name="Kari",
            owner_address="Storgata 1",
            owner_postcode="7010",
            owner_city="Trondheim",
            owner_phone="+4740000000",
            meter_placement="Kjeller",
            main_fuse="25",
        )
    )
    db.flush()
    email = f"inst{suffix}@example.no"
    return World(
        grid=grid,
        other_grid=other_grid,
        firm=firm,
        other_firm=other_firm,
        installer=_user(db, email, Role.INSTALLER, firm),
        other_installer=_user(db, f"other-inst{suffix}@example.no", Role.INSTALLER, other_firm),
        staff=_user(db, f"staff{suffix}@example.no", Role.GRID_STAFF, grid),
        other_staff=_user(db, f"other-staff{suffix}@example.no", Role.GRID_STAFF, other_grid),
        installation_type=installation_type.id or 0,
        job_type=job.id or 0,
        area=area.id or 0,
        other_area=other_area.id or 0,
        installer_email=email,
    )


def complete_values() -> dict[str, str]:
    """Every mandatory text field filled."""
    return {
        "installation_address": "Storgata 1",
        "installation_postcode": "7010",
        "installation_city": "Trondheim",
        "owner_kind": "private",
        "owner_surname": "Nordmann",
        "owner_address": "Storgata 1",
        "owner_postcode": "7010",
        "owner_city": "Trondheim",
        "billing_kind": "private",
        "billing_surname": "Nordmann",
        "billing_address": "Storgata 1",
        "billing_postcode": "7010",
        "billing_city": "Trondheim",
        "meter_placement": "Kjeller",
        "main_fuse_after": "32",
    }


def new_notification(db: Session, world: World) -> int:
    """A new, empty pre-notification of the world's installer (not sent); committed."""
    number = notifications.create_notification(
        db,
        world.installer,
        grid_company_id=world.grid,
        installation_type_id=world.installation_type,
        job_type_id=world.job_type,
        grid_area_id=world.area,
    )
    db.commit()
    return number


def sent_for_approval(db: Session, world: World) -> int:
    """A complete pre-notification of the world's installer, sent to the grid company; committed."""
    number = new_notification(db, world)
    notifications.save_notification(
        db, world.installer, number, complete_values(), {"owner_id_number": FODSELSNUMMER}
    )
    notifications.send_notification(db, world.installer, number)
    db.commit()
    return number
