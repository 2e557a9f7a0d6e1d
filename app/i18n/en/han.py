"""English: HAN port orders."""

TEXT: dict[str, str] = {
    "han.no_meter": "The customer relationship has no active meter.",
    "han.consent_required": "Consent is needed before HAN data is stored.",
}
