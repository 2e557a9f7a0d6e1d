"""meter_key, key_import_row: a wireless M-Bus unit's version and device type, when its key file
names them, so the worker's key look-up is exact on the whole identity the meter sends
(maker code + id + version + type; issue 20, finding 2)

Revision ID: 0019_sec_keys
Revises: 0018_titles_roles
Create Date: 2026-12-07 11:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0019_sec_keys'
down_revision: Union[str, None] = '0018_titles_roles'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ('meter_key', 'key_import_row')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('wmbus_version', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('wmbus_device_type', sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('wmbus_device_type')
            batch_op.drop_column('wmbus_version')
