"""Demo data of the installer portal: the demo firm authorised for the demo grid company, its grid
areas and job types, the installation register (from the demo meters), and a few notifications
in different statuses, made through the services as the demo installer and grid staff."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import (
    Customer,
    CustomerRelationship,
    GridArea,
    Installation,
    InstallationType,
    InstallerAuthorisation,
    JobType,
    Medium,
    Meter,
    NotificationStatus,
    Role,
    User,
)
from app.services.caller import Caller
from app.services.installer.notifications import create_notification, save_notification, send_notification
from app.services.installer.processing import decide

GRID_AREAS = (("TRD", "Trondheim sentrum"), ("STJ", "Stjørdal"), ("MAL", "Malvik"))
# Each job type's name in bokmål, Swedish and English (the grid company names them in each).
JOB_TYPES = {
    "new_installation": (
        ("Anlegg med én måler", "Anläggning med en mätare", "Installation with one meter"),
        ("Anlegg med flere målere", "Anläggning med flera mätare", "Installation with several meters"),
    ),
    "service_change": (
        ("Flytting av inntak", "Flytt av anslutningspunkt", "Moving the service entrance"),
        ("Økning av inntakskabel", "Grövre servisledning", "Larger service cable"),
    ),
    "fuse_change": (
        ("Økning av hovedsikring", "Höjning av huvudsäkring", "Larger main fuse"),
        ("Reduksjon av hovedsikring", "Sänkning av huvudsäkring", "Smaller main fuse"),
    ),
    "existing_installation": (
        ("Arbeid i eksisterende anlegg", "Arbete i befintlig anläggning", "Work in an existing installation"),
    ),
    "temporary_installation": (("Byggestrøm", "Byggström", "Construction site power"),),
    "extension": (("Utvidelse av anlegg", "Utökning av anläggning", "Extension of an installation"),),
}
DEMO_OWNER_NUMBER = "15108695088"  # a valid fødselsnummer of no real person
INSTALLATIONS = 12


def _complete(address: str, surname: str) -> dict[str, str]:
    return {
        "installation_address": address,
        "installation_postcode": "7010",
        "installation_city": "Trondheim",
        "owner_kind": "private",
        "owner_surname": surname,
        "owner_first_name": "Demo",
        "owner_address": address,
        "owner_postcode": "7010",
        "owner_city": "Trondheim",
        "billing_kind": "private",
        "billing_surname": surname,
        "billing_first_name": "Demo",
        "billing_address": address,
        "billing_postcode": "7010",
        "billing_city": "Trondheim",
        "main_fuse_before": "25",
        "main_fuse_after": "32",
        "meter_placement": "Yttervegg ved inngang",
    }


def add_installer_demo(db: Session, grid_id: int, firm_id: int) -> None:
    db.add(InstallerAuthorisation(installer_firm_id=firm_id, grid_company_id=grid_id))
    areas = [GridArea(grid_company_id=grid_id, code=code, name=name) for code, name in GRID_AREAS]
    db.add_all(areas)
    types = {row.code: row.id for row in db.exec(select(InstallationType))}
    jobs: dict[str, list[JobType]] = {}
    for code, names in JOB_TYPES.items():
        jobs[code] = [
            JobType(
                grid_company_id=grid_id,
                installation_type_id=types[code] or 0,
                name=nb,
                name_sv=sv,
                name_en=en,
                sort_order=order,
            )
            for order, (nb, sv, en) in enumerate(names)
        ]
        db.add_all(jobs[code])
    rows = db.exec(
        select(CustomerRelationship, Customer, Meter)
        .join(Customer, Customer.id == CustomerRelationship.customer_id)  # type: ignore[arg-type]
        .join(Meter, Meter.id == CustomerRelationship.meter_id)  # type: ignore[arg-type]
        .where(Meter.medium == Medium.ELECTRICITY, CustomerRelationship.utility_id == grid_id)
        .order_by(CustomerRelationship.id)
    ).all()
    for relationship, customer, meter in rows[:INSTALLATIONS]:
        first, _, surname = customer.name.partition(" ")
        db.add(
            Installation(
                grid_company_id=grid_id,
                meter_number=meter.serial,
                ean=relationship.metering_point_id,
                technical_number=f"T-{relationship.installation_number}",
                address=relationship.address,
                postcode=relationship.postcode,
                city=relationship.city,
                owner_surname=surname,
                owner_first_name=first,
                owner_address=relationship.address,
                owner_postcode=relationship.postcode,
                owner_city=relationship.city,
                owner_phone=customer.mobile or "",
                meter_placement="Sikringsskap i gang",
                main_fuse="25",
            )
        )
    db.flush()
    installer = db.exec(
        select(User).where(User.role == Role.INSTALLER, User.organisation_id == firm_id)
    ).first()
    staff = db.exec(select(User).where(User.role == Role.GRID_STAFF, User.organisation_id == grid_id)).first()
    if installer is None or staff is None:
        return
    as_installer = Caller(
        role=Role.INSTALLER, user_id=installer.id, organisation_id=firm_id, client_address="demo"
    )
    as_staff = Caller(role=Role.GRID_STAFF, user_id=staff.id, organisation_id=grid_id, client_address="demo")
    plan = (
        ("Fjordveien 12", "Berg", None, ""),
        ("Kirkeveien 3", "Haugen", NotificationStatus.FOR_APPROVAL, ""),
        ("Storgata 40", "Hagen", NotificationStatus.APPROVED, ""),
        ("Elvegata 7", "Bakken", NotificationStatus.NEEDS_CHANGES, "Oppgi ny hovedsikring i ampere."),
        ("Havnegata 2", "Larsen", NotificationStatus.REJECTED, "Anlegget ligger utenfor vårt nettområde."),
    )
    for index, (address, surname, status, reason) in enumerate(plan):
        kind = "new_installation" if index % 2 == 0 else "fuse_change"
        number = create_notification(
            db,
            as_installer,
            grid_company_id=grid_id,
            installation_type_id=types[kind] or 0,
            job_type_id=jobs[kind][0].id or 0,
            grid_area_id=areas[index % len(areas)].id or 0,
        )
        if status is None:
            save_notification(db, as_installer, number, {"installation_address": address}, {})
            continue
        save_notification(
            db, as_installer, number, _complete(address, surname), {"owner_id_number": DEMO_OWNER_NUMBER}
        )
        send_notification(db, as_installer, number)
        if status != NotificationStatus.FOR_APPROVAL:
            decide(db, as_staff, number, status, reason)
    db.flush()
