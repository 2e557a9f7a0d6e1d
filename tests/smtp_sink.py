"""A real SMTP server on a free local port (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from app.config import Settings
from tests.local_servers import free_port

LINK = re.compile(r"https?://\S+")


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def settings(self, **extra) -> Settings:
        return Settings(mail_backend="smtp", smtp_host=self.host, smtp_port=self.port, **extra)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> EmailMessage:
        """The ``count``-th message to ``address``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self.to(address)
            if len(received) >= count:
                return received[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no message {count} to {address}; got {[m['To'] for m in self.messages]}")


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def link_in(message: EmailMessage) -> str:
    found = LINK.findall(text_part(message))
    assert found, text_part(message)
    return found[-1]


@contextmanager
def running_smtp_sink(sink: SmtpSink | None = None) -> Iterator[SmtpSink]:
    """A server on a free port; given a ``sink`` again, the same server back on its port."""
    sink = sink or SmtpSink(port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
