"""encryption-key service: unit columns, read rights, staged imports, re-authentication (issue 14)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 04:30:00

meter_key becomes the service's unit: manufacturer, model, medium and a kept count of readers,
with one (owner, column, serial) index per sortable column so a list page is an index range
scan. key_read_right holds who may see which unit's keys; key_import_batch/key_import_row hold
a checked key file until it is confirmed (good rows sealed like meter_key, never in plaintext).
user_session.authenticated_at says when the person last proved who they are.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_LIST_INDEXES = (
    ('ix_meter_key_owner_serial', ['owner_id', 'serial']),
    ('ix_meter_key_owner_kind', ['owner_id', 'kind', 'serial']),
    ('ix_meter_key_owner_model', ['owner_id', 'model', 'serial']),
    ('ix_meter_key_owner_medium', ['owner_id', 'medium', 'serial']),
    ('ix_meter_key_owner_readers', ['owner_id', 'reader_count', 'serial']),
    ('ix_meter_key_owner_updated', ['owner_id', 'updated_at', 'serial']),
)


def upgrade() -> None:
    with op.batch_alter_table('meter_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('medium', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reader_count', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('meter_key', schema=None) as batch_op:
        for name, columns in _LIST_INDEXES:
            batch_op.create_index(name, columns, unique=False)
    # Units linked to a meter take its model and medium; the maker is the serial's letters.
    op.execute(
        "UPDATE meter_key SET"
        " model = COALESCE((SELECT meter.model FROM meter WHERE meter.id = meter_key.meter_id), ''),"
        " medium = COALESCE((SELECT meter.medium FROM meter WHERE meter.id = meter_key.meter_id), '')"
        " WHERE meter_id IS NOT NULL"
    )
    op.execute("UPDATE meter_key SET manufacturer = UPPER(SUBSTR(serial, 1, 3)) WHERE serial LIKE 'KAM%'")

    op.create_table('key_read_right',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_user_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['meter_key.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'user_id', name='uq_key_read_right')
    )
    with op.batch_alter_table('key_read_right', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_read_right_user_id'), ['user_id'], unique=False)

    op.create_table('key_import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('file_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('good', sa.Integer(), nullable=False),
    sa.Column('bad', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('key_import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_import_batch_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('key_import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('medium', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('system_title', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('encryption_key_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('authentication_key_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('wrapped_data_key', sa.LargeBinary(), nullable=True),
    sa.Column('master_key_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['key_import_batch.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('key_import_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_import_row_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authenticated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('authenticated_at')
    with op.batch_alter_table('key_import_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_import_row_batch_id'))
    op.drop_table('key_import_row')
    with op.batch_alter_table('key_import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_import_batch_organisation_id'))
    op.drop_table('key_import_batch')
    with op.batch_alter_table('key_read_right', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_read_right_user_id'))
    op.drop_table('key_read_right')
    with op.batch_alter_table('meter_key', schema=None) as batch_op:
        for name, _ in _LIST_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column('reader_count')
        batch_op.drop_column('medium')
        batch_op.drop_column('model')
        batch_op.drop_column('manufacturer')
