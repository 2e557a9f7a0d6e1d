"""Job types named in Swedish and English beside bokmål (issue 21.10)

Revision ID: 0018_titles_roles
Revises: 0017_outbox
Create Date: 2026-12-07 11:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0018_titles_roles'
down_revision: Union[str, None] = '0017_outbox'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The demo's job types, named in Swedish and English (databases made before this migration);
# a grid company's own names are theirs to add.
DEMO_NAMES = {
    "Anlegg med én måler": ("Anläggning med en mätare", "Installation with one meter"),
    "Anlegg med flere målere": ("Anläggning med flera mätare", "Installation with several meters"),
    "Flytting av inntak": ("Flytt av anslutningspunkt", "Moving the service entrance"),
    "Økning av inntakskabel": ("Grövre servisledning", "Larger service cable"),
    "Økning av hovedsikring": ("Höjning av huvudsäkring", "Larger main fuse"),
    "Reduksjon av hovedsikring": ("Sänkning av huvudsäkring", "Smaller main fuse"),
    "Arbeid i eksisterende anlegg": ("Arbete i befintlig anläggning", "Work in an existing installation"),
    "Byggestrøm": ("Byggström", "Construction site power"),
    "Utvidelse av anlegg": ("Utökning av anläggning", "Extension of an installation"),
}


def upgrade() -> None:
    with op.batch_alter_table('job_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sv', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), server_default='', nullable=False))
    job_type = sa.table('job_type', sa.column('name', sa.String), sa.column('name_sv', sa.String),
                        sa.column('name_en', sa.String))
    for name, (swedish, english) in DEMO_NAMES.items():
        op.execute(job_type.update().where(job_type.c.name == name)
                   .values(name_sv=swedish, name_en=english))


def downgrade() -> None:
    with op.batch_alter_table('job_type', schema=None) as batch_op:
        batch_op.drop_column('name_en')
        batch_op.drop_column('name_sv')
