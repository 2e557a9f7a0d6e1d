"""The one exception a decoder raises for bad input."""


class DecodeError(ValueError):
    """Input that is not a valid frame; the message is a short human reason ("FCS mismatch")."""
