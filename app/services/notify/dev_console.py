"""Development output: messages the console backends "send" are shown in the server's terminal.

The dev server configures no logging for the app, so a log line would never reach the person
running `make run`; the message is printed to standard error, framed and marked so that nobody
takes it for a delivered message.
"""

from __future__ import annotations

import sys

_RULE = "-" * 64


def show_development_message(channel: str, to: str, body: str) -> None:
    """Print ``body`` addressed to ``to`` as clearly marked development output."""
    print(
        f"\n{_RULE}\n[DEVELOPMENT {channel} - not sent, {channel}_BACKEND=console]\n"
        f"To: {to}\n{body}\n{_RULE}",
        file=sys.stderr,
        flush=True,
    )
