"""Job types are named in bokmål, Swedish and English; each reader sees their own (issue 21.10)."""

from __future__ import annotations

import pytest
from installer_factories import World
from sqlmodel import Session

from app.models import JobType
from app.services.installer import catalogue

NAMES = ("Anlegg med én måler", "Anläggning med en mätare", "Installation with one meter")


@pytest.mark.parametrize(("language", "shown"), list(zip(("nb", "sv", "en"), NAMES, strict=True)))
def test_the_installer_chooses_among_job_types_in_their_language(db: Session, world: World, language, shown):
    job = db.get(JobType, world.job_type)
    job.name, job.name_sv, job.name_en = NAMES
    db.commit()
    choices = catalogue.job_types(db, world.installer, world.grid, world.installation_type, language)
    assert [choice.label for choice in choices] == [shown]


def test_a_job_type_not_yet_named_in_a_language_shows_its_bokmal_name(db: Session, world: World):
    job = db.get(JobType, world.job_type)
    job.name, job.name_sv, job.name_en = "Byggestrøm", "", ""
    db.commit()
    assert catalogue.job_type_name(job, "sv") == catalogue.job_type_name(job, "en") == "Byggestrøm"
    assert catalogue.job_type_name(job, "xx") == "Byggestrøm"
