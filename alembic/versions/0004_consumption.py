"""consumption: hourly interval values and daily/monthly roll-ups in local time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('consumption_hour',
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('hour_start', sa.BigInteger(), nullable=False),
    sa.Column('energy_kwh', sa.Float(), nullable=True),
    sa.Column('power_mean_kw', sa.Float(), nullable=True),
    sa.Column('power_max_kw', sa.Float(), nullable=True),
    sa.Column('quality', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.PrimaryKeyConstraint('meter_id', 'hour_start'),
    sqlite_with_rowid=False,
    )
    op.create_table('consumption_day',
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('energy_kwh', sa.Float(), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('measured_hours', sa.Integer(), nullable=False),
    sa.Column('estimated_hours', sa.Integer(), nullable=False),
    sa.Column('missing_hours', sa.Integer(), nullable=False),
    sa.Column('max_hour_kwh', sa.Float(), nullable=True),
    sa.Column('max_hour_start', sa.BigInteger(), nullable=True),
    sa.Column('power_max_kw', sa.Float(), nullable=True),
    sa.Column('peak_hour_start', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.PrimaryKeyConstraint('meter_id', 'day'),
    sqlite_with_rowid=False,
    )
    op.create_table('consumption_month',
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('energy_kwh', sa.Float(), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('measured_hours', sa.Integer(), nullable=False),
    sa.Column('estimated_hours', sa.Integer(), nullable=False),
    sa.Column('missing_hours', sa.Integer(), nullable=False),
    sa.Column('power_max_kw', sa.Float(), nullable=True),
    sa.Column('peak_hour_start', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.PrimaryKeyConstraint('meter_id', 'month'),
    sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('consumption_month')
    op.drop_table('consumption_day')
    op.drop_table('consumption_hour')
