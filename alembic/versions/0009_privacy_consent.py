"""privacy consent: which version of the privacy terms a customer accepted, and when

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 01:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('privacy_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('terms_version', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['relationship_id'], ['customer_relationship.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_privacy_consent_customer_id'), 'privacy_consent', ['customer_id'], unique=False)
    op.create_index(op.f('ix_privacy_consent_relationship_id'), 'privacy_consent', ['relationship_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_privacy_consent_relationship_id'), table_name='privacy_consent')
    op.drop_index(op.f('ix_privacy_consent_customer_id'), table_name='privacy_consent')
    op.drop_table('privacy_consent')
