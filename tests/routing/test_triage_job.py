"""Triage on the desk: the job on new tickets and customer replies, routing rules, the
low-confidence fallback to L1, and agents' corrections becoming training data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.ai.triage import TriageResult
from ledgerdesk.ai.triage.training import Dataset, train
from ledgerdesk.core.errors import InvalidInput, NotPermitted
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.routing import services as routing
from ledgerdesk.routing.models import RoutingRule, TrainingExample, TriagePrediction
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.merge import do_merge
from ledgerdesk.tickets.models import Event, Priority, Status
from tests.conftest import actor_of, make_agent, make_customer, make_team, make_ticket

HACKED = (
    "My account was hacked!!! Someone logged in from another country, changed my email and "
    "withdrew all my BTC. I did not do this, please freeze it now"
)
HACKED_ZH = "我的账号被盗了！有人异地登录，把我的USDT全部提走了，不是我操作的，快帮我冻结！"


def _jobs(session: Session, message_id: int) -> list[OutboxEntry]:
    return [
        e
        for e in session.scalars(select(OutboxEntry).where(OutboxEntry.topic == "triage.message"))
        if e.payload.get("message_id") == message_id
    ]


def _first_message_id(session: Session, ticket_id: int) -> int:
    from ledgerdesk.tickets.models import Message

    return session.scalars(
        select(Message.id).where(Message.ticket_id == ticket_id).order_by(Message.id)
    ).first()  # type: ignore[return-value]


def _result(intent: str | None, **kwargs: object) -> TriageResult:
    base: dict[str, object] = {
        "language": "en",
        "language_confidence": 0.9,
        "label": intent or "how_to",
        "confidence": 0.9 if intent else 0.2,
        "intent": intent,
        "alternatives": [],
        "sentiment": "neutral",
        "sentiment_confidence": 0.8,
        "distressed": False,
        "distressed_confidence": 0.1,
        "amount_usd": 0.0,
        "priority": "normal",
    }
    base.update(kwargs)
    return TriageResult(**base)  # type: ignore[arg-type]


def _rule(session: Session, **kwargs: object) -> RoutingRule:
    kwargs.setdefault("name", "rule")
    return routing.do_create_rule(session, SYSTEM, routing.RuleIn(**kwargs))  # type: ignore[arg-type]


@pytest.fixture
def no_rules(db_session: Session) -> Iterator[None]:
    """Each test sees only its own rules (other tests may have committed some)."""
    for rule in routing.list_rules(db_session):
        rule.enabled = False
    db_session.flush()
    yield


# --- the job ------------------------------------------------------------------------------


def test_new_customer_ticket_queues_and_runs_triage(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    ticket = make_ticket(db_session, subject="account hacked", body=HACKED)
    message_id = _first_message_id(db_session, ticket.id)
    assert len(_jobs(db_session, message_id)) == 1
    prediction = routing.triage_message(db_session, message_id)
    assert prediction is not None
    assert prediction.model_version.startswith("ledgerdesk-default-")
    assert prediction.intent == "account_compromised"
    assert 0.0 <= prediction.intent_confidence <= 1.0
    assert prediction.language == "en"
    assert ticket.intent == "account_compromised"
    assert ticket.priority == Priority.urgent  # stolen funds start urgent
    assert any("account_compromised" in r for r in prediction.reasons)
    event = db_session.scalars(
        select(Event).where(Event.ticket_id == ticket.id, Event.action == "ticket.triaged")
    ).one()
    assert event.after is not None and event.after["model"] == prediction.model_version
    # Running the same job again changes nothing (jobs may run twice).
    assert routing.triage_message(db_session, message_id) is None
    assert len(routing.predictions_for(db_session, ticket)) == 1


def test_chinese_ticket_gets_language_and_intent(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    ticket = make_ticket(db_session, subject="账号被盗", body=HACKED_ZH)
    prediction = routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    assert prediction is not None
    assert prediction.language == "zh-Hans" and ticket.language == "zh-Hans"
    assert prediction.intent == "account_compromised"


def test_triage_off_queues_nothing(db_session: Session) -> None:
    assert get_settings().triage is False  # the test suite's default; production's is True
    ticket = make_ticket(db_session)
    assert _jobs(db_session, _first_message_id(db_session, ticket.id)) == []


def test_customer_reply_is_triaged_and_agent_reply_is_not(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    customer = make_customer(db_session)
    ticket = make_ticket(
        db_session,
        customer,
        subject="question",
        body="How do I find my deposit address for USDT on TRC20?",
    )
    routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    before = ticket.priority
    agent = make_agent(db_session, Role.admin)
    reply = tickets.do_agent_reply(db_session, actor_of(agent), ticket, "Open Assets, Deposit.")
    assert _jobs(db_session, reply.id) == []
    assert routing.triage_message(db_session, reply.id) is None  # agents' words are not triaged
    angry = tickets.do_customer_reply(
        db_session,
        customer_actor(customer),
        ticket,
        "SOMEONE HACKED MY ACCOUNT and took 25,000 USDT!!! This is all my savings, help NOW",
    )
    assert len(_jobs(db_session, angry.id)) == 1
    prediction = routing.triage_message(db_session, angry.id)
    assert prediction is not None and prediction.amount_usd == 25_000
    assert Priority(prediction.priority) == Priority.urgent
    assert ticket.priority == Priority.urgent and ticket.priority != before
    assert len(routing.predictions_for(db_session, ticket)) == 2


def test_priority_only_rises_and_closed_tickets_are_left_alone(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    agent = make_agent(db_session, Role.admin)
    ticket = make_ticket(
        db_session, actor=actor_of(agent), subject="hi", body="I love the new app design, thanks!"
    )
    tickets.do_set_priority(db_session, actor_of(agent), ticket, Priority.urgent)
    routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    assert ticket.priority == Priority.urgent
    closed = make_ticket(db_session, subject="hacked", body=HACKED)
    tickets.do_set_status(db_session, actor_of(agent), closed, Status.solved)
    tickets.do_set_status(db_session, actor_of(agent), closed, Status.closed)
    before = (closed.intent, closed.priority, closed.team_id)
    routing.triage_message(db_session, _first_message_id(db_session, closed.id))
    assert (closed.intent, closed.priority, closed.team_id) == before


# --- routing rules ------------------------------------------------------------------------


def test_rules_route_by_intent_and_a_team_set_by_an_agent_is_kept(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    security = make_team(db_session, Tier.specialist)
    other = make_team(db_session)
    _rule(
        db_session, name="hacked → security", intents=["account_compromised"], team_id=security.id
    )
    ticket = make_ticket(db_session, subject="hacked", body=HACKED)
    routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    assert ticket.team_id == security.id
    agent = make_agent(db_session, Role.admin)
    kept = make_ticket(
        db_session, actor=actor_of(agent), subject="hacked", body=HACKED, team_id=other.id
    )
    routing.triage_message(db_session, _first_message_id(db_session, kept.id))
    assert kept.team_id == other.id


def test_route_order_first_team_wins_priority_rises_tags_add_and_stop(
    db_session: Session, no_rules: None
) -> None:
    a, b, c = make_team(db_session), make_team(db_session), make_team(db_session)
    vip = _rule(db_session, name="vip", vip=True, priority="high", tag="vip")
    first = _rule(db_session, name="deposits", intents=["deposit_missing"], team_id=a.id)
    _rule(db_session, name="zh", languages=["zh-Hans"], team_id=b.id, priority="urgent", stop=True)
    _rule(db_session, name="after stop", team_id=c.id, tag="never")
    rules = [r for r in routing.list_rules(db_session) if r.enabled]
    decision = routing.route(rules, _result("deposit_missing"), vip=True, l1_team=None)
    assert (
        decision.team_id == a.id
        and decision.priority == "high"
        and decision.tags == ["vip", "never"]
    )
    assert decision.rule_ids[:2] == [vip.id, first.id]
    zh = routing.route(
        rules, _result("deposit_missing", language="zh-Hans"), vip=False, l1_team=None
    )
    assert zh.team_id == a.id and zh.priority == "urgent" and "never" not in zh.tags
    first.enabled = False
    rules = [r for r in routing.list_rules(db_session) if r.enabled]
    assert routing.route(rules, _result("deposit_missing"), vip=False, l1_team=None).team_id == c.id


def test_uncertain_intent_goes_to_l1_instead_of_guessing(
    db_session: Session, triage_on: None, no_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = make_team(db_session, Tier.l2)
    _rule(db_session, name="deposits", intents=["deposit_missing"], team_id=wallet.id)
    make_team(db_session, Tier.l1)
    l1 = routing.first_l1_team(db_session)  # the oldest L1 team is the fallback queue
    assert l1 is not None
    monkeypatch.setenv("LEDGERDESK_TRIAGE_MIN_CONFIDENCE", "0.999")
    get_settings.cache_clear()
    try:
        ticket = make_ticket(db_session, subject="hello", body="hi, I have a question about it")
        prediction = routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    finally:
        monkeypatch.delenv("LEDGERDESK_TRIAGE_MIN_CONFIDENCE")
        get_settings.cache_clear()
    assert prediction is not None and prediction.uncertain
    assert ticket.intent is None and ticket.team_id == l1
    assert "intent uncertain: first-line queue" in prediction.reasons
    assert Priority(prediction.priority) == Priority.normal


def test_rule_validation(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="Unknown intent"):
        routing.check_rule(db_session, routing.RuleIn("x", intents=["nope"], priority="high"))
    with pytest.raises(InvalidInput, match="must do something"):
        routing.check_rule(db_session, routing.RuleIn("x", intents=["how_to"]))
    with pytest.raises(InvalidInput, match="Team 987654"):
        routing.check_rule(db_session, routing.RuleIn("x", team_id=987654))
    with pytest.raises(InvalidInput, match="language"):
        routing.check_rule(db_session, routing.RuleIn("x", languages=["fr"], priority="low"))
    with pytest.raises(InvalidInput, match="name"):
        routing.check_rule(db_session, routing.RuleIn("   ", priority="low"))
    agent = make_agent(db_session, Role.lead)
    with pytest.raises(NotPermitted):
        routing.do_create_rule(db_session, actor_of(agent), routing.RuleIn("x", priority="low"))


# --- corrections --------------------------------------------------------------------------


def test_correction_becomes_training_data_and_reroutes(
    db_session: Session, triage_on: None, no_rules: None, tmp_path: Path
) -> None:
    wallet, security = make_team(db_session, Tier.l2), make_team(db_session, Tier.specialist)
    _rule(db_session, name="wallet", intents=["withdrawal_delayed"], team_id=wallet.id)
    _rule(db_session, name="security", intents=["account_compromised"], team_id=security.id)
    text = "my withdrawal of 300 USDT shows completed but nothing arrived, is someone stealing?"
    ticket = make_ticket(db_session, subject="withdrawal", body=text)
    prediction = routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    assert prediction is not None
    agent = make_agent(db_session, Role.agent)
    example = routing.do_correct_intent(db_session, actor_of(agent), ticket, "account_compromised")
    assert ticket.intent == "account_compromised"
    assert example.label == "account_compromised" and text in example.text
    assert example.previous_label == prediction.intent
    assert example.model_version == prediction.model_version
    if ticket.assignee_id is None:
        assert ticket.team_id == security.id  # routed again by the corrected intent
    again = routing.do_correct_intent(db_session, actor_of(agent), ticket, "withdrawal_delayed")
    assert again.id == example.id and again.label == "withdrawal_delayed"
    assert (
        len(
            db_session.scalars(
                select(TrainingExample).where(TrainingExample.ticket_id == ticket.id)
            ).all()
        )
        == 1
    )
    actions = db_session.scalars(select(Event.action).where(Event.ticket_id == ticket.id)).all()
    assert actions.count("triage.intent_corrected") == 2
    with pytest.raises(InvalidInput, match="Unknown intent"):
        routing.do_correct_intent(db_session, actor_of(agent), ticket, "not_a_label")
    with pytest.raises(NotPermitted):
        routing.do_correct_intent(db_session, customer_actor(ticket.requester), ticket, "how_to")


def test_exported_corrections_train_a_model_that_learns_them(
    db_session: Session, triage_on: None, no_rules: None, tmp_path: Path
) -> None:
    """The loop an exchange runs: agents correct, the CSV is exported, a model is trained on
    it and now answers with the agents' label (its own taxonomy label here)."""
    agent = make_agent(db_session, Role.agent)
    texts = {
        "deposit_missing": "my ETH deposit is not showing in the account after 2 hours",
        "fees_question": "why is the withdrawal fee for USDT so high on ERC20",
    }
    for label, text in texts.items():
        ticket = make_ticket(db_session, subject="help", body=text)
        routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
        routing.do_correct_intent(db_session, actor_of(agent), ticket, label)
    exported = routing.examples_csv(db_session)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {"text", "category", "language", "source"} <= set(rows[0])
    mine = [r for r in rows if any(t in r["text"] for t in texts.values())]
    assert sorted(r["category"] for r in mine) == sorted(texts)
    model = train(Dataset([r["text"] for r in mine], [r["category"] for r in mine], "export"), None)
    ranked = model.rank(["ETH deposit not showing"], top=1)
    assert ranked[0].label == "deposit_missing"
    with_bundled = routing.examples_csv(db_session, bundled=True)
    assert with_bundled.count("\n") > exported.count("\n") + 100
    assert db_session.scalars(select(TriagePrediction)).first() is not None


def test_predictions_follow_messages_into_a_merged_ticket(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    customer = make_customer(db_session)
    target = make_ticket(db_session, customer, subject="deposit", body="my USDT deposit is missing")
    source = make_ticket(db_session, customer, subject="hacked", body=HACKED)
    for ticket in (target, source):
        routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    lead = make_agent(db_session, Role.lead)
    do_merge(db_session, actor_of(lead), source, target)
    shown = routing.predictions_for(db_session, target)
    assert len(shown) == 2
    assert {p.ticket_id for p in shown} == {target.id, source.id}  # each keeps where it was made


def test_inbox_filters_by_the_triaged_intent(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    from ledgerdesk.tickets import queries

    customer = make_customer(db_session)
    hacked = make_ticket(db_session, customer, subject="hacked", body=HACKED)
    routing.triage_message(db_session, _first_message_id(db_session, hacked.id))
    lead = make_agent(db_session, Role.lead)
    items, _ = queries.list_tickets(
        db_session,
        actor_of(lead),
        queries.TicketFilter(intent="account_compromised", requester_id=customer.id),
    )
    assert [t.id for t in items] == [hacked.id]
    none, total = queries.list_tickets(
        db_session, actor_of(lead), queries.TicketFilter(intent="how_to", requester_id=customer.id)
    )
    assert none == [] and total == 0


def test_reasons_are_shown_in_the_agents_language() -> None:
    from ledgerdesk.core.i18n import set_locale
    from ledgerdesk.routing.presenters import reason_text

    set_locale("zh-CN")
    try:
        assert reason_text("intent account_compromised: urgent") == "意图 账户被盗：紧急"
        assert reason_text("about $25,000 at stake (≥ $10,000): +1") == (
            "涉及约 $25,000（≥ $10,000）：+1"
        )
        assert (
            reason_text("rule “Scams: Security”: priority high")
            == "规则“Scams: Security”：优先级 高"
        )
        assert reason_text("intent uncertain: first-line queue") == "意图不确定：转一线队列"
        assert reason_text("a reason from a newer version") == "a reason from a newer version"
    finally:
        set_locale("en")
    assert reason_text("VIP customer: +1") == "VIP customer: +1"


@pytest.mark.parametrize("final", [Status.solved, Status.closed])
def test_a_finished_ticket_gets_a_prediction_and_is_not_touched(
    db_session: Session, triage_on: None, no_rules: None, final: Status
) -> None:
    team = make_team(db_session, Tier.l1)
    _rule(db_session, name="everything", team_id=team.id, priority="high")
    agent = make_agent(db_session, Role.admin)
    ticket = make_ticket(db_session, subject="hacked", body=HACKED)
    tickets.do_set_status(db_session, actor_of(agent), ticket, Status.solved)
    if final == Status.closed:
        tickets.do_set_status(db_session, actor_of(agent), ticket, Status.closed)
    db_session.flush()
    before = (ticket.intent, ticket.priority, ticket.team_id, ticket.updated_at)
    events = db_session.scalar(select(func.count()).where(Event.ticket_id == ticket.id))
    prediction = routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    assert prediction is not None and prediction.intent == "account_compromised"
    assert prediction.applied == {}
    assert (ticket.intent, ticket.priority, ticket.team_id, ticket.updated_at) == before
    assert db_session.scalar(select(func.count()).where(Event.ticket_id == ticket.id)) == events


def test_triage_that_changes_nothing_leaves_updated_at(
    db_session: Session, triage_on: None, no_rules: None
) -> None:
    agent = make_agent(db_session, Role.admin)
    team = make_team(db_session, Tier.l1)
    ticket = make_ticket(db_session, subject="hacked", body=HACKED)
    tickets.do_assign(db_session, actor_of(agent), ticket, team_id=team.id)
    tickets.do_set_intent(db_session, actor_of(agent), ticket, "account_compromised")
    tickets.do_set_priority(db_session, actor_of(agent), ticket, Priority.urgent)
    ticket.language = "en"
    ticket.network = "bitcoin"  # the message names BTC: triage would set it too
    ticket.updated_at = ticket.updated_at.replace(year=2020)
    db_session.flush()
    stamp = ticket.updated_at
    prediction = routing.triage_message(db_session, _first_message_id(db_session, ticket.id))
    assert prediction is not None and prediction.applied == {}
    assert ticket.updated_at == stamp


def test_a_new_rule_goes_before_the_catch_all_and_can_set_the_team(
    db_session: Session, no_rules: None
) -> None:
    l1, wallet = make_team(db_session), make_team(db_session, Tier.l2)
    catch_all = _rule(db_session, name="everything else", team_id=l1.id)
    tagger = _rule(db_session, name="every message tagged", tag="seen")  # sets no team
    deposits = _rule(db_session, name="deposits", intents=["deposit_missing"], team_id=wallet.id)
    order = [r.id for r in routing.list_rules(db_session) if r.enabled]
    assert order.index(deposits.id) < order.index(catch_all.id) < order.index(tagger.id)
    rules = [r for r in routing.list_rules(db_session) if r.enabled]
    decision = routing.route(rules, _result("deposit_missing"), vip=False, l1_team=None)
    assert decision.team_id == wallet.id
    assert routing.rule_warnings(rules) == {}
    # Moved below the catch-all by hand, the rule is flagged: it can no longer set a team.
    routing.do_move_rule(db_session, SYSTEM, deposits, +1)
    rules = [r for r in routing.list_rules(db_session) if r.enabled]
    assert routing.rule_warnings(rules) == {deposits.id: (routing.NO_TEAM, "everything else")}
    catch_all.stop = True
    warnings = routing.rule_warnings(rules)
    assert warnings[deposits.id] == (routing.NEVER_RUNS, "everything else")
    assert warnings[tagger.id] == (routing.NEVER_RUNS, "everything else")
