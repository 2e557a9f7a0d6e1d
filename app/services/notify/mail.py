"""E-mail delivery with a backend chosen by ``MAIL_BACKEND``.

- ``console`` (laptop default): the message is logged and kept in the ``mail_outbox`` table,
  which tests and developers read with ``latest_mail_to``.
- ``smtp``: ``SMTP_HOST``/``SMTP_PORT``, optional ``SMTP_USER``/``SMTP_PASSWORD`` and
  ``SMTP_STARTTLS``, sender ``MAIL_FROM``.

Every message has a plain-text and an HTML part, written in the recipient's language.
"""

from __future__ import annotations

import html
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlmodel import Session, col, select

from app.config import Settings, settings
from app.i18n import translate
from app.models import MailOutboxEntry
from app.services.errors import DomainError

log = logging.getLogger(__name__)

CONSOLE = "console"
SMTP = "smtp"
_TIMEOUT_SECONDS = 15.0


class MailDeliveryError(DomainError):
    """The e-mail could not be handed to the mail server."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def public_link(path: str, *, config: Settings | None = None) -> str:
    """An absolute link into the portal, built from ``PUBLIC_URL``."""
    return (config or settings).public_url.rstrip("/") + "/" + path.lstrip("/")


def compose(
    to: str, message_key: str, language: str, *, link: str | None = None, **params: object
) -> Mail:
    """A message from the ``mail.<message_key>.subject`` / ``.body`` texts.

    The body is plain text with paragraphs separated by blank lines; ``{link}`` is
    appended as its own paragraph (and as an anchor in the HTML part).
    """
    subject = translate(f"mail.{message_key}.subject", language, **params)
    body = translate(f"mail.{message_key}.body", language, **params)
    greeting = translate("mail.greeting", language)
    closing = translate("mail.closing", language)
    paragraphs = [greeting, *body.split("\n\n")]
    text = "\n\n".join([*paragraphs, *([link] if link else []), closing]) + "\n"
    html_paragraphs = [f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs]
    if link:
        html_paragraphs.append(f'<p><a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></p>')
    html_paragraphs.append(f"<p>{html.escape(closing)}</p>")
    lang = html.escape(language, quote=True)
    html_body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head><body>{''.join(html_paragraphs)}</body></html>"
    )
    return Mail(to=to, subject=subject, text=text, html=html_body)


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send_mail(db: Session, mail: Mail, *, config: Settings | None = None) -> str:
    """Send ``mail`` with the configured backend; returns the backend's name."""
    config = config or settings
    if config.mail_backend == SMTP:
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=_TIMEOUT_SECONDS) as smtp:
                if config.smtp_starttls:
                    smtp.starttls()
                if config.smtp_user:
                    smtp.login(config.smtp_user, config.smtp_password)
                smtp.send_message(_message(mail, config.mail_from))
        except (OSError, smtplib.SMTPException) as error:
            log.error("e-mail to %s failed: %s", mail.to, error)
            raise MailDeliveryError("mail.failed") from error
        log.info("e-mail to %s handed to %s:%s", mail.to, config.smtp_host, config.smtp_port)
        return SMTP
    if config.mail_backend != CONSOLE:
        log.warning("Unknown MAIL_BACKEND %r: using console", config.mail_backend)
    db.add(MailOutboxEntry(to=mail.to, subject=mail.subject, text_body=mail.text, html_body=mail.html))
    db.flush()
    log.info("e-mail (console) to %s: %s\n%s", mail.to, mail.subject, mail.text)
    print(f"--- e-mail to {mail.to}: {mail.subject}\n{mail.text}---", flush=True)
    return CONSOLE


def latest_mail_to(db: Session, to: str) -> MailOutboxEntry | None:
    """The newest message the console backend "sent" to ``to``."""
    return db.exec(
        select(MailOutboxEntry)
        .where(MailOutboxEntry.to == to.strip().lower())
        .order_by(col(MailOutboxEntry.id).desc())
    ).first()
