"""installer portal: firms' authorisations, job types, grid areas, pre-notifications, notes,
status transitions, the installation register and the installation API's tokens and call log (issue 15)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 04:17:17

The six installation types are reference data: inserted here, named in the UI text.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INSTALLATION_TYPES = (
    'new_installation', 'service_change', 'fuse_change', 'existing_installation',
    'temporary_installation', 'extension',
)


def upgrade() -> None:
    installation_type = op.create_table('installation_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.bulk_insert(installation_type, [
        {'code': code, 'sort_order': number}
        for number, code in enumerate(INSTALLATION_TYPES, start=1)
    ])
    op.create_table('grid_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_company_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.ForeignKeyConstraint(['grid_company_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('grid_company_id', 'code', name='uq_grid_area_code')
    )
    with op.batch_alter_table('grid_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_area_grid_company_id'), ['grid_company_id'], unique=False)

    op.create_table('installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_company_id', sa.Integer(), nullable=False),
    sa.Column('meter_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ean', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('technical_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('owner_surname', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner_first_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('owner_city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('owner_phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('meter_placement', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('main_fuse', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['grid_company_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('installation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installation_ean'), ['ean'], unique=True)
        batch_op.create_index(batch_op.f('ix_installation_grid_company_id'), ['grid_company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_installation_meter_number'), ['meter_number'], unique=True)

    op.create_table('installer_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('installer_firm_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['installer_firm_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('installer_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installer_api_token_installer_firm_id'), ['installer_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_installer_api_token_token_hash'), ['token_hash'], unique=True)

    op.create_table('installer_authorisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('installer_firm_id', sa.Integer(), nullable=False),
    sa.Column('grid_company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grid_company_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['installer_firm_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('installer_firm_id', 'grid_company_id', name='uq_installer_authorisation')
    )
    with op.batch_alter_table('installer_authorisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installer_authorisation_grid_company_id'), ['grid_company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_installer_authorisation_installer_firm_id'), ['installer_firm_id'], unique=False)

    op.create_table('job_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_company_id', sa.Integer(), nullable=False),
    sa.Column('installation_type_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['grid_company_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['installation_type_id'], ['installation_type.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_type_grid_company_id'), ['grid_company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_type_installation_type_id'), ['installation_type_id'], unique=False)

    op.create_table('installation_api_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('installer_firm_id', sa.Integer(), nullable=True),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installer_firm_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['token_id'], ['installer_api_token.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('installation_api_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installation_api_call_token_id'), ['token_id'], unique=False)

    op.create_table('pre_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('installer_firm_id', sa.Integer(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('grid_company_id', sa.Integer(), nullable=False),
    sa.Column('installation_type_id', sa.Integer(), nullable=False),
    sa.Column('job_type_id', sa.Integer(), nullable=False),
    sa.Column('grid_area_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('installation_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('installation_postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('installation_city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('meter_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ean', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('technical_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('owner_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('owner_surname', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner_first_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner_care_of', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('owner_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('owner_city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('owner_id_number_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('owner_phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('owner_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('owner_invoice_reference', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('billing_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('billing_surname', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('billing_first_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('billing_care_of', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('billing_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('billing_postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('billing_city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('billing_id_number_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('billing_phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('billing_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('billing_invoice_reference', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('meter_placement', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('main_fuse_before', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('main_fuse_after', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['grid_area_id'], ['grid_area.id'], ),
    sa.ForeignKeyConstraint(['grid_company_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['installation_type_id'], ['installation_type.id'], ),
    sa.ForeignKeyConstraint(['installer_firm_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['job_type_id'], ['job_type.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pre_notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pre_notification_created_by_user_id'), ['created_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_notification_ean'), ['ean'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_notification_grid_area_id'), ['grid_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_notification_grid_company_id'), ['grid_company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_notification_installer_firm_id'), ['installer_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_notification_meter_number'), ['meter_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pre_notification_status'), ['status'], unique=False)

    op.create_table('notification_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('author_role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['notification_id'], ['pre_notification.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_note_notification_id'), ['notification_id'], unique=False)

    op.create_table('notification_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['notification_id'], ['pre_notification.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_transition_notification_id'), ['notification_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notification_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_transition_notification_id'))

    op.drop_table('notification_transition')
    with op.batch_alter_table('notification_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_note_notification_id'))

    op.drop_table('notification_note')
    with op.batch_alter_table('pre_notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pre_notification_status'))
        batch_op.drop_index(batch_op.f('ix_pre_notification_meter_number'))
        batch_op.drop_index(batch_op.f('ix_pre_notification_installer_firm_id'))
        batch_op.drop_index(batch_op.f('ix_pre_notification_grid_company_id'))
        batch_op.drop_index(batch_op.f('ix_pre_notification_grid_area_id'))
        batch_op.drop_index(batch_op.f('ix_pre_notification_ean'))
        batch_op.drop_index(batch_op.f('ix_pre_notification_created_by_user_id'))

    op.drop_table('pre_notification')
    with op.batch_alter_table('installation_api_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installation_api_call_token_id'))

    op.drop_table('installation_api_call')
    with op.batch_alter_table('job_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_type_installation_type_id'))
        batch_op.drop_index(batch_op.f('ix_job_type_grid_company_id'))

    op.drop_table('job_type')
    with op.batch_alter_table('installer_authorisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installer_authorisation_installer_firm_id'))
        batch_op.drop_index(batch_op.f('ix_installer_authorisation_grid_company_id'))

    op.drop_table('installer_authorisation')
    with op.batch_alter_table('installer_api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installer_api_token_token_hash'))
        batch_op.drop_index(batch_op.f('ix_installer_api_token_installer_firm_id'))

    op.drop_table('installer_api_token')
    with op.batch_alter_table('installation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installation_meter_number'))
        batch_op.drop_index(batch_op.f('ix_installation_grid_company_id'))
        batch_op.drop_index(batch_op.f('ix_installation_ean'))

    op.drop_table('installation')
    with op.batch_alter_table('grid_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_area_grid_company_id'))

    op.drop_table('grid_area')
    op.drop_table('installation_type')
