"""ingest_source: the worker behind each source (host, group, client id), its messages, spool depth,
heartbeat and last database outage (issue 25: several workers on several hosts)

Revision ID: 0016_worker
Revises: 0015_sec_accounts
Create Date: 2026-12-07 11:05:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0016_worker'
down_revision: Union[str, None] = '0015_sec_accounts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('ingest_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=120),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('group_name', sqlmodel.sql.sqltypes.AutoString(length=120),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=120),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('messages', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('spool_depth', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('heartbeat_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('outage_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outage_ended_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ingest_source', schema=None) as batch_op:
        for column in ('outage_ended_at', 'outage_started_at', 'heartbeat_seconds', 'spool_depth',
                       'last_message_at', 'messages', 'client_id', 'group_name', 'host'):
            batch_op.drop_column(column)
