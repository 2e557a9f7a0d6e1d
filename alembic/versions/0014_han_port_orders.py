"""HAN port orders: han_port_order, han_order_event, and the HAN port's last known state on meter

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 08:10:00

A partial unique index keeps at most one open (received or in progress) order per meter.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0014'
down_revision: Union[str, None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN_ORDER_CONDITION = "status IN ('received', 'in_progress')"


def upgrade() -> None:
    with op.batch_alter_table('meter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('han_port_state', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('han_port_changed_on', sa.Date(), nullable=True))

    op.create_table('han_port_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('grid_company_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('delivery', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('delivery_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('handled_by_user_id', sa.Integer(), nullable=True),
    sa.Column('port_state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], ),
    sa.ForeignKeyConstraint(['relationship_id'], ['customer_relationship.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['grid_company_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['handled_by_user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('han_port_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_han_port_order_meter_id'), ['meter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_han_port_order_relationship_id'), ['relationship_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_han_port_order_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_han_port_order_grid_company_id'), ['grid_company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_han_port_order_status'), ['status'], unique=False)
    op.create_index(
        'uq_han_port_order_open_meter', 'han_port_order', ['meter_id'], unique=True,
        sqlite_where=sa.text(OPEN_ORDER_CONDITION), postgresql_where=sa.text(OPEN_ORDER_CONDITION),
    )

    op.create_table('han_order_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['han_port_order.id'], ),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('han_order_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_han_order_event_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    op.drop_table('han_order_event')
    op.drop_index('uq_han_port_order_open_meter', table_name='han_port_order')
    op.drop_table('han_port_order')
    with op.batch_alter_table('meter', schema=None) as batch_op:
        batch_op.drop_column('han_port_changed_on')
        batch_op.drop_column('han_port_state')
