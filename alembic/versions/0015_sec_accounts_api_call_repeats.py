"""Installation API log: repeats of unauthenticated calls are counted on one row

Revision ID: 0015_sec_accounts
Revises: 0014
Create Date: 2026-12-07 11:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0015_sec_accounts'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('installation_api_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeats', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('last_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_installation_api_call_client_address'),
                              ['client_address'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('installation_api_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installation_api_call_client_address'))
        batch_op.drop_column('last_at')
        batch_op.drop_column('repeats')
