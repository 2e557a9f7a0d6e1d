"""Norsk bokmål: the encryption-key service."""

TEXT: dict[str, str] = {
    "keys.invalid_key": "Nøkkelen må være 16 byte (32 heksadesimale tegn).",
    "keys.invalid_serial": "Ugyldig serienummer.",
    "keys.invalid_system_title": "Systemtittelen må være 8 byte.",
    "keys.duplicate_serial": "Det finnes allerede nøkler for {serial}.",
    "keys.bad_csv": "Filen må ha kolonnene serial og key.",
}
