"""Tariffs, taxes and heat prices as data with validity periods (issue 24 "Tariffs", issue 26)."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.clock import running_from
from app.config import PROJECT_ROOT
from app.models import AuditEntry, Organisation, OrganisationKind, TariffPeriod, TaxKind
from app.services.caller import CLI_CALLER, Caller
from app.services.consumption import tariffs
from app.services.errors import AccessDenied
from app.services.form_errors import FieldErrors

OSLO = ZoneInfo("Europe/Oslo")
STEPS = "0: 415\n2: 590\n5: 830\n10: 1290"


def _company(
    db: Session, kind: OrganisationKind = OrganisationKind.GRID_COMPANY, org_number: str | None = None
) -> int:
    org = Organisation(name=f"Nett {org_number or ''}", kind=kind.value, org_number=org_number)
    db.add(org)
    db.commit()
    return org.id or 0


def _period(db: Session, caller: Caller, utility_id: int, valid_from: object, **changes: object):
    fields: dict[str, object] = dict(
        utility_id=utility_id,
        valid_from=valid_from,
        fixed_monthly_kr="125,00",
        capacity_steps=STEPS,
        energy_winter_day="0.4120",
        energy_winter_night="0.3120",
        energy_summer_day="0.3650",
        energy_summer_night="0.2650",
    )
    fields.update(changes)
    added = tariffs.add_tariff_period(db, caller, **fields)  # type: ignore[arg-type]
    db.commit()
    return added


def _admin_of(utility_id: int) -> Caller:
    return Caller(
        role=tariffs.GRID_ADMIN_ROLE, organisation_id=utility_id, user_id=None, client_address="127.0.6.1"
    )


def test_energy_part_by_season_and_time_band(db: Session):
    company = _company(db)
    tariff = _period(db, CLI_CALLER, company, "2025-01-01")
    weekday_morning = datetime(2025, 1, 15, 7, tzinfo=OSLO)  # a Wednesday in winter
    assert tariff.energy_rate_at(weekday_morning) == Decimal("0.41200")
    assert tariff.energy_rate_at(weekday_morning.replace(hour=22)) == Decimal("0.31200")
    assert tariff.energy_rate_at(weekday_morning.replace(hour=5)) == Decimal("0.31200")
    saturday_noon = datetime(2025, 1, 18, 12, tzinfo=OSLO)
    assert tariff.energy_rate_at(saturday_noon) == Decimal("0.31200")
    assert tariff.energy_rate_at(datetime(2025, 6, 11, 12, tzinfo=OSLO)) == Decimal("0.36500")
    assert tariff.step_for(4.99).monthly_kr == Decimal("590.00")
    assert tariff.step_for(Decimal("10")).monthly_kr == Decimal("1290.00")
    assert tariff.step_for(Decimal("10")).upper_kw is None
    assert [s.label for s in tariff.capacity_steps()][:2] == ["0–2 kW", "2–5 kW"]


def test_a_change_from_a_date_ends_the_period_before_and_keeps_its_values(db: Session):
    company = _company(db)
    old = _period(db, CLI_CALLER, company, "2025-01-01")
    _period(db, CLI_CALLER, company, "2025-03-16", fixed_monthly_kr="140", capacity_steps="0: 500\n2: 700")
    # A month spanning the change holds both periods, each on its own days.
    spanning = tariffs.grid_tariffs(db, company, date(2025, 3, 1), date(2025, 4, 1))
    assert [(t.valid_from, t.valid_to) for t in spanning] == [
        (date(2025, 1, 1), date(2025, 3, 16)),
        (date(2025, 3, 16), None),
    ]
    first, second = spanning
    assert first.holds(date(2025, 3, 15)) and not first.holds(date(2025, 3, 16))
    assert second.holds(date(2025, 3, 16))
    # The old period's prices are what they were: the change never rewrites the past.
    assert first.fixed_monthly_kr == old.fixed_monthly_kr == Decimal("125.00")
    assert first.step_for(3).monthly_kr == Decimal("590.00")
    assert second.step_for(3).monthly_kr == Decimal("700.00")
    assert tariffs.grid_tariff_on(db, company, date(2025, 2, 28)).id == old.id
    assert tariffs.grid_tariff_on(db, company, date(2024, 12, 31)) is None
    # A month before the change has the old steps only.
    february = tariffs.grid_tariffs(db, company, date(2025, 2, 1), date(2025, 3, 1))
    assert [t.id for t in february] == [old.id]


def test_a_person_changes_from_tomorrow_at_the_earliest_and_never_before_the_last_period(db: Session):
    company = _company(db)
    admin = _admin_of(company)
    with running_from(datetime(2026, 5, 10, 10, tzinfo=OSLO)):
        with pytest.raises(FieldErrors) as today:
            _period(db, admin, company, "2026-05-10")
        assert today.value.errors == {"valid_from": "tariffs.date_in_past"}
        added = _period(db, admin, company, "2026-05-11")
        assert added.valid_from == date(2026, 5, 11)
        with pytest.raises(FieldErrors) as before_last:
            _period(db, admin, company, "2026-05-11")
        assert before_last.value.errors == {"valid_from": "tariffs.date_not_after_latest"}
        # The command line may load a history, in order, but not before what is there either.
        with pytest.raises(FieldErrors):
            _period(db, CLI_CALLER, company, "2025-01-01")


def test_every_wrong_field_is_named_at_once(db: Session):
    company = _company(db)
    with pytest.raises(FieldErrors) as raised:
        _period(
            db,
            CLI_CALLER,
            company,
            "1. mai",
            fixed_monthly_kr="-3",
            capacity_steps="2: 500\n5: 700",
            energy_winter_day="abc",
            energy_summer_night="0.123456",
            day_from_hour="22",
            day_to_hour="6",
            winter_months="1,13",
        )
    assert raised.value.errors == {
        "valid_from": "tariffs.date_invalid",
        "fixed_monthly_kr": "tariffs.negative",
        "capacity_steps": "tariffs.steps_start_at_zero",
        "energy_winter_day": "tariffs.not_a_number",
        "energy_summer_night": "tariffs.too_many_decimals",
        "day_to_hour": "tariffs.hours_order",
        "winter_months": "tariffs.months_invalid",
    }
    with pytest.raises(FieldErrors) as falling:
        _period(db, CLI_CALLER, company, "2025-01-01", capacity_steps="0: 1\n5: 2\n5: 3")
    assert falling.value.errors == {"capacity_steps": "tariffs.steps_not_rising"}
    assert db.exec(select(TariffPeriod)).all() == []


def test_another_grid_companys_administrator_and_a_customer_are_refused_and_audited(db: Session):
    mine, theirs = _company(db), _company(db, org_number="987654321")
    with running_from(datetime(2026, 5, 10, 10, tzinfo=OSLO)):
        strangers = (
            _admin_of(theirs),
            Caller(role="customer", relationship_id=1),
            Caller(role="grid_staff", organisation_id=mine),
        )
        for caller in strangers:
            with pytest.raises(AccessDenied):
                _period(db, caller, mine, "2026-06-01")
            with pytest.raises(AccessDenied):
                tariffs.list_tariff_periods(db, caller, utility_id=mine)
        refusals = db.exec(select(AuditEntry).where(AuditEntry.outcome == "refused")).all()
        assert len(refusals) == 6
        assert db.exec(select(TariffPeriod)).all() == []


def test_a_change_is_audited_with_old_and_new_values(db: Session):
    company = _company(db)
    first = _period(db, CLI_CALLER, company, "2025-01-01")
    admin = _admin_of(company)
    with running_from(datetime(2026, 5, 10, 10, tzinfo=OSLO)):
        second = _period(db, admin, company, "2026-06-01", fixed_monthly_kr="150")
    added = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "tariff_period.added", AuditEntry.subject_id == str(second.id)
        )
    ).one()
    assert added.actor_role == "grid_admin" and added.client_address == "127.0.6.1"
    assert "fixed 125.00 kr/month" in added.detail.split(" -> ")[0]
    assert "fixed 150.00 kr/month" in added.detail.split(" -> ")[1]
    ended = db.exec(select(AuditEntry).where(AuditEntry.action == "tariff_period.ended")).one()
    assert ended.subject_id == str(first.id) and ended.detail == "valid_to: open -> 2026-06-01"


def test_a_period_not_yet_begun_can_be_withdrawn_and_one_begun_cannot(db: Session):
    company = _company(db)
    first = _period(db, CLI_CALLER, company, "2025-01-01")
    admin = _admin_of(company)
    with running_from(datetime(2026, 5, 10, 10, tzinfo=OSLO)):
        planned = _period(db, admin, company, "2026-07-01")
        tariffs.withdraw_tariff_period(db, admin, planned.id)
        db.commit()
        assert tariffs.grid_tariff_on(db, company, date(2026, 8, 1)).id == first.id
        assert tariffs.grid_tariff_on(db, company, date(2026, 8, 1)).valid_to is None
        with pytest.raises(FieldErrors):
            tariffs.withdraw_tariff_period(db, admin, first.id)


def test_periods_are_listed_newest_first_one_page_at_a_time(db: Session):
    company = _company(db)
    for month in range(1, 6):
        _period(db, CLI_CALLER, company, date(2025, month, 1))
    page = tariffs.list_tariff_periods(db, _admin_of(company), utility_id=company, page=1, page_size=2)
    assert page.total == 5 and [p.valid_from.month for p in page.rows] == [5, 4]
    last = tariffs.list_tariff_periods(db, _admin_of(company), utility_id=company, page=3, page_size=2)
    assert [p.valid_from.month for p in last.rows] == [1]


def test_taxes_change_on_new_year_and_are_set_by_the_administrator_only(db: Session):
    tariffs.add_tax_rate(db, CLI_CALLER, kind=TaxKind.ELECTRICITY_TAX, valid_from="2025-01-01", rate="0.1693")
    tariffs.add_tax_rate(db, CLI_CALLER, kind=TaxKind.ELECTRICITY_TAX, valid_from="2026-01-01", rate="0.0713")
    tariffs.add_tax_rate(db, CLI_CALLER, kind=TaxKind.VAT, valid_from="2025-01-01", rate="0.25")
    db.commit()
    rates = tariffs.tax_rates(db, date(2025, 12, 1), date(2026, 2, 1))
    assert rates.rate_on(TaxKind.ELECTRICITY_TAX, date(2025, 12, 31)) == Decimal("0.16930")
    assert rates.rate_on(TaxKind.ELECTRICITY_TAX, date(2026, 1, 1)) == Decimal("0.07130")
    assert rates.rate_on(TaxKind.VAT, date(2026, 1, 1)) == Decimal("0.25000")
    assert rates.rate_on(TaxKind.ENOVA_FEE, date(2026, 1, 1)) is None
    with pytest.raises(FieldErrors) as raised:
        tariffs.add_tax_rate(db, CLI_CALLER, kind="sugar_tax", valid_from="2027-01-01", rate="2")
    assert raised.value.errors == {"kind": "tariffs.tax_kind_invalid"}
    with pytest.raises(FieldErrors) as vat:
        tariffs.add_tax_rate(db, CLI_CALLER, kind=TaxKind.VAT, valid_from="2027-01-01", rate="25")
    assert vat.value.errors == {"rate": "tariffs.too_large"}
    with pytest.raises(AccessDenied):
        tariffs.add_tax_rate(
            db, _admin_of(_company(db)), kind=TaxKind.VAT, valid_from="2027-01-01", rate="0.2"
        )


def test_district_heating_price_per_mwh_and_fixed_part(db: Session):
    heat = _company(db, OrganisationKind.DISTRICT_HEATING, org_number="911111111")
    tariffs.add_heat_price(
        db, CLI_CALLER, utility_id=heat, valid_from="2025-01-01", kr_per_mwh="780", fixed_monthly_kr="95.50"
    )
    tariffs.add_heat_price(
        db,
        CLI_CALLER,
        utility_id=heat,
        valid_from="2025-07-01",
        kr_per_mwh="812.40",
        fixed_monthly_kr="95.50",
    )
    db.commit()
    prices = tariffs.heat_prices(db, heat, date(2025, 6, 1), date(2025, 8, 1))
    assert [(p.kr_per_mwh, p.valid_to) for p in prices] == [
        (Decimal("780.00"), date(2025, 7, 1)),
        (Decimal("812.40"), None),
    ]
    with pytest.raises(AccessDenied):  # a grid tariff belongs to a grid company
        _period(db, CLI_CALLER, heat, "2025-01-01")


def _migration():
    path = PROJECT_ROOT / "alembic" / "versions" / "0020_money_tariffs.py"
    spec = importlib.util.spec_from_file_location("migration_0020", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_imports_the_environments_capacity_steps_once(db: Session):
    own = _company(db, org_number="912345678")
    common = _company(db, org_number="923456789")
    _company(db, OrganisationKind.DISTRICT_HEATING, org_number="934567890")
    environ = {"CAPACITY_STEPS_912345678": "0,3,6,9", "CAPACITY_STEPS": "0,2,5,10", "PATH": "/bin"}
    written = _migration().import_capacity_steps_from_environment(db.connection(), environ)
    db.commit()
    assert written == 2
    imported = tariffs.grid_tariff_on(db, own, date(2025, 1, 1))
    assert [s.lower_kw for s in imported.steps] == [0, 3, 6, 9]
    assert imported.valid_from == date(2022, 7, 1) and imported.valid_to is None
    # The environment named no prices: unknown, never an invented 0 kr.
    assert imported.fixed_monthly_kr is None and not imported.priced
    assert {s.monthly_kr for s in imported.steps} == {None}
    assert [s.lower_kw for s in tariffs.grid_tariff_on(db, common, date(2025, 1, 1)).steps] == [0, 2, 5, 10]
    # The first priced period ends the imported one from its date.
    _period(db, CLI_CALLER, own, "2025-01-01")
    assert tariffs.grid_tariff_on(db, own, date(2024, 12, 31)).valid_to == date(2025, 1, 1)
    assert tariffs.grid_tariff_on(db, own, date(2025, 1, 1)).priced


def test_nothing_set_nothing_imported(db: Session):
    _company(db, org_number="912345678")
    assert _migration().import_capacity_steps_from_environment(db.connection(), {"HOME": "/"}) == 0


def test_a_period_with_an_end_date_leaves_a_gap_after_it(db: Session):
    company = _company(db)
    _period(db, CLI_CALLER, company, "2025-01-01", valid_to="2025-02-01")
    assert tariffs.grid_tariff_on(db, company, date(2025, 1, 31)) is not None
    assert tariffs.grid_tariff_on(db, company, date(2025, 2, 1)) is None
    with pytest.raises(FieldErrors) as raised:
        _period(db, CLI_CALLER, company, "2025-03-01", valid_to="2025-03-01")
    assert raised.value.errors == {"valid_to": "tariffs.end_before_start"}
    assert tariffs.grid_tariff_on(db, company, date(2025, 1, 1) + timedelta(days=40)) is None


def test_a_months_capacity_steps_are_those_in_force_on_its_first_day(db: Session):
    company = _company(db)
    defaults = tariffs.capacity_steps_for_month(db, company, date(2025, 1, 1))
    assert [s.lower_kw for s in defaults][:3] == [0, 2, 5]
    _period(db, CLI_CALLER, company, "2025-01-01", capacity_steps="0: 300\n3: 600\n6: 900")
    _period(db, CLI_CALLER, company, "2025-03-16", capacity_steps="0: 300\n4: 700")

    def bounds(month: date) -> list[float]:
        return [s.lower_kw for s in tariffs.capacity_steps_for_month(db, company, month)]

    # February, before the change, keeps the old steps; March began under them too; April has the new.
    assert bounds(date(2025, 2, 1)) == bounds(date(2025, 3, 1)) == [0, 3, 6]
    assert bounds(date(2025, 4, 1)) == [0, 4]
    assert bounds(date(2024, 12, 1)) == [0, 2, 5, 10, 15, 20, 25, 50, 75, 100]  # before any period
