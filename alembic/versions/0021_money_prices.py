"""Spot prices per bidding zone and hour (issue 26), and each metering point's bidding zone and
its supplier's mark-up on the customer relationship.

Revision ID: 0021_money_prices
Revises: 0020_money_tariffs
Create Date: 2026-12-07 13:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from app.models.base import UtcDateTime


revision: str = '0021_money_prices'
down_revision: Union[str, None] = '0020_money_tariffs'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('spot_price',
    sa.Column('zone', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('hour_start', sa.BigInteger(), nullable=False),
    sa.Column('kr_per_kwh', sa.Numeric(precision=12, scale=5), nullable=False),
    sa.Column('imported_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('zone', 'hour_start'),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('customer_relationship', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bidding_zone', sqlmodel.sql.sqltypes.AutoString(length=3),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('supplier_markup_kr_per_kwh', sa.Numeric(precision=12, scale=5),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customer_relationship', schema=None) as batch_op:
        batch_op.drop_column('supplier_markup_kr_per_kwh')
        batch_op.drop_column('bidding_zone')
    op.drop_table('spot_price')
