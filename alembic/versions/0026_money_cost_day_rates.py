"""cost_day keeps what each hour of the day was priced at (issue 26): the kr day view and today's
part of the current month's estimate price the day's hours from these, the hours' kWh and the
spot prices, instead of reading the tariffs, taxes and the month's peaks per tap

Revision ID: 0026_money_day_rates
Revises: 0025_rollup_costs
Create Date: 2026-12-07 20:30:00

The new columns are NULL on a row priced before them (the view then prices the day as it did);
the backfill recomputes every stored cost (``rebuild_all_costs``), which fills them. It is also
the backfill of 0025, which now leaves that to this revision (its rows would lack the columns).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlmodel import Session

from app.models.base import ExactMoney


revision: str = "0026_money_day_rates"
down_revision: Union[str, None] = "0025_rollup_costs"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_AMOUNTS = ("energy_rate_day", "energy_rate_night", "capacity_kr", "fixed_kr", "duty_rate", "vat_rate")
_HOURS = ("day_band_from", "day_band_to")


def upgrade() -> None:
    for name in _AMOUNTS:
        op.add_column("cost_day", sa.Column(name, ExactMoney(), nullable=True))
    for name in _HOURS:
        op.add_column("cost_day", sa.Column(name, sa.Integer(), nullable=True))
    from app.services.consumption.cost_rollups import rebuild_all_costs

    with Session(bind=op.get_bind()) as db:
        rebuild_all_costs(db)


def downgrade() -> None:
    with op.batch_alter_table("cost_day") as batch:
        for name in (*_AMOUNTS, *_HOURS):
            batch.drop_column(name)
