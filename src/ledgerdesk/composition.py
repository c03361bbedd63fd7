"""The composition root of background work: every module that registers a job handler (or,
like the webhooks' event listener, hooks into the session) is imported here and only here.

``jobs`` stays a mechanism that knows no pillar: its worker calls ``load_handlers`` before the
first pass; the web app and every command that writes tickets call it too, so a process that
records events also fans them out."""

from __future__ import annotations


def load_handlers() -> None:
    import ledgerdesk.ai.assistant.tasks
    import ledgerdesk.cases.commitments  # complaint deadlines on chain
    import ledgerdesk.cases.scam_facts
    import ledgerdesk.cases.tasks  # the complaints' deadline warnings
    import ledgerdesk.channels.csat
    import ledgerdesk.channels.mail
    import ledgerdesk.channels.messenger.files  # and .tasks
    import ledgerdesk.channels.notifications_mail  # and notifications, which it imports
    import ledgerdesk.channels.ticket_mail
    import ledgerdesk.channels.webhooks.tasks
    import ledgerdesk.incidents.tasks
    import ledgerdesk.reports.surges
    import ledgerdesk.reports.tasks
    import ledgerdesk.routing.tasks
    import ledgerdesk.search.services
    import ledgerdesk.sla.clocks  # the clocks follow ticket events
    import ledgerdesk.sla.tasks
    import ledgerdesk.tickets.tasks
    import ledgerdesk.trust.anchoring  # the periodic anchor of tree heads
    import ledgerdesk.trust.log  # noqa: F401  # the transparency log's appender
    from ledgerdesk.sla.escalation import on_sla_breach
    from ledgerdesk.sla.hooks import ON_BREACH

    if on_sla_breach not in ON_BREACH:  # a breach moves the ticket up one tier
        ON_BREACH.append(on_sla_breach)
