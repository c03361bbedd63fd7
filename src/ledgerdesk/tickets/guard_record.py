"""What the guard found in a ticket's message, stored: the finding rows, the security flags
(tags) and guard events, and for the customer's own words an answer posted at once.
``tickets.guard`` does the finding."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.clock import utcnow
from ledgerdesk.tickets import guard
from ledgerdesk.tickets.events import next_seq, record
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Ticket
from ledgerdesk.tickets.tags import flag_tag


def record_guard(
    session: Session,
    ticket: Ticket,
    message: Message,
    guarded: guard.Guarded,
    *,
    customer_facing: bool,
) -> None:
    """Store what the guard found, flag the ticket for the security team and, for the
    customer's own words, answer them at once (a public message from the desk)."""
    if not (guarded.scans or guarded.any_link):
        return
    session.add_all(guard.finding_rows(ticket, message, guarded))
    if guarded.scans:
        flag_tag(session, ticket, guard.SECRET_TAG)
        after = {"message_id": message.id, "kinds": guarded.secret_kinds}
        record(session, ticket, SYSTEM, "guard.secret_redacted", None, after)
    if guarded.any_link:
        flag_tag(session, ticket, guard.LINK_TAG)
        direction = "inbound" if customer_facing else "outbound"
        after = {
            "message_id": message.id,
            "hosts": guard.link_hosts(guarded),
            "direction": direction,
        }
        record(session, ticket, SYSTEM, "guard.lookalike_link", None, after)
    warning = guard.customer_warning(ticket, guarded) if customer_facing else None
    if warning:
        session.add(
            Message(
                ticket_id=ticket.id,
                kind=MessageKind.public,
                author_kind=ActorKind.system,
                body=warning,
                created_at=utcnow(),
                seq=next_seq(session, ticket),
            )
        )
