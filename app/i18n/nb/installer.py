"""Norsk bokmål: the installer portal and the processing of pre-notifications."""

TEXT: dict[str, str] = {
}
