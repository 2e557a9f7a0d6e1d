"""The encryption-key service: states."""
