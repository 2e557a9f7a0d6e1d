"""EAN-18 check digits, personal and organisation numbers."""

from __future__ import annotations

import pytest
from installer_factories import EAN, FODSELSNUMMER, NO_ORGNR, PERSONNUMMER, SE_ORGNR

from app.models import PartyKind
from app.services.installer.identifiers import is_valid_ean18, normalise_id_number


def test_a_metering_point_id_needs_18_digits_and_its_gs1_check_digit():
    assert is_valid_ean18(EAN)
    assert is_valid_ean18(EAN[:6] + " " + EAN[6:])
    assert not is_valid_ean18(EAN[:-1] + str((int(EAN[-1]) + 1) % 10))  # wrong check digit
    assert not is_valid_ean18(EAN[:-1])  # 17 digits
    assert not is_valid_ean18("7070575000000999A9")
    assert not is_valid_ean18("")


@pytest.mark.parametrize("number", [FODSELSNUMMER, PERSONNUMMER, "19811228-9874"])
def test_private_persons_have_a_norwegian_or_swedish_personal_number(number):
    assert normalise_id_number(PartyKind.PRIVATE, number) is not None


@pytest.mark.parametrize("number", ["15108695089", "811228-9875", "12345678901", NO_ORGNR, "abc", ""])
def test_wrong_personal_numbers_are_refused(number):
    assert normalise_id_number(PartyKind.PRIVATE, number) is None


@pytest.mark.parametrize("number", [NO_ORGNR, SE_ORGNR, "556036-0793"])
def test_companies_have_an_organisation_number(number):
    assert normalise_id_number(PartyKind.COMPANY, number) is not None


@pytest.mark.parametrize("number", ["988077918", "5560360794", FODSELSNUMMER])
def test_wrong_organisation_numbers_are_refused(number):
    assert normalise_id_number(PartyKind.COMPANY, number) is None
