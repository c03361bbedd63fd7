"""The ticket page's history and merge links, in words: who (an agent's name, not "agent 3"),
what (a field label, not ``team_id``) and readable values in the reader's language (a team's
name, "On hold" / 挂起, not ``{"status": "on_hold"}``). Reads only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Customer, Team
from ledgerdesk.core.i18n import gettext
from ledgerdesk.tickets.models import ActorKind, Event, Ticket
from ledgerdesk.web.labels import HANDOVER_LABELS, N_, handover_label, label

ACTIONS = {
    "ticket.created": N_("Ticket created"),
    "ticket.status_changed": N_("Status changed"),
    "ticket.priority_changed": N_("Priority changed"),
    "ticket.assigned": N_("Assignee changed"),
    "ticket.team_changed": N_("Team changed"),
    "ticket.tagged": N_("Tags added"),
    "ticket.untagged": N_("Tags removed"),
    "ticket.intent_changed": N_("Intent changed"),
    "ticket.merged": N_("Another ticket merged into this one"),
    "ticket.merged_into": N_("Merged into another ticket"),
    "ticket.triaged": N_("Triaged"),
    "triage.intent_corrected": N_("Intent corrected"),
    "guard.secret_redacted": N_("Secret removed by the guard"),
    "guard.lookalike_link": N_("Look-alike link found by the guard"),
    "message.public": N_("Public message"),
    "message.note": N_("Internal note"),
    "customer.notified": N_("Customer notified by e-mail"),
    "chain.checked": N_("Deposit or withdrawal checked"),
    "assistant.handover": N_("Handed over by the assistant"),
    "incident.linked": N_("Linked to an incident"),
    "incident.unlinked": N_("Unlinked from an incident"),
    "ticket.escalated": N_("Escalated to the next tier"),
    "ticket.deescalated": N_("Sent back to the first line"),
    "macro.applied": N_("Macro applied"),
    "sla.warning": N_("SLA due soon"),
    "sla.breached": N_("SLA breached"),
}

FIELDS = {
    "subject": N_("Subject"),
    "status": N_("Status"),
    "priority": N_("Priority"),
    "channel": N_("Channel"),
    "team_id": N_("Team"),
    "assignee_id": N_("Assignee"),
    "tags": N_("Tags"),
    "intent": N_("Intent"),
    "network": N_("Network"),
    "language": N_("Language"),
    "reason": N_("Reason"),
    "message_id": N_("Message"),
    "attachments": N_("Attachments"),
    "target_id": N_("Merged into"),
    "source_id": N_("Merged from"),
    "messages_moved": N_("Messages moved"),
    "tags_added": N_("Tags added"),
    "kinds": N_("Removed"),
    "hosts": N_("Links"),
    "direction": N_("Direction"),
    "model": N_("Model"),
    "predicted": N_("Predicted intent"),
    "confidence": N_("Confidence"),
    "uncertain": N_("Uncertain"),
    "notice": N_("E-mail"),
    "event_id": N_("Event"),
    "check_id": N_("Check"),
    "kind": N_("Kind"),
    "verdict": N_("Result"),
    "incident_id": N_("Incident"),
    "automatic": N_("Automatic"),
    "tier": N_("Tier"),
    "trigger": N_("Cause"),
    "sla_target": N_("SLA target"),
    "macro_id": N_("Macro"),
    "macro": N_("Macro"),
    "target": N_("SLA target"),
    "due_at": N_("Due"),
    "policy_id": N_("SLA policy"),
}

# Values stored by the services that are keys, not words (labels.py has the enum values).
_VALUES = {
    "merged": N_("Merged"),
    "customer_reply": N_("The customer replied"),
    "inbound": N_("From the customer"),
    "outbound": N_("To the customer"),
    "reply": N_("Agent's reply"),
    "solved": N_("Ticket solved"),
    "manual": N_("By hand"),
    "sla_breach": N_("An SLA target was breached"),
    "routing_rule": N_("A routing rule"),
    "first_reply": N_("First reply"),
    "next_reply": N_("Next reply"),
    "periodic_update": N_("Periodic update"),
    "resolution": N_("Resolution"),
}
_TICKET_REFS = frozenset({"target_id", "source_id"})


@dataclass
class Change:
    field: str
    before: str | None
    after: str


@dataclass
class HistoryLine:
    at: datetime
    actor: str
    action: str
    changes: list[Change]


@dataclass
class _Names:
    agents: dict[int, str]
    customers: dict[int, str]
    teams: dict[int, str]


def _ints(values: Iterable[Any]) -> set[int]:
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


def _names(session: Session, events: list[Event]) -> _Names:
    """Every agent, customer and team the events name, in three queries."""
    agent_ids = _ints(e.actor_id for e in events if e.actor_kind == ActorKind.agent)
    agent_ids |= _ints(v for e in events for v in _side_values(e, "assignee_id"))
    customer_ids = _ints(e.actor_id for e in events if e.actor_kind == ActorKind.customer)
    team_ids = _ints(v for e in events for v in _side_values(e, "team_id"))
    agents = session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids)))
    teams = session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))
    customers = session.execute(
        select(Customer.id, Customer.name, Customer.email).where(Customer.id.in_(customer_ids))
    )
    return _Names(
        agents={i: n for i, n in agents},
        customers={i: name or email for i, name, email in customers},
        teams={i: n for i, n in teams},
    )


def _side_values(event: Event, key: str) -> list[Any]:
    return [side[key] for side in (event.before or {}, event.after or {}) if key in side]


def _actor(event: Event, names: _Names) -> str:
    if event.actor_kind == ActorKind.agent:
        return names.agents.get(event.actor_id or 0) or gettext("Agent")
    if event.actor_kind == ActorKind.customer:
        return names.customers.get(event.actor_id or 0) or gettext("Customer")
    if event.actor_kind == ActorKind.assistant:
        return gettext("Assistant")
    return gettext("System")


def _value(key: str, value: Any, names: _Names) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(_value(key, v, names) for v in value)
    if key == "team_id" and isinstance(value, int):
        return names.teams.get(value, f"#{value}")
    if key == "assignee_id" and isinstance(value, int):
        return names.agents.get(value, f"#{value}")
    if key in _TICKET_REFS:
        return f"#{value}"
    if key == "reason" and value in HANDOVER_LABELS:
        return handover_label(value)
    if key == "confidence" and isinstance(value, float):
        return f"{value * 100:.0f}%"
    if isinstance(value, str) and value in _VALUES:
        return gettext(_VALUES[value])
    return label(value) if isinstance(value, str) else str(value)


def _changes(event: Event, names: _Names) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            field=gettext(FIELDS[k]) if k in FIELDS else k,
            before=_value(k, before[k], names) if k in before and k in after else None,
            after=_value(k, after[k] if k in after else before[k], names),
        )
        for k in keys
    ]


def history(session: Session, events: Iterable[Event]) -> list[HistoryLine]:
    """The ticket's events as lines a person reads, oldest first."""
    rows = list(events)
    names = _names(session, rows)
    return [
        HistoryLine(
            at=e.created_at,
            actor=_actor(e, names),
            action=gettext(ACTIONS[e.action]) if e.action in ACTIONS else e.action,
            changes=_changes(e, names),
        )
        for e in rows
    ]


def merged_from(session: Session, ticket: Ticket) -> list[int]:
    """Numbers of the tickets merged into ``ticket``."""
    query = select(Ticket.id).where(Ticket.merged_into_id == ticket.id).order_by(Ticket.id)
    return list(session.scalars(query))
