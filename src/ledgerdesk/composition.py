"""The composition root of background work: every module that registers a job handler (or,
like the webhooks' event listener, hooks into the session) is imported here and only here.

``jobs`` stays a mechanism that knows no pillar: its worker calls ``load_handlers`` before the
first pass; the web app and every command that writes tickets call it too, so a process that
records events also fans them out."""

from __future__ import annotations


def load_handlers() -> None:
    import ledgerdesk.ai.assistant.tasks
    import ledgerdesk.channels.csat
    import ledgerdesk.channels.mail
    import ledgerdesk.channels.messenger.files  # and .tasks
    import ledgerdesk.channels.notifications_mail  # and notifications, which it imports
    import ledgerdesk.channels.ticket_mail
    import ledgerdesk.channels.webhooks.tasks
    import ledgerdesk.reports.tasks
    import ledgerdesk.routing.tasks
    import ledgerdesk.search.services
    import ledgerdesk.tickets.tasks  # noqa: F401
