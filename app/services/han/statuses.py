"""A HAN port order's statuses and the moves between them.

Received -> in progress (staff take it) -> completed; staff may reject a received or an
in-progress order (with a reason); the customer may cancel one that is still only received.
"""

from __future__ import annotations

from app.models import HanOrderStatus as S
from app.services.case_status import StatusMachine

HAN_ORDER_STATUSES = StatusMachine.of(
    "han_port_order",
    {
        S.RECEIVED: {S.IN_PROGRESS, S.REJECTED, S.CANCELLED},
        S.IN_PROGRESS: {S.COMPLETED, S.REJECTED},
    },
)

# An order in one of these blocks a new order for the same meter.
OPEN_STATUSES = frozenset({S.RECEIVED, S.IN_PROGRESS})
ALL_STATUSES = tuple(S)
