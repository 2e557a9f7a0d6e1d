"""Mobile numbers: parsed and normalised to E.164 with ``phonenumbers`` (default region NO)."""

from __future__ import annotations

import phonenumbers

from app.services.errors import DomainError

DEFAULT_REGION = "NO"
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def parse_mobile(raw: str | None, *, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of ``raw`` if it is a valid mobile number, else None."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_mobile(raw: str | None, *, field: str = "mobile") -> str:
    """E.164 of ``raw``; a field error when it is not a valid mobile number."""
    e164 = parse_mobile(raw)
    if e164 is None:
        raise DomainError("mobile.invalid", field=field)
    return e164


def mask_mobile(e164: str) -> str:
    """Every digit masked except the last three: ``+4791234567`` -> ``+•••••••567``."""
    digits = e164.lstrip("+")
    return "+" * e164.startswith("+") + "•" * max(len(digits) - 3, 0) + digits[-3:]
