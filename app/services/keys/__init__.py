"""The encryption-key service: sealed meter keys, units, read rights, imports, exports."""
