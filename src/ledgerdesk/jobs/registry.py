"""Import every module that registers job handlers, so a worker knows all topics."""

from __future__ import annotations


def load_handlers() -> None:
    import ledgerdesk.ai.assistant.tasks
    import ledgerdesk.channels.csat
    import ledgerdesk.channels.mail
    import ledgerdesk.channels.messenger.files  # and .tasks
    import ledgerdesk.channels.notifications_mail  # and notifications, which it imports
    import ledgerdesk.channels.ticket_mail
    import ledgerdesk.channels.webhooks.tasks
    import ledgerdesk.routing.tasks
    import ledgerdesk.search.services
    import ledgerdesk.tickets.tasks  # noqa: F401
