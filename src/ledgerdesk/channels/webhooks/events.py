"""The event types an endpoint can subscribe to: the ticket event log's ``action`` names
(``tickets.services`` and its sibling modules record them), plus ``webhook.test``.

Only these leave the desk. The guard's findings, triage detail and e-mail notices stay
internal; notes are sent as metadata only (no message text is ever sent, see
docs/webhooks.md)."""

from __future__ import annotations

from ledgerdesk.web.labels import N_

# action -> label (the same words as the ticket page's history)
EVENT_TYPES: dict[str, str] = {
    "ticket.created": N_("Ticket created"),
    "message.public": N_("Public message"),
    "message.note": N_("Internal note"),
    "ticket.status_changed": N_("Status changed"),
    "ticket.priority_changed": N_("Priority changed"),
    "ticket.assigned": N_("Assignee changed"),
    "ticket.team_changed": N_("Team changed"),
    "ticket.tagged": N_("Tags added"),
    "ticket.untagged": N_("Tags removed"),
    "ticket.intent_changed": N_("Intent changed"),
    "ticket.merged": N_("Another ticket merged into this one"),
    "ticket.merged_into": N_("Merged into another ticket"),
}
TEST_EVENT = "webhook.test"


def wants(subscribed: list[str] | None, event_type: str) -> bool:
    """Whether an endpoint subscribed to ``subscribed`` (empty: every type) gets the event."""
    return not subscribed or event_type in subscribed
