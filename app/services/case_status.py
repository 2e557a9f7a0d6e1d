"""A case's status machine: which status may follow which, and nothing else.

Shared by the cases of several areas (pre-notifications now, HAN port orders next): each
defines its statuses and allowed moves once, and every change goes through ``check``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.services.errors import DomainError


class IllegalTransition(DomainError):
    """A move the case's status machine does not allow from its current status."""


@dataclass(frozen=True)
class StatusMachine:
    """``moves`` maps each status to the statuses that may follow it."""

    name: str
    moves: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, moves: Mapping[str, Iterable[str]]) -> StatusMachine:
        return cls(
            name, {str(source): frozenset(str(t) for t in targets) for source, targets in moves.items()}
        )

    def allowed(self, current: str, target: str) -> bool:
        return str(target) in self.moves.get(str(current), frozenset())

    def next_statuses(self, current: str) -> frozenset[str]:
        return self.moves.get(str(current), frozenset())

    def check(self, current: str, target: str) -> None:
        """Raise ``IllegalTransition`` unless ``current`` may become ``target``."""
        if not self.allowed(current, target):
            raise IllegalTransition(
                "case.illegal_transition", machine=self.name, current=str(current), target=str(target)
            )
