"""A grid-company administrator's settings (issue 24): job type names per language, grid areas,
authorised firms and their API tokens (shown once, hashed, revoked, two live while rotating), the
HAN port service; every change logged with who, when, old and new; one grid company's
administrator never reads or changes another's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from installer_factories import METER, World, _user
from sqlmodel import Session, select

from app.models import AuditEntry, InstallerApiToken, Role, SettingChange, User
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.installer.catalogue import job_types
from app.services.installer.installation_lookup import look_up_installation
from app.services.staff import grid_settings as settings


@pytest.fixture
def admins(db: Session, world: World) -> tuple[Caller, Caller]:
    admin = _user(db, "gridadmin-a@example.no", Role.GRID_ADMIN, world.grid)
    other = _user(db, "gridadmin-b@example.no", Role.GRID_ADMIN, world.other_grid)
    db.commit()
    return admin, other


def test_only_a_grid_companys_administrator_may_use_its_settings(db, world):
    for caller in (world.staff, world.installer, Caller(role=Role.ADMIN, user_id=1)):
        with pytest.raises(AccessDenied):
            settings.list_job_types(db, caller)
        with pytest.raises(AccessDenied):
            settings.my_han_service(db, caller)


def test_the_administrator_is_also_the_companys_staff():
    admin = Caller(role=Role.GRID_ADMIN, user_id=1, organisation_id=1)
    assert admin.is_role(Role.GRID_STAFF)
    assert not Caller(role=Role.GRID_STAFF).is_role(Role.GRID_ADMIN)


def test_a_swedish_job_type_name_reaches_the_installer_in_swedish_and_is_logged(db, world, admins):
    admin, _ = admins
    settings.save_job_type(
        db,
        admin,
        job_type_id=world.job_type,
        installation_type_id=None,
        name="Én måler",
        name_sv="En mätare",
        name_en="One meter",
        active=True,
    )
    db.commit()
    offered = job_types(db, world.installer, world.grid, world.installation_type, language="sv")
    assert [choice.label for choice in offered] == ["En mätare"]
    changes = db.exec(select(SettingChange).where(SettingChange.field == "name_sv")).all()
    assert [(c.old_value, c.new_value, c.actor_user_id) for c in changes] == [
        ("", "En mätare", admin.user_id)
    ]
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "settings.changed")).first() is not None


def test_every_name_is_required_field_by_field(db, world, admins):
    admin, _ = admins
    with pytest.raises(FieldErrors) as refused:
        settings.save_job_type(
            db,
            admin,
            job_type_id=None,
            installation_type_id=None,
            name=" ",
            name_sv="",
            name_en="x",
            active=True,
        )
    assert set(refused.value.errors) == {"name", "name_sv", "installation_type"}


def test_another_companys_administrator_cannot_read_or_change_its_settings(db, world, admins):
    admin, other = admins
    with pytest.raises(AccessDenied):
        settings.save_job_type(
            db,
            other,
            job_type_id=world.job_type,
            installation_type_id=None,
            name="X",
            name_sv="X",
            name_en="X",
            active=True,
        )
    with pytest.raises(AccessDenied):
        settings.save_grid_area(db, other, area_id=world.area, code="X", name="X")
    assert [row.id for row in settings.list_job_types(db, other)[0]] == []
    assert [row.code for row in settings.list_grid_areas(db, other)[0]] == ["B1"]
    token = settings.issue_token(db, admin, world.firm, "system")
    db.commit()
    own = db.exec(select(InstallerApiToken).where(InstallerApiToken.label == "system")).one()
    with pytest.raises(AccessDenied):
        settings.revoke_token(db, other, own.id or 0)
    assert look_up_installation(db, token, meter=METER).status_code == 200
    refusals = db.exec(select(AuditEntry).where(AuditEntry.action == "access.refused")).all()
    assert len(refusals) == 3


def test_a_token_is_shown_once_hashed_at_rest_two_live_while_rotating_and_revoked_gets_401(db, world, admins):
    admin, _ = admins
    old = settings.issue_token(db, admin, world.firm, "old system")
    new = settings.issue_token(db, admin, world.firm, "new system")
    db.commit()
    stored = db.exec(
        select(InstallerApiToken.token_hash).where(InstallerApiToken.grid_company_id == world.grid)
    ).all()
    assert old not in stored and new not in stored and len(stored) == 2
    with pytest.raises(DomainError) as third:
        settings.issue_token(db, admin, world.firm, "third")
    assert third.value.key == "settings.two_tokens"
    assert look_up_installation(db, old, meter=METER).status_code == 200
    assert look_up_installation(db, new, meter=METER).status_code == 200
    old_row = next(row for row in settings.list_tokens(db, admin, world.firm) if row.label == "old system")
    settings.revoke_token(db, admin, old_row.id)
    db.commit()
    assert look_up_installation(db, old, meter=METER).status_code == 401
    assert look_up_installation(db, new, meter=METER).status_code == 200
    settings.issue_token(db, admin, world.firm, "next")  # one live again: room for the next rotation


def test_a_token_only_looks_up_its_own_grid_companys_installations(db, world, admins):
    _, other = admins
    settings.set_firm_authorised(db, other, world.firm, True)
    token = settings.issue_token(db, other, world.firm, "b system")
    db.commit()
    # The firm is authorised for both companies; company B's token sees none of company A's.
    assert look_up_installation(db, token, meter=METER).status_code == 404


def test_withdrawing_a_firm_revokes_its_tokens_and_unauthorised_firms_get_none(db, world, admins):
    admin, _ = admins
    token = settings.issue_token(db, admin, world.firm, "system")
    with pytest.raises(DomainError):
        settings.issue_token(db, admin, world.other_firm, "system")
    settings.set_firm_authorised(db, admin, world.firm, False)
    db.commit()
    assert look_up_installation(db, token, meter=METER).status_code == 401
    rows, _ = settings.list_firms(db, admin)
    assert {(row.id, row.authorised) for row in rows} >= {(world.firm, False), (world.other_firm, False)}


def test_the_han_service_defaults_to_five_days_and_is_validated_field_by_field(db, world, admins):
    admin, _ = admins
    assert settings.my_han_service(db, admin).completion_days == 5
    with pytest.raises(FieldErrors) as refused:
        settings.update_han_service(
            db, admin, post_fee="-1", pickup_address="", pickup_hours="8-15", completion_days="0"
        )
    assert set(refused.value.errors) == {"post_fee", "pickup_address", "completion_days"}
    settings.update_han_service(
        db,
        admin,
        post_fee="99,50",
        pickup_address="Nettveien 1, Trondheim",
        pickup_hours="man–fre 08–15",
        completion_days="7",
    )
    db.commit()
    saved = settings.han_service(db, world.grid)
    assert (saved.post_fee, saved.completion_days) == (Decimal("99.50"), 7)
    assert settings.han_service(db, world.other_grid).completion_days == 5
    rows, total = settings.change_log(db, admin)
    assert total == 4 and {row.field for row in rows} >= {"completion_days", "post_fee"}
    assert next(row for row in rows if row.field == "completion_days").old_value == "5"
    assert settings.change_log(db, admins[1]) == ([], 0)


def test_administrators_are_made_by_the_platform_or_their_own_company(db, world, admins):
    admin, other = admins
    with pytest.raises(AccessDenied):
        settings.set_administrator(db, other, world.staff.user_id or 0, True)
    settings.set_administrator(db, admin, world.staff.user_id or 0, True)
    db.commit()
    assert db.get(User, world.staff.user_id).role == Role.GRID_ADMIN
    platform = Caller(role=Role.ADMIN, user_id=None)
    settings.set_administrator(db, platform, world.other_staff.user_id or 0, True)
    with pytest.raises(AccessDenied):  # an installer is no grid company's staff
        settings.set_administrator(db, platform, world.installer.user_id or 0, True)
    with pytest.raises(DomainError):
        settings.set_administrator(db, admin, admin.user_id or 0, False)


STEPS = "0: 415\n2: 590\n5: 830"


def _tariff_fields(valid_from: str) -> dict[str, str]:
    return {
        "valid_from": valid_from,
        "fixed_monthly_kr": "125,00",
        "capacity_steps": STEPS,
        "energy_winter_day": "0,41",
        "energy_winter_night": "0,31",
        "energy_summer_day": "0,36",
        "energy_summer_night": "0,26",
    }


def test_the_administrator_adds_a_tariff_from_a_date_for_their_own_company_only(db, world, admins):
    from datetime import timedelta

    from app.services.han.service_settings import local_today

    admin, other = admins
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    added = settings.add_tariff(db, admin, **_tariff_fields(tomorrow))
    db.commit()
    assert [step.lower_kw for step in added.steps] == [0, 2, 5]
    rows, total = settings.list_tariffs(db, admin)
    assert total == 1 and rows[0].valid_from.isoformat() == tomorrow
    assert settings.list_tariffs(db, other) == ([], 0)
    [change] = db.exec(select(SettingChange).where(SettingChange.area == "tariff")).all()
    assert change.old_value == "none" and "0:415" in change.new_value.replace(".00", "")
    with pytest.raises(FieldErrors) as refused:  # never from a day already begun
        settings.add_tariff(db, admin, **_tariff_fields(local_today().isoformat()))
    assert "valid_from" in refused.value.errors
    with pytest.raises(AccessDenied):
        settings.withdraw_tariff(db, other, rows[0].id)
    settings.withdraw_tariff(db, admin, rows[0].id)
    db.commit()
    assert settings.list_tariffs(db, admin) == ([], 0)
