"""Issue 21 point 10: every mail and SMS in the recipient's language, with plural forms."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.i18n import translate_count
from app.services.notify.mail import compose
from app.services.notify.sms import latest_sms_to, send_login_code

KEY_MAILS = {
    # language: (one meter, three meters) as the body says them, then the notice's subjects
    "nb": (
        "krypteringsnøkkelen for 1 måler eller konsentrator",
        "krypteringsnøklene for 3 målere eller konsentratorer",
        "En ny krypteringsnøkkel til deg",
        "Nye krypteringsnøkler til deg",
    ),
    "sv": (
        "krypteringsnyckeln för 1 mätare eller koncentrator",
        "krypteringsnycklarna för 3 mätare eller koncentratorer",
        "En ny krypteringsnyckel till dig",
        "Nya krypteringsnycklar till dig",
    ),
    "en": (
        "encryption key of 1 meter or concentrator",
        "encryption keys of 3 meters or concentrators",
        "A new encryption key for you",
        "New encryption keys for you",
    ),
}


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_read_right_mails_say_one_and_several_units_in_each_language(language):
    one, several, subject_one, subject_several = KEY_MAILS[language]
    for message_key in ("key_invitation", "key_rights_granted"):
        single = compose("a@example.org", message_key, language, link="http://x", organisation="Org", count=1)
        three = compose("a@example.org", message_key, language, link="http://x", organisation="Org", count=3)
        assert one in single.text and several in three.text
        assert several not in single.text and one not in three.text
    notice = compose("a@example.org", "key_rights_granted", language, organisation="Org", count=1)
    assert notice.subject == subject_one
    notice = compose("a@example.org", "key_rights_granted", language, organisation="Org", count=0)
    assert notice.subject == subject_several  # zero is plural in all three


def test_a_text_without_plural_forms_is_used_for_every_count():
    assert translate_count("han.sms.rejected", "en", count=1, number=1, reason="x") == (
        "HAN port order 1 was rejected: x"
    )


@pytest.mark.parametrize(
    ("language", "start"),
    [("nb", "er koden din"), ("sv", "är din kod"), ("en", "is your code")],
)
def test_the_sign_in_code_is_in_the_language_the_customer_uses(db, language, start):
    send_login_code(db, "+4791234567", "123456", language=language, config=Settings(sms_backend="console"))
    sms = latest_sms_to(db, "+4791234567")
    assert sms.body.startswith(f"123456 {start}") and sms.language == language
