"""The overview card's texts, written once: for the live page (``CustomerState``) and for its
first paint before React and the websocket are ready (``app/first_paint_api.py``)."""

from __future__ import annotations

from app.i18n import translate
from app.i18n.numbers import format_number
from app.i18n.times import format_local_time
from app.services.customer.relationships import CustomerOverview

# The card's facts in the order the page shows them: (label key, field).
OVERVIEW_FACTS = (
    ("customer.address", "address"),
    ("customer.installation_number", "installation_number"),
    ("customer.metering_point_id", "metering_point_id"),
    ("customer.meter", "meter_serial"),
    ("customer.last_reading", "last_reading"),
)


def overview_fields(overview: CustomerOverview, language: str) -> dict[str, str]:
    """Name, address, installation, metering point, meter and last reading, as shown."""
    reading = overview.last_reading
    return {
        "name": overview.name,
        "address": f"{overview.address}, {overview.postcode} {overview.city}",
        "installation_number": overview.installation_number,
        "metering_point_id": overview.metering_point_id,
        "meter_serial": overview.meter_serial or "",
        "last_reading": f"{format_number(reading.value, 1, language)} {reading.unit}" if reading else "",
        "last_reading_at": format_local_time(reading.at, language) if reading else "",
    }


def overview_facts(overview: CustomerOverview, language: str) -> dict[str, object]:
    """The card as label/value pairs, the last reading with its time as the page writes it."""
    fields = overview_fields(overview, language)
    reading = (
        f"{fields['last_reading']} ({fields['last_reading_at']})"
        if fields["last_reading"]
        else translate("customer.no_reading", language)
    )
    shown = {**fields, "last_reading": reading}
    return {
        "name": fields["name"],
        "facts": [[translate(label, language), shown[field]] for label, field in OVERVIEW_FACTS],
    }
