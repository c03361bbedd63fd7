"""Checks that ticket writes share: text within its limit, a ticket still open, an agent
acting. Each raises a typed domain error with a message a person can act on."""

from __future__ import annotations

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import InvalidInput, NotPermitted, TicketClosed
from ledgerdesk.core.text import clean
from ledgerdesk.tickets.models import Status, Ticket

MAX_SUBJECT = 300
MAX_BODY = 50_000


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
