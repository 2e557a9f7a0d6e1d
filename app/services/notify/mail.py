"""E-mail: composing a message in the recipient's language, and handing it to ``MAIL_BACKEND``.

Services never send mail themselves: they queue it in the outbox (``notify.outbox.queue_mail``)
in the transaction of their decision, and the background sender (``notify.sender``) delivers it
here, with retries.

- ``console`` (laptop default): the message is printed in the server's terminal; the outbox row
  stays readable (``latest_mail_to``).
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
from app.i18n import translate, translate_count
from app.models import OutboxChannel, OutboxMessage
from app.services.errors import DomainError

log = logging.getLogger(__name__)

CONSOLE = "console"
SMTP = "smtp"
_TIMEOUT_SECONDS = 15.0


class MailDeliveryError(DomainError):
    """The e-mail could not be handed to the mail server; ``permanent`` when trying again is useless."""

    def __init__(self, key: str, *, permanent: bool = False, detail: str = ""):
        super().__init__(key)
        self.permanent = permanent
        self.detail = detail


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def public_link(path: str, *, config: Settings | None = None) -> str:
    """An absolute link into the portal, built from ``PUBLIC_URL``."""
    return (config or settings).public_url.rstrip("/") + "/" + path.lstrip("/")


def compose(to: str, message_key: str, language: str, *, link: str | None = None, **params: object) -> Mail:
    """A message from the ``mail.<message_key>.subject`` / ``.body`` texts.

    The body is plain text with paragraphs separated by blank lines; ``{link}`` is
    appended as its own paragraph (and as an anchor in the HTML part). With a ``count``
    parameter subject and body take their plural forms (``.one`` / ``.other``) where they have them.
    """
    count = params.get("count")
    text = translate_count if isinstance(count, int) else translate
    subject = text(f"mail.{message_key}.subject", language, **params)  # type: ignore[operator]
    body = text(f"mail.{message_key}.body", language, **params)  # type: ignore[operator]
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


def deliver_mail(mail: Mail, *, config: Settings | None = None) -> str:
    """Hand ``mail`` to the configured backend now; returns the backend's name.

    Only the outbox's sender calls this. Raises ``MailDeliveryError`` (``permanent`` when the
    server refused the recipient for good).
    """
    config = config or settings
    if config.mail_backend == SMTP:
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=_TIMEOUT_SECONDS) as smtp:
                if config.smtp_starttls:
                    smtp.starttls()
                if config.smtp_user:
                    smtp.login(config.smtp_user, config.smtp_password)
                smtp.send_message(_message(mail, config.mail_from))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            log.error("e-mail to %s refused: %s", mail.to, codes)
            raise MailDeliveryError(
                "mail.failed",
                permanent=all(500 <= code < 600 for code in codes),
                detail=f"recipient refused {codes}",
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            log.error("e-mail to %s failed: %s", mail.to, error)
            raise MailDeliveryError("mail.failed", detail=str(error) or type(error).__name__) from error
        log.info("e-mail to %s handed to %s:%s", mail.to, config.smtp_host, config.smtp_port)
        return SMTP
    if config.mail_backend != CONSOLE:
        log.warning("Unknown MAIL_BACKEND %r: using console", config.mail_backend)
    log.info("e-mail (console) to %s: %s\n%s", mail.to, mail.subject, mail.text)
    print(f"--- e-mail to {mail.to}: {mail.subject}\n{mail.text}---", flush=True)
    return CONSOLE


def latest_mail_to(db: Session, to: str) -> OutboxMessage | None:
    """The newest e-mail to ``to`` in the outbox (queued or sent): what a developer and tests read."""
    return db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.channel == OutboxChannel.MAIL.value)
        .where(OutboxMessage.recipient == to.strip().lower())
        .order_by(col(OutboxMessage.id).desc())
    ).first()
