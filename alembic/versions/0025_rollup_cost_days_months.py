"""stored cost roll-ups (issue 26): cost_day and cost_month, backfilled from the consumption,
prices, tariffs and taxes already stored

Revision ID: 0025_rollup_costs
Revises: 0024_transfers
Create Date: 2026-12-07 17:00:00

The kr views priced every hour of a year on every tap (1.7 s median for a year); they now read a
row per month or day, kept by app/services/consumption/cost_rollups.py. No foreign keys: derived
data rewritten in bulk, as the consumption tables (0013). Amounts are exact decimals (NUMERIC
without a scale on PostgreSQL, the decimal's text on SQLite: ``ExactMoney``), never float.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from app.models.base import ExactMoney


revision: str = "0025_rollup_costs"
down_revision: Union[str, None] = "0024_transfers"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _amounts() -> list[sa.Column]:
    return [
        sa.Column(name, ExactMoney(), nullable=False)
        for name in ("energy_kwh", "vat_kwh", "spot", "grid", "taxes")
    ]


def upgrade() -> None:
    op.create_table(
        "cost_day",
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("utility_id", sa.Integer(), nullable=False),
        sa.Column("bidding_zone", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("priced_hours", sa.Integer(), nullable=False),
        *_amounts(),
        sa.PrimaryKeyConstraint("meter_id", "day"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "cost_month",
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("utility_id", sa.Integer(), nullable=False),
        sa.Column("bidding_zone", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("capacity_basis_kw", sa.Float(), nullable=True),
        sa.Column("priced_hours", sa.Integer(), nullable=False),
        *_amounts(),
        sa.PrimaryKeyConstraint("meter_id", "month"),
        sqlite_with_rowid=False,
    )
    # The backfill (what every stored day already costs) is 0026_money_day_rates's: the roll-ups
    # it writes have that revision's columns too.


def downgrade() -> None:
    op.drop_table("cost_month")
    op.drop_table("cost_day")
