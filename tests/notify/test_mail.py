"""E-mail through a real local SMTP server (aiosmtpd), and the console backend."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.services.notify.mail import MailDeliveryError, compose, deliver_mail, latest_mail_to
from app.services.notify.outbox import queue_mail
from app.services.notify.sender import send_due_messages
from tests.smtp_sink import html_part, link_in, running_smtp_sink, text_part


def test_smtp_delivers_plain_text_and_html_in_the_recipients_language(db):
    link = "http://portal.example/konto/aktiver?token=abc"
    with running_smtp_sink() as sink:
        deliver_mail(compose("ada@example.org", "activation", "sv", link=link), config=sink.settings())
        message = sink.wait_for("ada@example.org")
    assert message["Subject"] == "Slutför din registrering"
    assert message["From"] == Settings().mail_from
    assert link_in(message) == link
    assert "Hej," in text_part(message)
    html = html_part(message)
    assert f'href="{link.replace("&", "&amp;")}"' in html and 'lang="sv"' in html


def test_smtp_failure_is_a_message_fit_to_show(db):
    with running_smtp_sink() as sink:
        config = sink.settings()
    # The server is stopped now: nothing listens on its port.
    with pytest.raises(MailDeliveryError) as caught:
        deliver_mail(compose("ada@example.org", "activation", "en", link="http://x/y"), config=config)
    assert caught.value.message("en") == "The e-mail could not be sent. Please try again shortly."
    assert not caught.value.permanent  # the sender tries again


def test_console_backend_prints_the_message_and_the_outbox_keeps_it(db, engine, capsys):
    queue_mail(db, "bo@example.org", "password_reset", "nb", link="http://x/reset")
    db.commit()
    assert send_due_messages(engine, Settings(mail_backend="console")).sent == 1
    kept = latest_mail_to(db, "BO@example.org ")
    assert kept is not None and kept.subject == "Velg nytt passord" and kept.status == "sent"
    assert "http://x/reset" in kept.body and "http://x/reset" in kept.html_body
    assert "http://x/reset" in capsys.readouterr().out


def test_html_part_escapes_what_a_person_typed(db):
    mail = compose("bo@example.org", "access_declined", "en", reason="<script>alert(1)</script>")
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<script>alert(1)</script>" in mail.text
