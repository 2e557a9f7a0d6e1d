"""Reflex page functions: layout and wiring only."""
