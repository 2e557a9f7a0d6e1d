"""A grid company's own settings (issue 24): the HAN port service (fee, pickup, target in working
days), the log of setting changes, owner vs tenant and the end of a customer relationship, the
promised date of a HAN order, and installation-API tokens issued by a grid company

Revision ID: 0020_gridadmin_settings
Revises: 0019_sec_keys
Create Date: 2026-12-07 13:50:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0020_gridadmin_settings'
down_revision: Union[str, None] = '0019_sec_keys'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'han_service_settings',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('grid_company_id', sa.Integer(), sa.ForeignKey('organisation.id'), nullable=False),
        sa.Column('post_fee', sa.Numeric(10, 2), nullable=False, server_default='0'),
        sa.Column('pickup_address', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('pickup_hours', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('completion_days', sa.Integer(), nullable=False, server_default='5'),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_han_service_settings_grid_company_id', 'han_service_settings', ['grid_company_id'],
                    unique=True)
    op.create_table(
        'setting_change',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('grid_company_id', sa.Integer(), sa.ForeignKey('organisation.id'), nullable=False),
        sa.Column('area', sa.String(length=20), nullable=False),
        sa.Column('subject', sa.String(length=120), nullable=False, server_default=''),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('old_value', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('new_value', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('actor_user_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True),
        sa.Column('actor_role', sa.String(length=32), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_setting_change_grid_company_id', 'setting_change', ['grid_company_id'])
    op.create_index('ix_setting_change_at', 'setting_change', ['at'])
    with op.batch_alter_table('customer_relationship', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_owner', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('han_port_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_han_port_order_due_on', ['due_on'])
    with op.batch_alter_table('installer_api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grid_company_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_installer_api_token_grid_company', 'organisation',
                                    ['grid_company_id'], ['id'])
        batch_op.create_index('ix_installer_api_token_grid_company_id', ['grid_company_id'])


def downgrade() -> None:
    with op.batch_alter_table('installer_api_token', schema=None) as batch_op:
        batch_op.drop_index('ix_installer_api_token_grid_company_id')
        batch_op.drop_constraint('fk_installer_api_token_grid_company', type_='foreignkey')
        batch_op.drop_column('grid_company_id')
    with op.batch_alter_table('han_port_order', schema=None) as batch_op:
        batch_op.drop_index('ix_han_port_order_due_on')
        batch_op.drop_column('due_on')
    with op.batch_alter_table('customer_relationship', schema=None) as batch_op:
        batch_op.drop_column('ended_at')
        batch_op.drop_column('is_owner')
    op.drop_index('ix_setting_change_at', 'setting_change')
    op.drop_index('ix_setting_change_grid_company_id', 'setting_change')
    op.drop_table('setting_change')
    op.drop_index('ix_han_service_settings_grid_company_id', 'han_service_settings')
    op.drop_table('han_service_settings')
