"""Reflex states of the e-mail accounts (issue 13)."""
