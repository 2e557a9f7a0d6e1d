"""A case's status as a badge: its words for people, its value in ``data-status`` for scripts and tests."""

from __future__ import annotations

import reflex as rx


def status_badge(label: rx.Var | str, status: rx.Var | str, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.badge(label, high_contrast=True, variant="soft", data_status=status, **props)
