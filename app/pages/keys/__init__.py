"""The encryption-key service: pages."""
