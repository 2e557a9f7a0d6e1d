"""The overwrite rules of "Fetch installation data"."""

from __future__ import annotations

from app.models import PreNotification
from app.services.installer.installation_data import (
    apply_installation_data,
    flatten_answer,
    is_empty_for_fetch,
)

FETCHED = {
    "meter_number": "M-NEW",
    "ean": "707057500000099999",
    "technical_number": "T-NEW",
    "installation_address": "Ny gate 2",
    "installation_city": "Oslo",
    "owner_surname": "Ny",
    "main_fuse_before": "25",
}


def _filled() -> PreNotification:
    return PreNotification(
        installer_firm_id=1,
        grid_company_id=1,
        installation_type_id=1,
        job_type_id=1,
        grid_area_id=1,
        meter_number="M-OLD",
        ean="707057500000090002",
        technical_number="T-OLD",
        installation_address="Gammel gate 1",
        owner_surname="Gammel",
    )


def test_no_fills_only_empty_fields_but_always_the_identifiers():
    row = _filled()
    changed = apply_installation_data(row, FETCHED, overwrite=False)
    assert (row.meter_number, row.ean, row.technical_number) == ("M-NEW", "707057500000099999", "T-NEW")
    assert row.installation_address == "Gammel gate 1" and row.owner_surname == "Gammel"
    assert row.installation_city == "Oslo" and row.main_fuse_before == "25"
    assert set(changed) == {
        "meter_number",
        "ean",
        "technical_number",
        "installation_city",
        "main_fuse_before",
    }


def test_yes_overwrites_every_fetched_field():
    row = _filled()
    apply_installation_data(row, FETCHED, overwrite=True)
    assert row.installation_address == "Ny gate 2" and row.owner_surname == "Ny"
    assert row.meter_number == "M-NEW"


def test_empty_fetched_values_never_blank_a_field_and_unknown_fields_are_ignored():
    row = _filled()
    changed = apply_installation_data(row, {"installation_address": "", "reject_reason": "x"}, overwrite=True)
    assert changed == [] and row.installation_address == "Gammel gate 1" and row.reject_reason == ""


def test_yes_is_preselected_only_for_an_empty_notification():
    empty = PreNotification(
        installer_firm_id=1, grid_company_id=1, installation_type_id=1, job_type_id=1, grid_area_id=1
    )
    assert is_empty_for_fetch(empty)
    assert not is_empty_for_fetch(_filled())


def test_the_api_answer_maps_onto_the_form_and_carries_no_number():
    answer = {
        "meter_number": "M",
        "ean": "E",
        "address": "A",
        "owner": {"surname": "S", "phone": "P"},
        "main_fuse": "25",
        "owner_id_number": "15108695088",
    }
    assert flatten_answer(answer) == {
        "meter_number": "M",
        "ean": "E",
        "installation_address": "A",
        "owner_surname": "S",
        "owner_phone": "P",
        "main_fuse_before": "25",
    }
