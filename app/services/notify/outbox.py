"""The transactional outbox: a notification is a row written in the decision's own transaction.

A service that decides something (approves a pre-notification, completes a HAN order, grants
read rights, answers an access request) queues its mail or SMS here, in the recipient's
language, with the same ``db`` session: the decision and the message commit together or not at
all, and neither waits for a mail server. ``notify.sender`` delivers what is queued. Only sign-in
codes skip the outbox (``notify.sms.send_login_code``): the person is waiting for them.
"""

from __future__ import annotations

from sqlmodel import Session

from app.clock import utcnow
from app.i18n import translate, translate_count
from app.models import OutboxChannel, OutboxMessage, OutboxStatus
from app.services.notify.mail import compose


def queue_mail(
    db: Session,
    to: str,
    message_key: str,
    language: str,
    *,
    organisation_id: int | None = None,
    link: str | None = None,
    **params: object,
) -> OutboxMessage:
    """Queue the ``mail.<message_key>`` message to ``to``, written in ``language`` (the recipient's)."""
    mail = compose(to.strip().lower(), message_key, language, link=link, **params)
    return _queue(
        db,
        OutboxMessage(
            channel=OutboxChannel.MAIL.value,
            kind=message_key,
            recipient=mail.to,
            language=language,
            subject=mail.subject,
            body=mail.text,
            html_body=mail.html,
            organisation_id=organisation_id,
        ),
    )


def queue_sms(
    db: Session,
    to: str,
    message_key: str,
    language: str,
    *,
    organisation_id: int | None = None,
    **params: object,
) -> OutboxMessage:
    """Queue the SMS ``message_key`` to the E.164 number ``to``, in ``language`` (the recipient's).

    With a ``count`` parameter the text takes its plural form (``key.one`` / ``key.other``).
    """
    count = params.get("count")
    body = (
        translate_count(message_key, language, **params)
        if isinstance(count, int)
        else translate(message_key, language, **params)
    )
    return _queue(
        db,
        OutboxMessage(
            channel=OutboxChannel.SMS.value,
            kind=message_key,
            recipient=to,
            language=language,
            body=body,
            organisation_id=organisation_id,
        ),
    )


def _queue(db: Session, message: OutboxMessage) -> OutboxMessage:
    message.status = OutboxStatus.PENDING.value
    message.next_attempt_at = utcnow()
    db.add(message)
    db.flush()
    return message
