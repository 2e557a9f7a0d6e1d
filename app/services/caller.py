"""Who is calling: the one object every service takes and the audit log records.

Resolved on the server from the session token (never from the browser), or made for the
command line and the ingestion worker, which act as themselves.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, replace

from app.models import Role

CLI_ROLE = "cli"
WORKER_ROLE = "ingest_worker"
# The default of ``Caller.own_relationship_id``: the relationship the caller is on.
OWN_IS_CURRENT = -1


@dataclass(frozen=True, slots=True)
class Caller:
    """A person signed in (role, account, organisation, session) or a process (role only).

    ``role`` is a ``Role`` for people and ``CLI_ROLE``/``WORKER_ROLE`` for processes.
    ``relationship_id`` is the customer relationship a customer's session is on.
    ``own_relationship_id`` is the one the session proved itself (invoice data + SMS code); a
    caller made for a relationship owns it unless told otherwise (``OWN_IS_CURRENT``).
    ``mobile`` is the mobile (E.164) access grants are matched on: the account's, else the one
    the sign-in code went to. Access itself is decided by ``customer.visibility``.
    ``client_address`` is the browser's address, or ``user@host`` of a process's OS account.
    """

    role: str
    user_id: int | None = None
    organisation_id: int | None = None
    session_id: int | None = None
    relationship_id: int | None = None
    client_address: str | None = None
    own_relationship_id: int | None = OWN_IS_CURRENT
    mobile: str | None = None

    def __post_init__(self) -> None:
        if self.own_relationship_id == OWN_IS_CURRENT:
            object.__setattr__(self, "own_relationship_id", self.relationship_id)

    def is_role(self, *roles: Role) -> bool:
        """Whether the caller holds one of ``roles`` (a grid-company administrator is its staff too)."""
        return self.role in roles or (self.role == Role.GRID_ADMIN and Role.GRID_STAFF in roles)

    def as_user(self, user_id: int | None) -> Caller:
        """The same caller once their account is known (a customer who just created one)."""
        return replace(self, user_id=user_id)


def os_operator() -> str:
    """`user@host` of the OS account running this process, for the audit log."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a bare container)
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"[:64]


def process_caller(role: str = CLI_ROLE) -> Caller:
    """The CLI operator (or the worker process): its role, OS user and host."""
    return Caller(role=role, client_address=os_operator())


CLI_CALLER = Caller(role=CLI_ROLE)
WORKER_CALLER = Caller(role=WORKER_ROLE)
