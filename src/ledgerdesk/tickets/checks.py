"""Checks that ticket writes share: text within its limit, a ticket still open, an agent
acting. Each raises a typed domain error with a message a person can act on."""

from __future__ import annotations

import re

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import InvalidInput, NotPermitted, TicketClosed
from ledgerdesk.core.text import clean
from ledgerdesk.tickets.models import Message, Status, Ticket

MAX_SUBJECT = 300
MAX_BODY = 50_000
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class DuplicateMessage(Exception):
    """A message with this client id is already on the ticket. Not a ``DomainError``: the
    caller rolls back what it started and answers with ``.message`` (its seq), as if the
    resend had been the first."""

    def __init__(self, message: Message) -> None:
        super().__init__(f"Message {message.id} already has this client id")
        self.message = message


def check_client_id(value: str | None) -> str | None:
    """A sender's message id: 8 to 64 letters, digits, ``_`` or ``-`` (a UUID fits)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _CLIENT_ID_RE.match(value):
        raise InvalidInput(
            "client_id must be 8 to 64 characters of letters, digits, '_' or '-'",
            field="client_id",
        )
    return value


def check_text(value: str, *, name: str, limit: int) -> str:
    value = clean(value).strip()
    if not value:
        raise InvalidInput(f"{name.capitalize()} must not be empty", field=name)
    if len(value) > limit:
        raise InvalidInput(f"{name.capitalize()} is longer than {limit} characters", field=name)
    return value


def check_not_closed(ticket: Ticket) -> None:
    """Nothing changes a closed ticket."""
    if ticket.status == Status.closed:
        raise TicketClosed(
            f"Ticket #{ticket.id} is closed and can no longer change; open a new ticket instead"
        )


def require_agent(actor: Actor) -> None:
    if not (actor.is_agent or actor.kind == "system"):
        raise NotPermitted("Only agents can do this")
