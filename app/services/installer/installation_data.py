"""Installation data from the grid company's register into a notification: the overwrite rules.

"No" fills only the notification's empty fields, except the identifiers (EAN, technical number,
meter number), which are always overwritten; "Yes" overwrites every field the register has.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.models import PreNotification

ALWAYS_OVERWRITTEN = frozenset({"ean", "technical_number", "meter_number"})

# The API's answer (flattened) -> the notification's field.
FIELD_OF_ANSWER = {
    "meter_number": "meter_number",
    "ean": "ean",
    "technical_number": "technical_number",
    "address": "installation_address",
    "postcode": "installation_postcode",
    "city": "installation_city",
    "owner.surname": "owner_surname",
    "owner.first_name": "owner_first_name",
    "owner.address": "owner_address",
    "owner.postcode": "owner_postcode",
    "owner.city": "owner_city",
    "owner.phone": "owner_phone",
    "meter_placement": "meter_placement",
    "main_fuse": "main_fuse_before",
}
FETCHED_FIELDS = tuple(FIELD_OF_ANSWER.values())


def flatten_answer(answer: Mapping[str, object]) -> dict[str, str]:
    """The API's JSON object as notification fields (unknown keys ignored)."""
    flat: dict[str, str] = {}
    for key, field in FIELD_OF_ANSWER.items():
        value: object = answer
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value not in (None, ""):
            flat[field] = str(value)
    return flat


def is_empty_for_fetch(notification: PreNotification) -> bool:
    """No field the look-up fills has a value yet (then "overwrite: Yes" is preselected)."""
    return not any(str(getattr(notification, name) or "").strip() for name in FETCHED_FIELDS)


def apply_installation_data(
    notification: PreNotification, data: Mapping[str, str], *, overwrite: bool
) -> list[str]:
    """Write ``data`` (notification field -> value) into ``notification``; returns the fields changed."""
    changed = []
    for name, value in data.items():
        if name not in FETCHED_FIELDS or not value:
            continue
        current = str(getattr(notification, name) or "")
        may_write = overwrite or name in ALWAYS_OVERWRITTEN or not current.strip()
        if may_write and current != value:
            setattr(notification, name, value)
            changed.append(name)
    return changed
