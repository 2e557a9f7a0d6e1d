"""invoice: invoices from the billing system, their PDFs under INVOICE_DIR (issue 26)

Revision ID: 0022_money_invoices
Revises: 0021_money_prices
Create Date: 2026-12-07 14:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from app.models.base import UtcDateTime


revision: str = '0022_money_invoices'
down_revision: Union[str, None] = '0021_money_prices'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('relationship_id', sa.Integer(), sa.ForeignKey('customer_relationship.id'), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('amount_kr', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('vat_kr', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=25), nullable=False),
    sa.Column('pdf_file', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('pdf_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('imported_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_invoice_invoice_number', 'invoice', ['invoice_number'], unique=True)
    op.create_index('ix_invoice_relationship_id', 'invoice', ['relationship_id'])
    op.create_index('ix_invoice_invoice_date', 'invoice', ['invoice_date'])


def downgrade() -> None:
    op.drop_index('ix_invoice_invoice_date', table_name='invoice')
    op.drop_index('ix_invoice_relationship_id', table_name='invoice')
    op.drop_index('ix_invoice_invoice_number', table_name='invoice')
    op.drop_table('invoice')
