"""Svenska: HAN port orders."""

TEXT: dict[str, str] = {
    "han.no_meter": "Kundförhållandet har ingen aktiv mätare.",
    "han.consent_required": "Samtycke måste ges innan HAN-data sparas.",
}
