"""Norsk bokmål: HAN port orders."""

TEXT: dict[str, str] = {
    "han.no_meter": "Kundeforholdet har ingen aktiv måler.",
    "han.consent_required": "Samtykke må gis før HAN-data lagres.",
}
