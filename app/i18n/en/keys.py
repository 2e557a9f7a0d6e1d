"""English: the encryption-key service."""

TEXT: dict[str, str] = {
    "keys.invalid_key": "The key must be 16 bytes (32 hex digits).",
    "keys.invalid_serial": "Invalid serial number.",
    "keys.invalid_system_title": "The system title must be 8 bytes.",
    "keys.duplicate_serial": "Keys for {serial} already exist.",
    "keys.bad_csv": "The file needs the columns serial and key.",
}
