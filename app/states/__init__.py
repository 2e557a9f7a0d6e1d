"""Reflex State classes, one module per area."""
