"""Tariffs as data with validity periods (issue 24): tariff_period with its capacity steps and
energy rates, tax_rate (electricity tax, Enova fee, VAT), heat_price; and the capacity-tariff
steps of the environment (CAPACITY_STEPS_<org number>, CAPACITY_STEPS) imported once, as each
grid company's first period, after which the environment variables are no longer read.

Revision ID: 0020_money_tariffs
Revises: 0020_gridadmin_settings
Create Date: 2026-12-07 13:35:32
"""
import os
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from app.models.base import UtcDateTime


revision: str = '0020_money_tariffs'
down_revision: Union[str, None] = '0020_gridadmin_settings'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The Norwegian capacity tariff began on 1 July 2022: the imported steps hold from then.
CAPACITY_TARIFF_START = date(2022, 7, 1)


def _created_by():
    return sa.Column('created_by_user_id', sa.Integer(), sa.ForeignKey('user.id'), nullable=True)


def upgrade() -> None:
    op.create_table('tariff_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('utility_id', sa.Integer(), sa.ForeignKey('organisation.id'), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('fixed_monthly_kr', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('day_from_hour', sa.Integer(), nullable=False),
    sa.Column('day_to_hour', sa.Integer(), nullable=False),
    sa.Column('weekend_is_night', sa.Boolean(), nullable=False),
    sa.Column('winter_months', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    _created_by(),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_tariff_period_utility_id', 'tariff_period', ['utility_id'])
    op.create_table('tariff_capacity_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), sa.ForeignKey('tariff_period.id'), nullable=False),
    sa.Column('lower_kw', sa.Numeric(precision=10, scale=3), nullable=False),
    sa.Column('monthly_kr', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_tariff_capacity_step_period_id', 'tariff_capacity_step', ['period_id'])
    op.create_table('tariff_energy_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), sa.ForeignKey('tariff_period.id'), nullable=False),
    sa.Column('season', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('band', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('kr_per_kwh', sa.Numeric(precision=12, scale=5), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_tariff_energy_rate_period_id', 'tariff_energy_rate', ['period_id'])
    op.create_table('tax_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('rate', sa.Numeric(precision=12, scale=5), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    _created_by(),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_tax_rate_kind', 'tax_rate', ['kind'])
    op.create_table('heat_price',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('utility_id', sa.Integer(), sa.ForeignKey('organisation.id'), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('kr_per_mwh', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fixed_monthly_kr', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    _created_by(),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_heat_price_utility_id', 'heat_price', ['utility_id'])
    import_capacity_steps_from_environment(op.get_bind(), os.environ)


def _bounds(raw: str) -> list[Decimal]:
    return sorted({Decimal(v.strip()) for v in raw.split(',') if v.strip()})


def import_capacity_steps_from_environment(connection, environ) -> int:
    """Each grid company's steps from CAPACITY_STEPS_<org number>, else CAPACITY_STEPS, as its
    first tariff period (from 1 July 2022, open-ended). The environment named kW bounds only: the
    step prices and the fixed part stay unknown (NULL, never an invented 0 kr) and the period has
    no energy rates, until the grid company adds its first priced period. Companies with neither
    variable set get no period: the portal then uses the default steps. Returns the number of
    periods written."""
    prefix = 'CAPACITY_STEPS_'
    by_org = {name.removeprefix(prefix): value for name, value in environ.items()
              if name.startswith(prefix) and value.strip()}
    common = environ.get('CAPACITY_STEPS', '').strip()
    if not by_org and not common:
        return 0
    organisation = sa.table('organisation', sa.column('id'), sa.column('kind'), sa.column('org_number'))
    period = sa.table('tariff_period', sa.column('id'), sa.column('utility_id'), sa.column('valid_from'),
                      sa.column('valid_to'), sa.column('fixed_monthly_kr', sa.Numeric(12, 2)),
                      sa.column('day_from_hour'),
                      sa.column('day_to_hour'), sa.column('weekend_is_night'), sa.column('winter_months'),
                      sa.column('created_at', UtcDateTime(timezone=True)))
    step = sa.table('tariff_capacity_step', sa.column('period_id'), sa.column('lower_kw', sa.Numeric(10, 3)),
                    sa.column('monthly_kr', sa.Numeric(12, 2)))
    companies = connection.execute(
        sa.select(organisation.c.id, organisation.c.org_number).where(organisation.c.kind == 'grid_company')
    ).all()
    written = 0
    for company_id, org_number in companies:
        raw = (org_number and by_org.get(org_number)) or common
        if not raw:
            continue
        result = connection.execute(period.insert().values(
            utility_id=company_id, valid_from=CAPACITY_TARIFF_START, valid_to=None,
            fixed_monthly_kr=None, day_from_hour=6, day_to_hour=22, weekend_is_night=True,
            winter_months='1,2,3', created_at=datetime.now(timezone.utc),
        ).returning(period.c.id))
        period_id = result.scalar_one()
        connection.execute(step.insert(), [
            {'period_id': period_id, 'lower_kw': lower, 'monthly_kr': None} for lower in _bounds(raw)
        ])
        written += 1
    return written


def downgrade() -> None:
    op.drop_index('ix_heat_price_utility_id', table_name='heat_price')
    op.drop_table('heat_price')
    op.drop_index('ix_tax_rate_kind', table_name='tax_rate')
    op.drop_table('tax_rate')
    op.drop_index('ix_tariff_energy_rate_period_id', table_name='tariff_energy_rate')
    op.drop_table('tariff_energy_rate')
    op.drop_index('ix_tariff_capacity_step_period_id', table_name='tariff_capacity_step')
    op.drop_table('tariff_capacity_step')
    op.drop_index('ix_tariff_period_utility_id', table_name='tariff_period')
    op.drop_table('tariff_period')
