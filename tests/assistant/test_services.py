"""The assistant on the desk, with the engine scripted (tests/assistant/scripted.py) and
everything else real, on SQLite and PostgreSQL: the job queued with the customer's message,
the reply posted and recorded, history and feedback, handover (routing, priority, tag, note,
event, who will answer and the wait), the lock confirmation, chain checks, idempotency, and
the widget's items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Tier
from ledgerdesk.accounts.services import SYSTEM, agent_actor
from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant import services as assistant
from ledgerdesk.ai.assistant.handover import (
    HANDOVER_TAG,
    expected_wait,
    in_locale,
    told_text,
)
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.ai.assistant.types import Reply
from ledgerdesk.chain.diagnosis import Diagnosis
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.chat import services as chat
from ledgerdesk.chat.identity import identify_email
from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.routing.services import RuleIn, do_create_rule
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import ActorKind, Channel, Event, Message, MessageKind, Ticket
from ledgerdesk.tickets.timeline import history
from tests.assistant import scripted
from tests.conftest import make_agent, make_customer, make_team, make_ticket, unique


@pytest.fixture(autouse=True)
def scripted_engine(monkeypatch: pytest.MonkeyPatch, assistant_on: None) -> Iterator[None]:
    scripted.calls.clear()
    monkeypatch.setattr(engine, "answer", scripted.answer)
    yield


def _chat(session: Session, body: str, email: str | None = None) -> tuple[chat.Visitor, int, int]:
    visitor, _token = identify_email(session, email or f"{unique('chat')}@example.com", "Wei")
    ack = chat.send_customer_message(session, visitor, None, unique("cid"), body)
    return visitor, ack.conversation, ack.message_id


def _say(session: Session, visitor: chat.Visitor, conversation: int, body: str) -> int:
    return chat.send_customer_message(
        session, visitor, conversation, unique("cid"), body
    ).message_id


def _jobs(session: Session, message_id: int) -> int:
    rows = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == "assistant.reply"))
    return sum(1 for row in rows if row.payload == {"message_id": message_id})


def _messages(session: Session, ticket_id: int) -> list[Message]:
    return list(
        session.scalars(select(Message).where(Message.ticket_id == ticket_id).order_by(Message.seq))
    )


def _events(session: Session, ticket_id: int, action: str) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.ticket_id == ticket_id, Event.action == action))
    )


# --- queueing ------------------------------------------------------------------------------


def test_chat_message_queues_the_job_once_per_message(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor, conversation, first = _chat(db_session, "How long does a BTC deposit take?")
    assert _jobs(db_session, first) == 1
    # A resend of the same client id is the same message: no second job.
    client_id = unique("cid")
    second = chat.send_customer_message(db_session, visitor, conversation, client_id, "more")
    again = chat.send_customer_message(db_session, visitor, conversation, client_id, "more")
    assert again.duplicate and _jobs(db_session, second.message_id) == 1
    monkeypatch.setenv("LEDGERDESK_ASSISTANT_ENABLED", "false")
    from ledgerdesk.core.settings import get_settings

    get_settings.cache_clear()
    off = _say(db_session, visitor, conversation, "and now?")
    assert _jobs(db_session, off) == 0


def test_answer_is_posted_recorded_and_reaches_the_widget(db_session: Session) -> None:
    _visitor, conversation, question = _chat(db_session, "How long does a BTC deposit take?")
    row = assistant.do_assistant_turn(db_session, question)
    assert row is not None
    text, context = scripted.calls[-1]
    assert text == "How long does a BTC deposit take?"
    assert context.channel == "chat" and context.history == () and context.customer_ref is None
    posted = db_session.get(Message, row.message_id)
    assert posted is not None and posted.author_kind == ActorKind.assistant
    assert (
        posted.kind == MessageKind.public and "/help/articles/deposit-confirmations" in posted.body
    )
    assert (row.channel, row.action, row.question_message_id) == ("chat", "answer", question)
    assert row.citations == [scripted.SLUG] and row.asked_feedback and not row.lock_offered
    assert row.sources == [{"kind": "article", "ref": scripted.SLUG, "lang": "en"}]
    assert (row.backend, row.confidence, row.check["ok"]) == ("extractive", 0.82, True)
    items = chat.items_after(db_session, conversation, 0, audience="customer")
    assert [i["author"]["kind"] for i in items] == ["customer", "assistant"]
    assert "assistant" not in items[0]
    assert items[1]["assistant"] == {
        "action": "answer",
        "asks_feedback": True,
        "citations": [scripted.SLUG],
        "language": "en",
    }


def test_a_second_run_for_the_same_message_does_nothing(db_session: Session) -> None:
    _visitor, conversation, question = _chat(db_session, "How long does a BTC deposit take?")
    assert assistant.do_assistant_turn(db_session, question) is not None
    assert assistant.do_assistant_turn(db_session, question) is None
    assert len(scripted.calls) == 1
    authors = [m.author_kind for m in _messages(db_session, conversation)]
    assert authors == [ActorKind.customer, ActorKind.assistant]


def test_an_older_message_is_not_answered_after_a_newer_one(db_session: Session) -> None:
    visitor, conversation, first = _chat(db_session, "How long does a BTC deposit take?")
    second = _say(db_session, visitor, conversation, "And for ETH?")
    assert assistant.do_assistant_turn(db_session, second) is not None
    assert assistant.do_assistant_turn(db_session, first) is None  # a retry came late


def test_a_stale_message_is_left_to_a_person(db_session: Session) -> None:
    _visitor, _conversation, question = _chat(db_session, "How long does a BTC deposit take?")
    message = db_session.get(Message, question)
    assert message is not None
    message.created_at = utcnow() - assistant.STALE_AFTER - timedelta(seconds=1)
    assert assistant.do_assistant_turn(db_session, question) is None
    assert scripted.calls == []


def test_feedback_goes_on_the_reply_it_answers_and_history_is_passed(db_session: Session) -> None:
    visitor, conversation, question = _chat(db_session, "How long does a BTC deposit take?")
    asked = assistant.do_assistant_turn(db_session, question)
    yes = _say(db_session, visitor, conversation, "Yes, that solved it")
    assert _jobs(db_session, yes) == 1
    thanks = assistant.do_assistant_turn(db_session, yes)
    assert asked is not None and thanks is not None
    _text, context = scripted.calls[-1]
    assert len(context.history) == 1
    assert context.history[0].asked_feedback and context.history[0].citations == (scripted.SLUG,)
    db_session.refresh(asked)
    assert asked.feedback == "yes" and asked.feedback_at is not None
    assert thanks.feedback is None and not thanks.asked_feedback
    turns = assistant.history_for(db_session, conversation)
    assert [(t.action, t.feedback) for t in turns] == [("answer", "yes"), ("answer", None)]


def test_two_unsolved_answers_hand_over(db_session: Session) -> None:
    visitor, conversation, question = _chat(db_session, "How long does a BTC deposit take?")
    assistant.do_assistant_turn(db_session, question)
    for _ in range(2):
        no = _say(db_session, visitor, conversation, "No, I still need help")
        assistant.do_assistant_turn(db_session, no)
        if _ == 0:
            again = _say(db_session, visitor, conversation, "How long does a BTC deposit take?")
            assistant.do_assistant_turn(db_session, again)
    rows = db_session.scalars(
        select(AssistantReply)
        .where(AssistantReply.ticket_id == conversation)
        .order_by(AssistantReply.id)
    ).all()
    assert [r.action for r in rows] == ["answer", "answer", "answer", "handover"]
    assert rows[-1].reason == "unsolved"
    assert [r.feedback for r in rows] == ["no", None, "no", None]
    ticket = db_session.get(Ticket, conversation)
    assert ticket is not None and not assistant.is_assistants(db_session, ticket)
    note = [m for m in _messages(db_session, conversation) if m.kind == MessageKind.note][-1]
    assert "The answers did not solve it" in note.body
    assert "Answered “did this solve it?” with no: 2" in note.body
    assert f"Already tried: {scripted.SLUG}" in note.body
    # Once handed over, the customer's next message does not wake the assistant.
    later = _say(db_session, visitor, conversation, "hello?")
    assert _jobs(db_session, later) == 0


# --- handover ------------------------------------------------------------------------------


def test_handover_routes_tags_notes_records_and_tells_who_and_wait(db_session: Session) -> None:
    team = make_team(db_session)
    do_create_rule(
        db_session, SYSTEM, RuleIn(name=unique("people"), intents=["human_agent"], team_id=team.id)
    )
    _visitor, conversation, question = _chat(db_session, "I want a person, now")
    ticket = db_session.get(Ticket, conversation)
    assert ticket is not None
    row = assistant.do_assistant_turn(db_session, question)
    assert row is not None and (row.action, row.reason) == ("handover", "asked_for_person")
    assert ticket.team_id == team.id
    assert HANDOVER_TAG in {t.name for t in ticket.tags}
    messages = _messages(db_session, conversation)
    kinds = [(m.author_kind, m.kind) for m in messages]
    assert kinds == [
        (ActorKind.customer, MessageKind.public),
        (ActorKind.assistant, MessageKind.public),  # the reply
        (ActorKind.assistant, MessageKind.note),  # the summary for the agent
        (ActorKind.assistant, MessageKind.public),  # who will answer, and when
    ]
    note, told = messages[2].body, messages[3].body
    assert "The assistant handed this conversation over: The customer asked for a person" in note
    assert "What the customer wants: I want a person, now" in note
    assert "Intent: Wants a human agent" in note and "Already tried: no article yet" in note
    assert told.startswith(f"{team.name} will answer you here. ")
    assert re.search(r"Expected wait: (about \d+ (min|h)|less than a minute)\.|shortly", told)
    (event,) = _events(db_session, conversation, "assistant.handover")
    assert event.actor_kind == ActorKind.assistant
    assert event.after is not None and event.after["reason"] == "asked_for_person"
    assert event.after["team_id"] == team.id and event.after["tags"] == [HANDOVER_TAG]
    # The customer sees the reply and the line naming the team; the note stays inside.
    items = chat.items_after(db_session, conversation, 0, audience="customer")
    assert [i["body"] for i in items[1:]] == [messages[1].body, told]
    assert items[2]["assistant"] is None  # the "who will answer" line is no reply of its own
    # The ticket's history says it in words: who, what, why, which team.
    (line,) = history(db_session, _events(db_session, conversation, "assistant.handover"))
    changes = {change.field: change.after for change in line.changes}
    assert (line.actor, line.action) == ("Assistant", "Handed over by the assistant")
    assert changes["Reason"] == "The customer asked for a person"
    assert changes["Team"] == team.name
    (moved,) = history(db_session, _events(db_session, conversation, "ticket.team_changed"))
    assert {c.field: c.after for c in moved.changes}["Reason"] == "Handed over by the assistant"


def test_priority_never_falls_and_an_assigned_ticket_keeps_its_team(db_session: Session) -> None:
    l1 = make_team(db_session)
    agent = make_agent(db_session, teams=[l1])
    _visitor, conversation, question = _chat(db_session, "I want a person")
    ticket = db_session.get(Ticket, conversation)
    assert ticket is not None
    tickets.do_update_ticket(
        db_session,
        agent_actor(agent),
        ticket,
        tickets.TicketChanges(
            fields_set={"priority", "assignee_id", "team_id"},
            priority=tickets.Priority.high,
            assignee_id=agent.id,
            team_id=l1.id,
        ),
    )
    assistant.do_assistant_turn(db_session, question)
    assert ticket.priority.value == "high" and ticket.team_id == l1.id


def test_lock_offered_then_confirmed_hands_over_as_urgent(db_session: Session) -> None:
    security = make_team(db_session, Tier.specialist)
    do_create_rule(
        db_session,
        SYSTEM,
        RuleIn(name=unique("sec"), intents=["account_compromised"], team_id=security.id),
    )
    visitor, conversation, question = _chat(db_session, "someone is withdrawing my funds")
    ticket = db_session.get(Ticket, conversation)
    assert ticket is not None
    offered = assistant.do_assistant_turn(db_session, question)
    assert offered is not None and offered.lock_offered and offered.action == "handover"
    assert ticket.priority.value == "urgent" and ticket.team_id == security.id
    assert assistant.is_assistants(db_session, ticket)  # waiting for the confirmation
    confirm = _say(db_session, visitor, conversation, "yes, lock it")
    assert _jobs(db_session, confirm) == 1
    locked = assistant.do_assistant_turn(db_session, confirm)
    assert locked is not None and locked.reason == "account_compromised"
    assert locked.tool == {"name": "lock", "verdict": "locked", "facts": {"locked": True}}
    assert scripted.calls[-1][1].history[-1].lock_offered
    assert not assistant.is_assistants(db_session, ticket)
    public = [
        m.body
        for m in _messages(db_session, conversation)
        if m.kind == MessageKind.public and m.author_kind == ActorKind.assistant
    ]
    # Told who will answer once, at the first handover; the lock's reply says it is locked.
    assert sum(1 for body in public if "will answer you here" in body) == 1
    assert public[-1].startswith("Your account is locked now.")
    assert len(_events(db_session, conversation, "assistant.handover")) == 2


def test_an_agent_reply_ends_the_assistants_turns(db_session: Session) -> None:
    agent = make_agent(db_session)
    visitor, conversation, question = _chat(db_session, "How long does a BTC deposit take?")
    chat.send_agent_message(
        db_session, agent_actor(agent), conversation, unique("a"), "Hi, Ana here"
    )
    assert assistant.do_assistant_turn(db_session, question) is None
    later = _say(db_session, visitor, conversation, "thanks")
    assert _jobs(db_session, later) == 0 and scripted.calls == []


def test_chinese_ticket_gets_a_chinese_note_and_traditional_script_is_kept(
    db_session: Session,
) -> None:
    team = make_team(db_session)
    do_create_rule(
        db_session, SYSTEM, RuleIn(name=unique("p"), intents=["human_agent"], team_id=team.id)
    )
    _visitor, conversation, question = _chat(db_session, "我要轉人工，還沒解決")
    ticket = db_session.get(Ticket, conversation)
    assert ticket is not None and ticket.language.startswith("zh")
    row = assistant.do_assistant_turn(db_session, question)
    assert row is not None and row.language == "zh-Hant"
    messages = _messages(db_session, conversation)
    note = next(m.body for m in messages if m.kind == MessageKind.note)
    assert note.startswith("智能助手已将此会话转交人工：客户要求转人工")
    told = messages[-1].body
    # OpenCC's s2t, as the engine converts its replies for zh-Hant.
    assert told.startswith(f"{team.name} 將在這裏爲您解答。客服"), told


def test_a_portal_team_waits_as_long_as_its_recent_tickets(db_session: Session) -> None:
    team = make_team(db_session)
    now = utcnow()
    for minutes in (10, 20, 180):
        done = make_ticket(db_session, team_id=None)
        done.team_id, done.created_at = team.id, now - timedelta(minutes=minutes)
        done.first_reply_at = now
    ticket = make_ticket(db_session)
    ticket.team_id = team.id
    db_session.flush()
    seconds, back = expected_wait(db_session, ticket)
    assert (seconds, back) == (20 * 60, None)
    text = in_locale("zh-CN", lambda: told_text(db_session, ticket, seconds, back))
    assert text == f"{team.name} 将在这里为您解答。预计等待：约 20 分钟。"
    assert in_locale("en", lambda: told_text(db_session, ticket, 3 * 3600, None)).endswith(
        "Expected wait: about 3 h."
    )


# --- portal, identity, checks --------------------------------------------------------------


def test_portal_request_and_reply_queue_the_assistant(
    client: Any, app: Any, seeded: dict[str, Any]
) -> None:
    from tests.tickets.test_api import portal_login

    email = f"{unique('portal')}@example.com"
    portal_login(client, app, email)
    made = client.post(
        "/portal/tickets",
        data={"subject": "BTC deposit", "body": "How long does a BTC deposit take?"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    ticket_id = int(made.headers["location"].rsplit("/", 1)[1])
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.channel == Channel.portal
        first = _messages(session, ticket_id)[0]
        context = assistant.context_for(session, ticket, ticket.requester)
    assert context.channel == "portal" and context.customer_ref is None  # an e-mail-only customer
    # The embedded worker may already have run it; either the job or its answer exists.
    with app.state.sessionmaker() as session:
        queued = _jobs(session, first.id)
        answered = session.scalar(
            select(AssistantReply.id).where(AssistantReply.question_message_id == first.id)
        )
    assert queued == 1 or answered is not None
    reply = client.post(
        f"/portal/tickets/{ticket_id}/reply",
        data={"body": "Yes, that solved it"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    with app.state.sessionmaker() as session:
        last = _messages(session, ticket_id)
        customer_messages = [m for m in last if m.author_kind == ActorKind.customer]
        mid = customer_messages[-1].id
        seen = _jobs(session, mid) + (
            1
            if session.scalar(
                select(AssistantReply.id).where(AssistantReply.question_message_id == mid)
            )
            else 0
        )
    assert seen >= 1


def test_only_a_proven_customer_gets_account_tools(db_session: Session) -> None:
    known = make_customer(db_session, external_id=unique("UID"))
    # Someone typing a known customer's address in the widget is not them.
    _v, conversation, _m = _chat(db_session, "my withdrawal?", email=known.email)
    ticket = db_session.get(Ticket, conversation)
    assert ticket is not None and ticket.requester_id == known.id
    assert assistant.customer_ref(db_session, ticket, known) is None
    portal = make_ticket(db_session, requester=known)
    assert assistant.customer_ref(db_session, portal, known) == known.external_id


def test_a_tool_diagnosis_is_kept_as_a_check_on_the_conversation(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagnosis = Diagnosis(
        kind="deposit",
        verdict="pending_confirmations",
        network="tron",
        asset="USDT",
        tx_hash="ab" * 32,
        facts={"confirmations": 5, "required": 20},
    )

    def with_check(session: Session, text: str, context: Any, settings: Any = None) -> Reply:
        reply = scripted.answer(session, text, context, settings)
        reply.tool = {
            "name": "deposit_check",
            "verdict": diagnosis.verdict,
            "facts": dict(diagnosis.facts),
            "diagnosis": diagnosis,
        }
        return reply

    monkeypatch.setattr(engine, "answer", with_check)
    _visitor, conversation, question = _chat(db_session, "my USDT deposit " + "ab" * 32)
    row = assistant.do_assistant_turn(db_session, question)
    assert row is not None
    assert row.tool == {
        "name": "deposit_check",
        "verdict": "pending_confirmations",
        "facts": {"confirmations": 5, "required": 20},
    }
    (check,) = db_session.scalars(select(ChainCheck).where(ChainCheck.ticket_id == conversation))
    assert (check.kind, check.verdict, check.network) == (
        "deposit",
        "pending_confirmations",
        "tron",
    )
    assert len(_events(db_session, conversation, "chain.checked")) == 1
