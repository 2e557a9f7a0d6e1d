"""Issue 21 point 10: an installer's mails are in the language they use the portal in."""

from __future__ import annotations

import pytest
from installer_factories import sent_for_approval

from app.models import NotificationStatus, User
from app.services.accounts.language import remember_language
from app.services.installer.processing import decide
from app.services.notify.mail import latest_mail_to

EXPECTED = {
    "nb": (
        "Foranmelding {n}: Godkjent",
        "Nettselskapet har behandlet foranmelding {n}. Ny status: Godkjent.",
    ),
    "sv": ("Anmälan {n}: Godkänd", "Nätbolaget har behandlat anmälan {n}. Ny status: Godkänd."),
    "en": (
        "Pre-notification {n}: Approved",
        "The grid company has processed pre-notification {n}. New status: Approved.",
    ),
}


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_the_decision_mail_is_in_the_installers_language(db, world, language):
    remember_language(db, world.installer.user_id, language)  # they switched, or signed in, in it
    number = sent_for_approval(db, world)
    decide(db, world.staff, number, NotificationStatus.APPROVED)  # staff work in bokmål
    db.commit()
    mail = latest_mail_to(db, world.installer_email)
    subject, sentence = (text.format(n=number) for text in EXPECTED[language])
    assert mail.subject == subject and sentence in mail.body and mail.language == language
    assert f'lang="{language}"' in mail.html_body


def test_only_a_known_language_is_remembered(db, world):
    remember_language(db, world.installer.user_id, "sv")
    remember_language(db, world.installer.user_id, "de")
    remember_language(db, None, "en")
    assert db.get(User, world.installer.user_id).language == "sv"
