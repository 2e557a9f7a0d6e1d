"""The notification form's fields: which exist, which are mandatory, which are missing.

Personal and organisation numbers are write-only fields: never read back into the form.
"""

from __future__ import annotations

from app.models import PreNotification

PARTY_FIELDS = (
    "kind",
    "surname",
    "first_name",
    "care_of",
    "address",
    "postcode",
    "city",
    "phone",
    "email",
    "invoice_reference",
)
INSTALLATION_FIELDS = (
    "installation_address",
    "installation_postcode",
    "installation_city",
    "meter_number",
    "ean",
    "technical_number",
)
WORK_FIELDS = ("meter_placement", "main_fuse_before", "main_fuse_after", "description")
TEXT_FIELDS: tuple[str, ...] = (
    *INSTALLATION_FIELDS,
    *(f"owner_{name}" for name in PARTY_FIELDS),
    *(f"billing_{name}" for name in PARTY_FIELDS),
    *WORK_FIELDS,
)
# The form field of each party's number, and the column that holds it sealed.
ID_NUMBER_FIELDS = {
    "owner_id_number": "owner_id_number_sealed",
    "billing_id_number": "billing_id_number_sealed",
}

REQUIRED_FIELDS: tuple[str, ...] = (
    "installation_address",
    "installation_postcode",
    "installation_city",
    "owner_surname",
    "owner_address",
    "owner_postcode",
    "owner_city",
    "owner_id_number",
    "billing_surname",
    "billing_address",
    "billing_postcode",
    "billing_city",
    # Mandatory in Elsmart's manual (its own example of a field marked red).
    "meter_placement",
    "main_fuse_after",
)


def missing_fields(notification: PreNotification) -> list[str]:
    """The mandatory fields still empty, in form order."""
    missing = []
    for name in REQUIRED_FIELDS:
        if name in ID_NUMBER_FIELDS:
            filled = bool(getattr(notification, ID_NUMBER_FIELDS[name]))
        else:
            filled = bool(str(getattr(notification, name) or "").strip())
        if not filled:
            missing.append(name)
    return missing


def form_values(notification: PreNotification) -> dict[str, str]:
    """What the installer's form shows: every text field, and whether each number is on file."""
    values = {name: str(getattr(notification, name) or "") for name in TEXT_FIELDS}
    for name, column in ID_NUMBER_FIELDS.items():
        values[f"{name}_stored"] = "1" if getattr(notification, column) else ""
    return values
