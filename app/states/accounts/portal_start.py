"""Start pages of the portals built on e-mail accounts (their content comes in later issues)."""

from __future__ import annotations

import reflex as rx

from app.models import Role
from app.states.session import SessionState


class PortalStartState(SessionState):
    @rx.event
    def load_keys(self) -> None:
        self._require(Role.DISTRIBUTOR, Role.KEY_READER, handler="load_keys")

    @rx.event
    def load_installer(self) -> None:
        self._require(Role.INSTALLER, handler="load_installer")
