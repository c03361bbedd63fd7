"""The event types an endpoint can subscribe to: the ticket event log's ``action`` names
(``tickets.services`` and its sibling modules record them), plus ``webhook.test``.

Only these leave the desk. The guard's findings, triage detail and e-mail notices stay
internal; notes are sent as metadata only (no message text is ever sent, see
docs/webhooks.md)."""

from __future__ import annotations

from ledgerdesk.tickets.timeline import ACTIONS

# action -> label: the ticket page's history words, for the actions that leave the desk
EVENT_TYPES: dict[str, str] = {
    action: ACTIONS[action]
    for action in (
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
    )
}
TEST_EVENT = "webhook.test"


def wants(subscribed: list[str] | None, event_type: str) -> bool:
    """Whether an endpoint subscribed to ``subscribed`` (empty: every type) gets the event."""
    return not subscribed or event_type in subscribed
