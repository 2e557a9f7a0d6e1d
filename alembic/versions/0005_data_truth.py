"""data truth: HAN and billing-grade readings kept apart, reading status, interval values,
duplicate counter

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 01:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The source joins the key: a HAN reading no longer takes a billing-grade reading's slot.
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      server_default='measured', nullable=False))
        batch_op.drop_constraint('uq_reading_point', type_='unique')
        batch_op.create_unique_constraint('uq_reading_point', ['meter_id', 'register_code', 'ts', 'source'])

    with op.batch_alter_table('ingest_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('readings_duplicate', sa.BigInteger(), server_default='0',
                                      nullable=False))

    op.create_table('interval_reading',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('register_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('period_start', sa.BigInteger(), nullable=False),
    sa.Column('period_seconds', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meter_id', 'register_code', 'period_start', name='uq_interval_point')
    )


def downgrade() -> None:
    op.drop_table('interval_reading')
    with op.batch_alter_table('ingest_source', schema=None) as batch_op:
        batch_op.drop_column('readings_duplicate')
    # Where a HAN and a billing-grade reading share an instant, the HAN one has to go.
    op.execute(
        "DELETE FROM reading WHERE source = 'han' AND EXISTS (SELECT 1 FROM reading AS other "
        "WHERE other.meter_id = reading.meter_id AND other.register_code = reading.register_code "
        "AND other.ts = reading.ts AND other.source <> 'han')"
    )
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reading_point', type_='unique')
        batch_op.create_unique_constraint('uq_reading_point', ['meter_id', 'register_code', 'ts'])
        batch_op.drop_column('status')
