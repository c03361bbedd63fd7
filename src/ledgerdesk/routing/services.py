"""Triage on the desk: run the model on customers' messages, route by the admins' rules, and
turn agents' corrections into training data.

``triage_message`` is the job behind every new ticket and customer reply. An intent below the
confidence floor is not guessed: the ticket goes to the first-line (L1) queue, by a rule that
matches ``uncertain`` or else to the first L1 team.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer, Role, Team, Tier
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.ai.triage import EmbeddingsUnavailable, ModelError, TriageResult, get_triager
from ledgerdesk.ai.triage.language import LANGUAGES
from ledgerdesk.ai.triage.priority import LEVELS
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotFound, NotPermitted
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import has_control
from ledgerdesk.routing.models import RoutingRule, TrainingExample, TriagePrediction
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Priority, Status, Ticket
from ledgerdesk.tickets.services import do_set_intent, record_event
from ledgerdesk.tickets.tags import check_tag
from ledgerdesk.tickets.triage import TriageOutcome, do_apply_triage

log = logging.getLogger("ledgerdesk.routing")
MAX_RULES = 500
MAX_RULE_NAME = 120
MAX_TEXT = 4_000  # characters of a message the model reads


# --- rules ----------------------------------------------------------------------------------


@dataclass
class RuleIn:
    name: str
    intents: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    vip: bool | None = None
    distressed: bool | None = None
    uncertain: bool | None = None
    team_id: int | None = None
    priority: str | None = None
    tag: str | None = None
    stop: bool = False
    enabled: bool = True
    escalate: bool = False


def known_intents() -> list[str]:
    """The labels rules and corrections may use: the taxonomy plus the active model's."""
    labels = list(INTENTS)
    try:
        labels += [x for x in get_triager(get_settings()).labels if x not in labels]
    except (ModelError, EmbeddingsUnavailable) as exc:  # a broken model must not lock the console
        log.warning("triage model unavailable: %s", exc)
    return labels


def check_rule(session: Session, data: RuleIn) -> RuleIn:
    for field_name, value in (("name", data.name), ("tag", data.tag or "")):
        if has_control(value):
            raise InvalidInput(f"The {field_name} contains control characters", field=field_name)
    name = " ".join(data.name.split())
    if not name:
        raise InvalidInput("A rule needs a name", field="name")
    if len(name) > MAX_RULE_NAME:
        raise InvalidInput(f"The name is longer than {MAX_RULE_NAME} characters", field="name")
    known = set(known_intents())
    unknown = [i for i in data.intents if i not in known]
    if unknown:
        raise InvalidInput(f"Unknown intent(s): {', '.join(unknown[:5])}", field="intents")
    bad_languages = [x for x in data.languages if x not in LANGUAGES]
    if bad_languages:
        raise InvalidInput(
            f"Unknown language(s): {', '.join(bad_languages[:5])}; use {', '.join(LANGUAGES)}",
            field="languages",
        )
    if data.priority is not None and data.priority not in LEVELS:
        raise InvalidInput(f"Priority must be one of {', '.join(LEVELS)}", field="priority")
    if data.team_id is not None and session.get(Team, data.team_id) is None:
        raise InvalidInput(f"Team {data.team_id} does not exist", field="team_id")
    tag = check_tag(data.tag) if data.tag else None
    acts = data.team_id is not None or data.priority is not None or tag is not None
    if not (acts or data.stop or data.escalate):
        raise InvalidInput("A rule must do something: a team, a priority, a tag, escalate or stop")
    return RuleIn(
        name=name,
        intents=sorted(set(data.intents)),
        languages=sorted(set(data.languages)),
        vip=data.vip,
        distressed=data.distressed,
        uncertain=data.uncertain,
        team_id=data.team_id,
        priority=data.priority,
        tag=tag,
        stop=data.stop,
        enabled=data.enabled,
        escalate=data.escalate,
    )


def _rule_fields(rule: RoutingRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "intents": list(rule.intents),
        "languages": list(rule.languages),
        "vip": rule.vip,
        "distressed": rule.distressed,
        "uncertain": rule.uncertain,
        "team_id": rule.team_id,
        "priority": rule.priority,
        "tag": rule.tag,
        "stop": rule.stop,
        "escalate": rule.escalate,
        "position": rule.position,
    }


def list_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))


def _admin(actor: Actor) -> None:
    if not actor.kind == "system":
        require_role(actor, Role.admin)


def matches_everything(rule: RoutingRule | RuleIn) -> bool:
    """A rule without conditions: it matches every triaged message."""
    return (
        not rule.intents
        and not rule.languages
        and (rule.vip, rule.distressed, rule.uncertain)
        == (
            None,
            None,
            None,
        )
    )


def _catch_all(rule: RoutingRule) -> bool:
    """An enabled rule that matches every message and ends the choice of team (it names a
    team, or stops the run): no team set by a rule below it can ever apply."""
    return rule.enabled and matches_everything(rule) and (rule.team_id is not None or rule.stop)


def _insert_position(session: Session, data: RuleIn) -> int:
    """A new rule goes before the first catch-all (else it could never set a team), at the
    end if there is none or the new rule is itself a catch-all; later rules move down."""
    rules = list_rules(session)
    blocker = next((r for r in rules if _catch_all(r)), None)
    if blocker is None or matches_everything(data):
        return (rules[-1].position if rules else 0) + 1
    index = rules.index(blocker)
    for position, rule in enumerate(rules[index:], start=index + 2):
        rule.position = position
    return index + 1


NEVER_RUNS = "Never runs: “%(name)s” above matches every message and stops."
NO_TEAM = "Cannot set the team: “%(name)s” above matches every message and sets the team first."


def rule_warnings(rules: Sequence[RoutingRule]) -> dict[int, tuple[str, str]]:
    """Rules (by id; ``rules`` in run order) that cannot do what they say because a catch-all
    above them decides first: the message (an English msgid) and the catch-all's name."""
    warnings: dict[int, tuple[str, str]] = {}
    stopper: RoutingRule | None = None
    setter: RoutingRule | None = None
    for rule in rules:
        if stopper is not None:
            warnings[rule.id] = (NEVER_RUNS, stopper.name)
        elif setter is not None and rule.team_id is not None:
            warnings[rule.id] = (NO_TEAM, setter.name)
        if _catch_all(rule):
            stopper = stopper or (rule if rule.stop else None)
            setter = setter or (rule if rule.team_id is not None else None)
    return warnings


def do_create_rule(session: Session, actor: Actor, data: RuleIn) -> RoutingRule:
    """Add a rule before the first catch-all rule (see ``_insert_position``)."""
    _admin(actor)
    checked = check_rule(session, data)
    count = session.scalar(select(func.count()).select_from(RoutingRule)) or 0
    if count >= MAX_RULES:
        raise InvalidInput(f"At most {MAX_RULES} routing rules")
    rule = RoutingRule(**vars(checked), position=_insert_position(session, checked))
    session.add(rule)
    session.flush()
    record_event(session, actor, "routing.rule_created", {"rule_id": rule.id, **_rule_fields(rule)})
    return rule


def access_rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(f"Routing rule {rule_id} not found")
    return rule


def do_update_rule(session: Session, actor: Actor, rule: RoutingRule, data: RuleIn) -> None:
    _admin(actor)
    checked = check_rule(session, data)
    before = _rule_fields(rule)
    for key, value in vars(checked).items():
        setattr(rule, key, value)
    rule.updated_at = utcnow()
    record_event(
        session,
        actor,
        "routing.rule_updated",
        {"rule_id": rule.id, **_rule_fields(rule)},
        before=before,
    )


def do_delete_rule(session: Session, actor: Actor, rule: RoutingRule) -> None:
    _admin(actor)
    record_event(
        session,
        actor,
        "routing.rule_deleted",
        None,
        before={"rule_id": rule.id, **_rule_fields(rule)},
    )
    session.delete(rule)


def do_move_rule(session: Session, actor: Actor, rule: RoutingRule, offset: int) -> None:
    """Move a rule up (-1) or down (+1) in the order."""
    _admin(actor)
    rules = list_rules(session)
    index = next(i for i, r in enumerate(rules) if r.id == rule.id)
    target = max(0, min(len(rules) - 1, index + offset))
    if target == index:
        return
    rules.insert(target, rules.pop(index))
    for position, item in enumerate(rules, start=1):
        item.position = position
    record_event(session, actor, "routing.rule_moved", {"rule_id": rule.id, "position": target + 1})


# --- routing ----------------------------------------------------------------------------


@dataclass
class Route:
    team_id: int | None = None
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    rule_ids: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    escalate: str | None = None  # the name of the first matching rule that escalates


def _matches(rule: RoutingRule, result: TriageResult, vip: bool) -> bool:
    if rule.intents and (result.intent is None or result.intent not in rule.intents):
        return False
    if rule.languages and result.language not in rule.languages:
        return False
    if rule.vip is not None and rule.vip != vip:
        return False
    if rule.distressed is not None and rule.distressed != result.distressed:
        return False
    return rule.uncertain is None or rule.uncertain == (result.intent is None)


def route(
    rules: Sequence[RoutingRule], result: TriageResult, *, vip: bool, l1_team: int | None
) -> Route:
    """Run the enabled rules in order over one triage result."""
    decision = Route()
    for rule in rules:
        if not rule.enabled or not _matches(rule, result, vip):
            continue
        decision.rule_ids.append(rule.id)
        if rule.team_id is not None and decision.team_id is None:
            decision.team_id = rule.team_id
            decision.reasons.append(f"rule “{rule.name}”: team")
        if rule.priority and (
            decision.priority is None
            or LEVELS.index(rule.priority) > LEVELS.index(decision.priority)
        ):
            decision.priority = rule.priority
            decision.reasons.append(f"rule “{rule.name}”: priority {rule.priority}")
        if rule.tag and rule.tag not in decision.tags:
            decision.tags.append(rule.tag)
        if rule.escalate and decision.escalate is None:
            decision.escalate = rule.name
            decision.reasons.append(f"rule “{rule.name}”: escalate")
        if rule.stop:
            break
    if decision.team_id is None and result.intent is None and l1_team is not None:
        decision.team_id = l1_team
        decision.reasons.append("intent uncertain: first-line queue")
    return decision


def first_l1_team(session: Session) -> int | None:
    return session.scalar(select(Team.id).where(Team.tier == Tier.l1).order_by(Team.id).limit(1))


# --- the job ------------------------------------------------------------------------------


def first_message_id(session: Session, ticket: Ticket) -> int | None:
    return session.scalar(
        select(Message.id).where(Message.ticket_id == ticket.id).order_by(Message.id).limit(1)
    )


def _message_text(session: Session, ticket: Ticket, message: Message) -> str:
    """The opening message is read with the subject; replies alone."""
    first = first_message_id(session, ticket) == message.id
    text = f"{ticket.subject}\n{message.body}" if first else message.body
    return text[:MAX_TEXT]


# Triage never changes a finished ticket: its priority, team and intent are history by then.
FINISHED = (Status.solved, Status.closed)


def _untriaged_message(session: Session, message_id: int) -> Message | None:
    """The customer's public message ``message_id``, unless it is gone or already triaged."""
    message = session.get(Message, message_id)
    if message is None or message.author_kind != ActorKind.customer:
        return None
    if message.kind != MessageKind.public:
        return None
    done = session.scalar(
        select(TriagePrediction.id).where(TriagePrediction.message_id == message_id)
    )
    return message if done is None else None


def triage_message(session: Session, message_id: int) -> TriagePrediction | None:
    """Triage one customer message and apply the result to its ticket. Safe to run twice:
    a message already triaged, gone, or not from a customer is left alone. On a solved or
    closed ticket the prediction is recorded and the ticket is not touched."""
    message = _untriaged_message(session, message_id)
    ticket = session.get(Ticket, message.ticket_id) if message is not None else None
    if message is None or ticket is None:
        return None
    customer = session.get(Customer, ticket.requester_id)
    vip = bool(customer and customer.vip)
    triager = get_triager(get_settings())
    (result,) = triager.classify([_message_text(session, ticket, message)], [vip])
    decision = route(list_rules(session), result, vip=vip, l1_team=first_l1_team(session))
    priority = result.priority
    if decision.priority and LEVELS.index(decision.priority) > LEVELS.index(priority):
        priority = decision.priority
    applied: dict[str, Any] = {}
    if ticket.status not in FINISHED:
        outcome = _outcome(session, ticket, message, result, decision, priority)
        applied = do_apply_triage(session, ticket, outcome)
        if decision.escalate is not None:
            from ledgerdesk.sla.escalation import escalate_by_rule  # escalation imports routing

            escalate_by_rule(session, ticket, decision.escalate)
    prediction = _prediction(ticket, message, result, decision, priority, applied)
    session.add(prediction)
    session.flush()
    return prediction


def _outcome(
    session: Session,
    ticket: Ticket,
    message: Message,
    result: TriageResult,
    decision: Route,
    priority: str,
) -> TriageOutcome:
    corrected = session.scalar(
        select(TrainingExample.id).where(TrainingExample.ticket_id == ticket.id)
    )
    opening = first_message_id(session, ticket) == message.id
    # The opening message sets the intent; a later reply only fills one that is still unknown,
    # and never overrides an agent's correction.
    intent = result.intent if corrected is None and (opening or ticket.intent is None) else None
    return TriageOutcome(
        intent=intent,
        network=_network_named(_message_text(session, ticket, message)),
        language=result.language if opening and result.language != "other" else None,
        priority=Priority(priority),
        team_id=decision.team_id,
        tags=decision.tags,
        detail={
            "message_id": message.id,
            "model": result.model_version,
            "predicted": result.label,
            "confidence": result.confidence,
            "uncertain": result.intent is None,
        },
    )


def _network_named(text: str) -> str | None:
    """The first chain network (registry id) the words name, if any."""
    from ledgerdesk.ai.assistant.tool_reading import read_message
    from ledgerdesk.chain.registry import get_registry

    networks = read_message(text, get_registry()).networks
    return networks[0] if networks else None


def _prediction(
    ticket: Ticket,
    message: Message,
    result: TriageResult,
    decision: Route,
    priority: str,
    applied: dict[str, Any],
) -> TriagePrediction:
    return TriagePrediction(
        ticket_id=ticket.id,
        message_id=message.id,
        model_version=result.model_version,
        language=result.language,
        language_confidence=result.language_confidence,
        intent=result.label,
        intent_confidence=result.confidence,
        uncertain=result.intent is None,
        alternatives=[list(a) for a in result.alternatives],
        sentiment=result.sentiment,
        sentiment_confidence=result.sentiment_confidence,
        distressed=result.distressed,
        distressed_confidence=result.distressed_confidence,
        amount_usd=round(result.amount_usd, 2),
        priority=priority,
        team_id=decision.team_id,
        rule_ids=decision.rule_ids,
        reasons=[*result.reasons, *decision.reasons],
        applied=applied,
        created_at=utcnow(),
    )


def predictions_for(session: Session, ticket: Ticket) -> list[TriagePrediction]:
    """The ticket's predictions, newest first, including those of messages that a merge
    brought in from another ticket (a prediction keeps the ticket it was made on)."""
    moved_in = select(Message.id).where(Message.ticket_id == ticket.id)
    return list(
        session.scalars(
            select(TriagePrediction)
            .where(
                or_(
                    TriagePrediction.ticket_id == ticket.id,
                    TriagePrediction.message_id.in_(moved_in),
                )
            )
            .order_by(TriagePrediction.id.desc())
        )
    )


# --- corrections ------------------------------------------------------------------------


def do_correct_intent(
    session: Session, actor: Actor, ticket: Ticket, label: str
) -> TrainingExample:
    """An agent says what the ticket is really about. The ticket's intent changes, the opening
    message is kept as a training example with that label (one per ticket; a second
    correction updates it), and an unassigned ticket that triage routed is routed again."""
    if not actor.is_agent:
        raise NotPermitted("Only agents can correct triage")
    if not label:
        raise InvalidInput("Choose the intent this ticket is really about", field="intent")
    if label not in known_intents():
        raise InvalidInput(f"Unknown intent {label[:80]!r}", field="intent")
    first = session.scalar(
        select(Message)
        .where(Message.ticket_id == ticket.id, Message.author_kind == ActorKind.customer)
        .order_by(Message.id)
        .limit(1)
    )
    if first is None:
        raise InvalidInput("This ticket has no customer message to learn from", field="intent")
    opening = session.scalar(
        select(TriagePrediction)
        .where(TriagePrediction.ticket_id == ticket.id)
        .order_by(TriagePrediction.id)
        .limit(1)
    )
    previous = do_set_intent(session, actor, ticket, label)
    example = session.scalar(select(TrainingExample).where(TrainingExample.ticket_id == ticket.id))
    text = _message_text(session, ticket, first)
    if example is None:
        example = TrainingExample(
            ticket_id=ticket.id,
            text=text,
            label=label,
            language=opening.language if opening else ticket.language,
            previous_label=opening.intent if opening else previous,
            previous_confidence=opening.intent_confidence if opening else None,
            model_version=opening.model_version if opening else None,
            agent_id=actor.id,
            created_at=utcnow(),
        )
        session.add(example)
    else:
        example.label, example.agent_id, example.updated_at = label, actor.id, utcnow()
    record_event(
        session,
        actor,
        "triage.intent_corrected",
        {"intent": label},
        before={"intent": previous, "predicted": opening.intent if opening else None},
        ticket=ticket,
    )
    if opening is not None and ticket.assignee_id is None and ticket.team_id == opening.team_id:
        _reroute(session, ticket, opening, label)
    session.flush()
    return example


def _reroute(session: Session, ticket: Ticket, opening: TriagePrediction, label: str) -> None:
    customer = session.get(Customer, ticket.requester_id)
    vip = bool(customer and customer.vip)
    result = TriageResult(
        language=opening.language,
        language_confidence=opening.language_confidence,
        label=label,
        confidence=1.0,
        intent=label,
        alternatives=[],
        sentiment=opening.sentiment,
        sentiment_confidence=opening.sentiment_confidence,
        distressed=opening.distressed,
        distressed_confidence=opening.distressed_confidence,
        amount_usd=opening.amount_usd,
        priority=opening.priority,
    )
    decision = route(list_rules(session), result, vip=vip, l1_team=None)
    if decision.team_id is not None and decision.team_id != ticket.team_id:
        before = ticket.team_id
        ticket.team_id = decision.team_id
        session.expire(ticket, ["team"])
        record_event(
            session,
            Actor(kind="system"),
            "ticket.team_changed",
            {"team_id": decision.team_id, "reason": "intent corrected"},
            before={"team_id": before},
            ticket=ticket,
        )


def list_examples(session: Session, limit: int = 200, offset: int = 0) -> list[TrainingExample]:
    return list(
        session.scalars(
            select(TrainingExample).order_by(TrainingExample.id.desc()).limit(limit).offset(offset)
        )
    )


def examples_csv(session: Session, bundled: bool = False) -> str:
    """The corrections (and, with ``bundled``, the bundled training data) as a CSV that
    ``ledgerdesk triage train --data`` reads: text, category, language, source."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "category", "language", "source"])
    if bundled:
        from ledgerdesk.ai.triage.bundled import read_examples, split

        training, _ = split(read_examples())
        for e in training:
            writer.writerow([e.text, e.intent, e.lang, "bundled"])
    for example in session.scalars(select(TrainingExample).order_by(TrainingExample.id)):
        writer.writerow([example.text, example.label, example.language, "correction"])
    return out.getvalue()
