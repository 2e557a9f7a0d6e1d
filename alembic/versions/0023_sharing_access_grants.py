"""access_grant: a customer relationship shared with another mobile for a while; user_session
knows its own relationship and the mobile its SMS code proved (issue 27)

Revision ID: 0023_sharing_grants
Revises: 0022_money_invoices
Create Date: 2026-12-07 13:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



revision: str = '0023_sharing_grants'
down_revision: Union[str, None] = '0022_money_invoices'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'access_grant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('relationship_id', sa.Integer(), nullable=False),
        sa.Column('grantee_mobile', sa.String(length=20), nullable=False),
        sa.Column('may_see_consumption', sa.Boolean(), nullable=False),
        sa.Column('may_see_invoices', sa.Boolean(), nullable=False),
        sa.Column('until_date', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('granted_by_user_id', sa.Integer(), nullable=True),
        sa.Column('granted_by_session_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('given_back_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_seen_on', sa.Date(), nullable=True),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['relationship_id'], ['customer_relationship.id']),
        sa.ForeignKeyConstraint(['granted_by_user_id'], ['user.id']),
        sa.ForeignKeyConstraint(['granted_by_session_id'], ['user_session.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_access_grant_relationship_id', 'access_grant', ['relationship_id'])
    op.create_index('ix_access_grant_grantee_mobile', 'access_grant', ['grantee_mobile'])
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('own_relationship_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(
            'fk_user_session_own_relationship', 'customer_relationship',
            ['own_relationship_id'], ['id'],
        )
    # A session signed in before this revision was on its own relationship.
    op.execute('UPDATE user_session SET own_relationship_id = relationship_id')


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_session_own_relationship', type_='foreignkey')
        batch_op.drop_column('mobile')
        batch_op.drop_column('own_relationship_id')
    op.drop_index('ix_access_grant_grantee_mobile', table_name='access_grant')
    op.drop_index('ix_access_grant_relationship_id', table_name='access_grant')
    op.drop_table('access_grant')
