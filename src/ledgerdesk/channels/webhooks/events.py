"""The event types an endpoint can subscribe to: the ticket event log's ``action`` names
(``tickets.services`` and its sibling modules record them), plus ``webhook.test``.

Only these leave the desk. The guard's findings, triage detail and e-mail notices stay
internal; notes are sent as metadata only (no message text is ever sent, see
docs/webhooks.md)."""

from __future__ import annotations

from typing import Literal, get_args

from ledgerdesk.tickets.timeline import ACTIONS

# The actions that leave the desk (the API validates against this list)
EventType = Literal[
    "ticket.created",
    "message.public",
    "message.note",
    "ticket.status_changed",
    "ticket.priority_changed",
    "ticket.assigned",
    "ticket.team_changed",
    "ticket.tagged",
    "ticket.untagged",
    "ticket.intent_changed",
    "ticket.merged",
    "ticket.merged_into",
]
# action -> label: the ticket page's history words
EVENT_TYPES: dict[str, str] = {action: ACTIONS[action] for action in get_args(EventType)}
TEST_EVENT = "webhook.test"


def wants(subscribed: list[str] | None, event_type: str) -> bool:
    """Whether an endpoint subscribed to ``subscribed`` (empty: every type) gets the event."""
    return not subscribed or event_type in subscribed
