"""Triage's side of a ticket: a customer's message is queued for triage, and what triage
decided is applied to the ticket (the models and routing rules live in ``routing``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Team
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.tickets.events import record, touch
from ledgerdesk.tickets.models import Message, Priority, Status, Ticket, TicketTag
from ledgerdesk.tickets.tags import check_tag, ensure_tag

# Set in ``session.info`` by a loader that triages each customer message itself as it stores
# it (the demo desk, whose history must read as if triage ran when each message arrived).
TRIAGE_INLINE = "ledgerdesk_triage_inline"


def queue_triage(session: Session, message: Message) -> None:
    """Customers' words are triaged by a job (``routing.tasks``) after the commit."""
    if get_settings().triage and not session.info.get(TRIAGE_INLINE):
        enqueue(session, "triage.message", {"message_id": message.id})


@dataclass
class TriageOutcome:
    """What triage decided for a ticket; ``None`` fields leave the ticket as it is."""

    intent: str | None = None
    language: str | None = None
    priority: Priority | None = None  # raised to, never lowered
    team_id: int | None = None  # only for a ticket with no team and no assignee
    network: str | None = None  # set only on a ticket that has none yet
    tags: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def do_apply_triage(session: Session, ticket: Ticket, outcome: TriageOutcome) -> dict[str, Any]:
    """Apply triage to a ticket as the system, with one ``ticket.triaged`` event. An agent's
    choices win: a ticket with a team or an assignee keeps them, and priority only rises.
    Returns what changed."""
    if ticket.status == Status.closed:
        return {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}

    def change(name: str, old: Any, new: Any) -> None:
        before[name], after[name] = old, new

    if outcome.intent is not None and outcome.intent != ticket.intent:
        change("intent", ticket.intent, outcome.intent)
        ticket.intent = outcome.intent
    if outcome.language and outcome.language != ticket.language:
        change("language", ticket.language, outcome.language)
        ticket.language = outcome.language
    if outcome.network and ticket.network is None:
        change("network", None, outcome.network)
        ticket.network = outcome.network
    order = list(Priority)
    if outcome.priority is not None and order.index(outcome.priority) > order.index(
        ticket.priority
    ):
        change("priority", ticket.priority.value, outcome.priority.value)
        ticket.priority = outcome.priority
    if (
        outcome.team_id is not None
        and ticket.team_id is None
        and ticket.assignee_id is None
        and session.get(Team, outcome.team_id) is not None
    ):
        change("team_id", None, outcome.team_id)
        ticket.team_id = outcome.team_id
        session.expire(ticket, ["team"])
    present = {t.name for t in ticket.tags}
    added = [check_tag(t) for t in outcome.tags if check_tag(t) not in present]
    for tag in sorted(set(added)):
        session.add(TicketTag(ticket_id=ticket.id, tag_id=ensure_tag(session, tag)))
    if added:
        change("tags", [], sorted(set(added)))
        session.expire(ticket, ["tags"])
    record(session, ticket, SYSTEM, "ticket.triaged", before or None, {**after, **outcome.detail})
    if after:
        touch(ticket)
    return after
