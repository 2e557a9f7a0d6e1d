"""SMS delivery with a backend chosen by ``SMS_BACKEND``.

Only sign-in codes are sent at once (``send_login_code``); every other SMS is queued in the
outbox (``notify.outbox.queue_sms``) with the decision it tells of, and the background sender
delivers it here (``deliver_sms``).

- ``console`` (laptop default): the message is printed in the server's terminal; sign-in codes
  are kept in the outbox as sent messages, which tests and developers read with ``latest_sms_to``.
- ``twilio``: the real ``twilio`` client. Login codes go through the Verify API when
  ``TWILIO_VERIFY_SERVICE_SID`` is set (Twilio then makes and checks the code), otherwise through
  the Messaging API from ``TWILIO_FROM_NUMBER``. ``TWILIO_API_BASE`` points the client at another
  host (a local stand-in in tests): every Twilio URL keeps its path and gets that scheme and host.

Twilio errors are logged with their code and become a ``SmsDeliveryError`` fit to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlmodel import Session, col, select
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from app.clock import utcnow
from app.config import Settings, settings
from app.i18n import translate
from app.models import OutboxChannel, OutboxMessage, OutboxStatus
from app.services.deployment_checks import DeploymentError, check_sms_backend
from app.services.errors import DomainError
from app.services.mobile_numbers import parse_mobile
from app.services.notify.dev_console import show_development_message

log = logging.getLogger(__name__)

CONSOLE = "console"
TWILIO = "twilio"
# How the code of a login challenge is checked.
PROVIDER_LOCAL = "local"
PROVIDER_TWILIO_VERIFY = "twilio_verify"

# Twilio error codes -> message keys. https://www.twilio.com/docs/api/errors
_INVALID_NUMBER_CODES = {21211, 21214, 21217, 21401, 21407, 21408, 21610, 21612, 21614, 60200, 60205}
_BUSY_CODES = {20429, 14107, 60203, 60212}
_TIMEOUT_SECONDS = 10.0


class SmsDeliveryError(DomainError):
    """The SMS could not be sent; ``provider_code`` is Twilio's error code when there is one."""

    def __init__(self, key: str, *, provider_code: int | None = None, field: str | None = None):
        super().__init__(key, field=field)
        self.provider_code = provider_code

    @property
    def permanent(self) -> bool:
        """Trying again is useless: the number cannot receive SMS."""
        return self.key == "sms.invalid_number"


@dataclass(frozen=True)
class SmsReceipt:
    backend: str
    provider_id: str | None = None


def _config(config: Settings | None) -> Settings:
    return config or settings


# ---------------------------------------------------------------- twilio client


class RedirectingHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending every request to ``base`` instead of *.twilio.com."""

    def __init__(self, base: str, *, timeout: float = _TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(base.rstrip("/"))
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        url = urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def twilio_client(config: Settings | None = None) -> Client:
    config = _config(config)
    if not (config.twilio_account_sid and config.twilio_auth_token):
        log.error("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        raise SmsDeliveryError("sms.failed")
    http_client = (
        RedirectingHttpClient(config.twilio_api_base)
        if config.twilio_api_base
        else TwilioHttpClient(timeout=_TIMEOUT_SECONDS)
    )
    return Client(
        config.twilio_account_sid,
        config.twilio_auth_token,
        http_client=http_client,
        environment={},
    )


def _delivery_error(error: Exception, to: str) -> SmsDeliveryError:
    if isinstance(error, TwilioRestException):
        code = int(error.code) if error.code is not None else None
        log.error(
            "Twilio refused an SMS to %s: HTTP %s, code %s: %s",
            _masked(to),
            error.status,
            code,
            str(error.msg).replace(to, _masked(to)),
        )
        if code in _INVALID_NUMBER_CODES:
            return SmsDeliveryError("sms.invalid_number", provider_code=code, field="mobile")
        if code in _BUSY_CODES or error.status == 429:
            return SmsDeliveryError("sms.busy", provider_code=code)
        return SmsDeliveryError("sms.failed", provider_code=code)
    log.error("SMS to %s failed: %s", _masked(to), error)
    return SmsDeliveryError("sms.failed")


def _masked(to: str) -> str:
    return "…" + to[-3:]


# ---------------------------------------------------------------- sending


def deliver_sms(to: str, body: str, *, config: Settings | None = None) -> SmsReceipt:
    """Send ``body`` to the E.164 number ``to`` now, with the configured backend.

    Called by the outbox's sender and for sign-in codes; nothing else sends an SMS at once.
    """
    config = _config(config)
    if config.sms_backend == TWILIO:
        try:
            message = twilio_client(config).messages.create(to=to, from_=config.twilio_from_number, body=body)
        except (TwilioException, OSError) as error:
            raise _delivery_error(error, to) from error
        log.info("SMS to %s accepted by Twilio as %s", _masked(to), message.sid)
        return SmsReceipt(TWILIO, message.sid)
    try:
        check_sms_backend(config)  # never fall back to the console: it logs codes and numbers
    except DeploymentError as error:
        log.error("SMS not sent: %s", error)
        raise SmsDeliveryError("sms.failed") from error
    log.info("SMS (console) to %s: %s", to, body)
    show_development_message("SMS", to, body)
    return SmsReceipt(CONSOLE)


def send_login_code(
    db: Session, to: str, code: str, *, language: str = "nb", config: Settings | None = None
) -> str:
    """Deliver a sign-in code; returns who checks it: ``local`` or ``twilio_verify``.

    With the Verify API, Twilio makes its own code (``code`` is not sent) and checks it.
    """
    config = _config(config)
    if config.sms_backend == TWILIO and config.twilio_verify_service_sid:
        try:
            verification = (
                twilio_client(config)
                .verify.v2.services(config.twilio_verify_service_sid)
                .verifications.create(to=to, channel="sms", locale=language)
            )
        except (TwilioException, OSError) as error:
            raise _delivery_error(error, to) from error
        log.info("Verify code to %s started as %s", _masked(to), verification.sid)
        return PROVIDER_TWILIO_VERIFY
    body = translate("sms.login_code", language, code=code)
    receipt = deliver_sms(to, body, config=config)
    if receipt.backend == CONSOLE:  # a laptop: kept, already sent, for the developer and tests
        now = utcnow()
        db.add(
            OutboxMessage(
                channel=OutboxChannel.SMS.value,
                kind="login_code",
                recipient=to,
                language=language,
                body=body,
                status=OutboxStatus.SENT.value,
                attempts=1,
                next_attempt_at=now,
                sent_at=now,
            )
        )
        db.flush()
    return PROVIDER_LOCAL


def check_login_code(to: str, code: str, *, config: Settings | None = None) -> bool:
    """Ask Twilio's Verify API whether ``code`` is the one it sent to ``to``."""
    config = _config(config)
    try:
        check = (
            twilio_client(config)
            .verify.v2.services(config.twilio_verify_service_sid)
            .verification_checks.create(to=to, code=code)
        )
    except TwilioRestException as error:
        if error.status == 404:  # no pending verification: expired, used or never sent
            return False
        raise _delivery_error(error, to) from error
    except (TwilioException, OSError) as error:
        raise _delivery_error(error, to) from error
    return check.status == "approved"


# ---------------------------------------------------------------- reading the outbox


def latest_sms_to(db: Session, mobile: str) -> OutboxMessage | None:
    """The newest SMS to ``mobile`` (E.164 or as typed) in the outbox, queued or sent.

    Sign-in codes are there only with the console backend (a laptop, tests).
    """
    to = parse_mobile(mobile) or mobile
    return db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.channel == OutboxChannel.SMS.value)
        .where(OutboxMessage.recipient == to)
        .order_by(col(OutboxMessage.id).desc())
    ).first()
