"""What a delivery carries: built from the event row and the ticket as it is when the
delivery is created. Ids, the event's before/after values and a ticket summary — never
message text (a receiver that needs it reads the ticket through the API with a token, so the
desk's permission checks stay the only way to read a conversation) and never a secret.

Shape (docs/webhooks.md)::

    {"type": "ticket.status_changed", "event_id": 812, "created_at": "2026-…Z",
     "actor": {"kind": "agent", "id": 3},
     "data": {"before": {"status": "open"}, "after": {"status": "solved"}},
     "ticket": {"id": 1042, "subject": …, "status": …, "priority": …, "channel": …,
                "language": …, "intent": …, "team_id": …, "assignee_id": …,
                "requester_id": …, "created_at": …, "updated_at": …, "url": …}}
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ledgerdesk.channels.webhooks.events import TEST_EVENT
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.types import as_utc
from ledgerdesk.tickets.models import Event, Ticket


def timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``, as the API writes it."""
    if value is None:
        return None
    return as_utc(value).isoformat().replace("+00:00", "Z")


def ticket_summary(ticket: Ticket, settings: Settings) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "channel": ticket.channel.value,
        "language": ticket.language,
        "intent": ticket.intent,
        "team_id": ticket.team_id,
        "assignee_id": ticket.assignee_id,
        "requester_id": ticket.requester_id,
        "created_at": timestamp(ticket.created_at),
        "updated_at": timestamp(ticket.updated_at),
        "url": f"{settings.resolved_public_url}/console/tickets/{ticket.id}",
    }


def event_payload(event: Event, ticket: Ticket | None, settings: Settings) -> dict[str, Any]:
    """The body of a delivery of ``event`` (``ticket`` is None when it no longer exists)."""
    return {
        "type": event.action,
        "event_id": event.id,
        "created_at": timestamp(event.created_at),
        "actor": {"kind": event.actor_kind.value, "id": event.actor_id},
        "data": {"before": event.before, "after": event.after},
        "ticket": ticket_summary(ticket, settings) if ticket is not None else None,
    }


def ping_payload(endpoint_id: int) -> dict[str, Any]:
    """The body of a test delivery: no ticket, no event."""
    return {
        "type": TEST_EVENT,
        "event_id": None,
        "created_at": timestamp(utcnow()),
        "actor": None,
        "data": {"endpoint_id": endpoint_id, "message": "A test event from the desk"},
        "ticket": None,
    }


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
