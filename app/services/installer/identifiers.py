"""Identifiers on a pre-notification: metering point ID (EAN-18), personal and organisation numbers."""

from __future__ import annotations

from stdnum import ean
from stdnum.no import fodselsnummer
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.se import personnummer

from app.models import PartyKind


def compact_digits(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def is_valid_ean18(text: str) -> bool:
    """An 18-digit GSRN/EAN with a correct GS1 check digit."""
    value = compact_digits(text)
    # stdnum's ean.validate knows only 8-14 digits; the GS1 check digit is the same for 18.
    return len(value) == 18 and value.isdigit() and ean.calc_check_digit(value[:-1]) == value[-1]


def normalise_id_number(kind: str, text: str) -> str | None:
    """The number in compact form when it is a valid number of that kind of party, else None.

    A private person: a Norwegian fødselsnummer (11 digits) or a Swedish personnummer. A company:
    a Norwegian (9 digits) or Swedish (10 digits) organisation number.
    """
    value = text.strip()
    if not value:
        return None
    validators = (fodselsnummer, personnummer) if kind == PartyKind.PRIVATE else (no_orgnr, se_orgnr)
    for module in validators:
        if module.is_valid(value):
            return module.compact(value)
    return None
