"""Svenska: the encryption-key service."""

TEXT: dict[str, str] = {
    "keys.invalid_key": "Nyckeln måste vara 16 byte (32 hexadecimala tecken).",
    "keys.invalid_serial": "Ogiltigt serienummer.",
    "keys.invalid_system_title": "Systemtiteln måste vara 8 byte.",
    "keys.duplicate_serial": "Det finns redan nycklar för {serial}.",
    "keys.bad_csv": "Filen måste ha kolumnerna serial och key.",
}
