"""How triage results, routing rules and corrections are shown: API shapes, the console's
rule summaries and the ticket page's triage panel. Reads only; changes go through
``routing.services``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Team
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.i18n import gettext
from ledgerdesk.routing import services as svc
from ledgerdesk.routing.models import RoutingRule, TrainingExample, TriagePrediction
from ledgerdesk.routing.schemas import (
    CorrectionPublic,
    IntentScore,
    PredictionPublic,
    RuleCreate,
    RulePublic,
    RuleRef,
)
from ledgerdesk.tickets.models import ActorKind, Event, Ticket
from ledgerdesk.web.labels import label

EXCERPT = 140  # characters of a corrected message shown in the corrections list

# --- rules ----------------------------------------------------------------------------------


def rule_in(data: RuleCreate) -> svc.RuleIn:
    return svc.RuleIn(**data.model_dump())


def rule_public(rule: RoutingRule) -> RulePublic:
    return RulePublic(
        id=rule.id,
        position=rule.position,
        name=rule.name,
        enabled=rule.enabled,
        intents=list(rule.intents),
        languages=list(rule.languages),
        vip=rule.vip,
        distressed=rule.distressed,
        uncertain=rule.uncertain,
        team_id=rule.team_id,
        priority=rule.priority,
        tag=rule.tag,
        stop=rule.stop,
        escalate=rule.escalate,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def conditions(rule: RoutingRule) -> list[str]:
    """The rule's conditions in words; empty when it matches every message."""
    parts = []
    if rule.intents:
        parts.append(gettext("intent") + ": " + ", ".join(label(i) for i in rule.intents))
    if rule.languages:
        parts.append(gettext("language") + ": " + ", ".join(rule.languages))
    for name, value in (
        (gettext("VIP"), rule.vip),
        (gettext("distressed"), rule.distressed),
        (gettext("uncertain"), rule.uncertain),
    ):
        if value is not None:
            parts.append(f"{name}: {_yes_no(value)}")
    return parts


def actions(rule: RoutingRule, team_names: dict[int, str]) -> list[str]:
    parts = []
    if rule.team_id is not None:
        team = team_names.get(rule.team_id, f"#{rule.team_id}")
        parts.append(gettext("team") + ": " + team)
    if rule.priority:
        parts.append(gettext("priority at least") + ": " + label(rule.priority))
    if rule.tag:
        parts.append(gettext("tag") + ": " + rule.tag)
    if rule.escalate:
        parts.append(gettext("escalate"))
    if rule.stop:
        parts.append(gettext("stop"))
    return parts


def warnings(rules: list[RoutingRule]) -> dict[int, str]:
    """Why a rule cannot fire (or cannot set its team), in the current locale, by rule id."""
    return {
        rule_id: gettext(template) % {"name": name}
        for rule_id, (template, name) in svc.rule_warnings(rules).items()
    }


def rule_form(rule: RoutingRule | None = None) -> dict[str, Any]:
    """The rule form's values: a new rule's defaults, or an existing rule's fields."""
    if rule is None:
        return {"enabled": True, "intents": [], "languages": []}

    def tri(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")

    return {
        "name": rule.name,
        "intents": list(rule.intents),
        "languages": list(rule.languages),
        "vip": tri(rule.vip),
        "distressed": tri(rule.distressed),
        "uncertain": tri(rule.uncertain),
        "team_id": str(rule.team_id or ""),
        "priority": rule.priority or "",
        "tag": rule.tag or "",
        "stop": rule.stop,
        "enabled": rule.enabled,
        "escalate": rule.escalate,
    }


# --- predictions ----------------------------------------------------------------------------


def rule_names(session: Session) -> dict[int, str]:
    return {rule.id: rule.name for rule in svc.list_rules(session)}


def alternatives(prediction: TriagePrediction) -> list[IntentScore]:
    return [IntentScore(intent=str(a[0]), confidence=float(a[1])) for a in prediction.alternatives]


def prediction_public(prediction: TriagePrediction, names: dict[int, str]) -> PredictionPublic:
    return PredictionPublic(
        id=prediction.id,
        ticket_id=prediction.ticket_id,
        message_id=prediction.message_id,
        created_at=prediction.created_at,
        model_version=prediction.model_version,
        intent=prediction.intent,
        intent_confidence=prediction.intent_confidence,
        uncertain=prediction.uncertain,
        alternatives=alternatives(prediction),
        language=prediction.language,
        language_confidence=prediction.language_confidence,
        sentiment=prediction.sentiment,
        sentiment_confidence=prediction.sentiment_confidence,
        distressed=prediction.distressed,
        distressed_confidence=prediction.distressed_confidence,
        amount_usd=prediction.amount_usd,
        priority=prediction.priority,
        team_id=prediction.team_id,
        rules=[RuleRef(id=i, name=names.get(i)) for i in prediction.rule_ids],
        reasons=list(prediction.reasons),
        applied=dict(prediction.applied),
    )


@dataclass
class TriagePanel:
    """What the ticket page shows about triage: the latest prediction (if any), the rules it
    matched, the agents' correction and the labels a correction may use."""

    prediction: TriagePrediction | None
    current: str | None  # the ticket's intent
    intents: list[str]
    rules: list[RuleRef] = field(default_factory=list)
    alternatives: list[IntentScore] = field(default_factory=list)
    team: str | None = None
    correction: TrainingExample | None = None
    count: int = 0
    reasons: list[str] = field(default_factory=list)
    outcome: list[OutcomeRow] = field(default_factory=list)


@dataclass(frozen=True)
class OutcomeRow:
    """One thing triage decided (intent, team, priority) next to what the ticket holds now,
    and who changed it since; every value is already a label in the agent's language."""

    key: str  # intent, team or priority
    name: str
    suggested: str
    now: str
    changed_by: str | None = None

    @property
    def changed(self) -> bool:
        return self.suggested != self.now


# The reasons are stored in English (``ai.triage.priority`` and ``routing.services.route``
# write them); these patterns show them in the agent's language.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^intent uncertain: normal$"), "intent uncertain: normal"),
    (re.compile(r"^intent uncertain: first-line queue$"), "intent uncertain: first-line queue"),
    (
        re.compile(r"^intent (?P<intent>[\w-]+): (?P<level>low|normal|high|urgent)$"),
        "intent %(intent)s: %(level)s",
    ),
    (re.compile(r"^customer distressed: \+1$"), "customer distressed: +1"),
    (
        re.compile(r"^about (?P<usd>\$[\d,]+) at stake \(≥ (?P<limit>\$[\d,]+)\): \+1$"),
        "about %(usd)s at stake (≥ %(limit)s): +1",
    ),
    (re.compile(r"^VIP customer: \+1$"), "VIP customer: +1"),
    (re.compile(r"^rule “(?P<name>.*)”: team$"), "rule “%(name)s”: team"),
    (
        re.compile(r"^rule “(?P<name>.*)”: priority (?P<level>low|normal|high|urgent)$"),
        "rule “%(name)s”: priority %(level)s",
    ),
]
_LEVELS = ("low", "normal", "high", "urgent")


def reason_text(reason: str) -> str:
    """A stored reason in the current locale (unknown ones as stored)."""
    for pattern, template in _REASONS:
        match = pattern.match(reason)
        if match:
            values = {
                k: label(v) if k == "intent" or (k == "level" and v in _LEVELS) else v
                for k, v in match.groupdict().items()
            }
            return gettext(template) % values
    return reason


def triage_panel(session: Session, actor: Actor, ticket: Ticket) -> TriagePanel | None:
    """The panel for agents; ``None`` for anyone else (customers never see triage)."""
    if not actor.is_agent:
        return None
    predictions = svc.predictions_for(session, ticket)
    latest = predictions[0] if predictions else None
    correction = session.scalar(
        select(TrainingExample).where(TrainingExample.ticket_id == ticket.id)
    )
    panel = TriagePanel(
        prediction=latest,
        current=ticket.intent,  # no intent: nothing preselected, so a click cannot correct
        intents=svc.known_intents(),
        correction=correction,
        count=len(predictions),
    )
    if latest is not None:
        names = rule_names(session) if latest.rule_ids else {}
        panel.rules = [RuleRef(id=i, name=names.get(i)) for i in latest.rule_ids]
        panel.alternatives = alternatives(latest)
        panel.reasons = [reason_text(r) for r in latest.reasons]
        team = session.get(Team, latest.team_id) if latest.team_id else None
        panel.team = team.name if team else None
        panel.outcome = outcome_rows(session, ticket, predictions[-1])
    return panel


# The event key that records a change of each field ("ticket.triaged" records several).
_FIELDS = {"intent": "intent", "team": "team_id", "priority": "priority"}
_ACTIONS = (
    "ticket.intent_changed",
    "ticket.team_changed",
    "ticket.priority_changed",
    "ticket.triaged",
)


def outcome_rows(session: Session, ticket: Ticket, decided: TriagePrediction) -> list[OutcomeRow]:
    """What triage suggested for ``ticket`` (``decided``: the prediction of its opening
    message, which set its intent and route) and what the ticket holds now, field by field."""
    team_ids = {t for t in (decided.team_id, ticket.team_id) if t is not None}
    teams = {t.id: t.name for t in session.scalars(select(Team).where(Team.id.in_(team_ids)))}
    rows = [
        (
            "intent",
            gettext("uncertain") if decided.uncertain else label(decided.intent),
            label(ticket.intent) if ticket.intent else "—",
        ),
        ("team", teams.get(decided.team_id or 0, "—"), teams.get(ticket.team_id or 0, "—")),
        ("priority", label(decided.priority), label(ticket.priority)),
    ]
    names = {"intent": gettext("intent"), "team": gettext("team"), "priority": gettext("priority")}
    changes = _changes_since(session, ticket, decided)
    return [
        OutcomeRow(key, names[key], suggested, now, changes.get(key) if suggested != now else None)
        for key, suggested, now in rows
    ]


def _changes_since(session: Session, ticket: Ticket, decided: TriagePrediction) -> dict[str, str]:
    """For each field changed after ``decided``, who changed it last: an agent's name, else
    the kind of actor (System)."""
    events = session.scalars(
        select(Event)
        .where(
            Event.ticket_id == ticket.id,
            Event.action.in_(_ACTIONS),
            Event.created_at >= decided.created_at,
        )
        .order_by(Event.id.desc())
    )
    found: dict[str, str] = {}
    for event in events:
        for key, stored in _FIELDS.items():
            if key not in found and stored in (event.after or {}):
                found[key] = _actor_name(session, event)
    return found


def _actor_name(session: Session, event: Event) -> str:
    if event.actor_kind == ActorKind.agent and event.actor_id is not None:
        agent = session.get(Agent, event.actor_id)
        if agent is not None:
            return agent.name
    return label(event.actor_kind)


# --- corrections ----------------------------------------------------------------------------


def correction_public(example: TrainingExample) -> CorrectionPublic:
    return CorrectionPublic(
        id=example.id,
        ticket_id=example.ticket_id,
        intent=example.label,
        previous_intent=example.previous_label,
        previous_confidence=example.previous_confidence,
        language=example.language,
        model_version=example.model_version,
        agent_id=example.agent_id,
        created_at=example.created_at,
        updated_at=example.updated_at,
    )


@dataclass(frozen=True)
class CorrectionRow:
    example: TrainingExample
    excerpt: str
    agent: str | None


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def correction_rows(session: Session, examples: list[TrainingExample]) -> list[CorrectionRow]:
    ids = {e.agent_id for e in examples if e.agent_id is not None}
    agents = list(session.scalars(select(Agent).where(Agent.id.in_(ids)))) if ids else []
    names = {a.id: a.name for a in agents}
    return [
        CorrectionRow(e, excerpt(e.text), names.get(e.agent_id) if e.agent_id else None)
        for e in examples
    ]
