"""Conversations with the real assistant through live chat (/chat/api, the widget's HTTP
API), on a desk holding the shipped help center, on SQLite and PostgreSQL; the embedded
worker runs the ``assistant.reply`` job as in production.

- "I want a person" hands over: an internal note with the summary, the customer told which
  team answers and the expected wait;
- "someone is withdrawing my funds" (a customer the exchange signed in) offers the lock and
  hands over as urgent;
- a help-center question gets an answer citing its article, with the feedback buttons' flag;
- "No, I still need help" twice hands over as unsolved.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.ai.assistant.buttons import FEEDBACK_BUTTONS
from ledgerdesk.ai.assistant.handover import HANDOVER_TAG
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs import outbox
from ledgerdesk.kb.importer import import_path
from ledgerdesk.routing.services import RuleIn, do_create_rule
from ledgerdesk.tickets.models import Message, MessageKind, Ticket
from tests.chat.support import SECRET, chat_settings, sign
from tests.conftest import _DATA_DIR, _create_pg_database, _drop_pg_database, make_team, unique

WAIT = 60.0  # seconds for the worker's answer (the first one loads the models)
NO = FEEDBACK_BUTTONS["en"][1]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A desk of its own with the shipped help center (indexed) and two routed teams."""
    if request.param == "sqlite":
        url, admin = f"sqlite:///{_DATA_DIR / f'assistant-{unique()}.db'}", None
    else:
        url, admin = _create_pg_database()
    engine_ = make_engine(url)
    upgrade(engine_)
    engine_.dispose()
    env = {
        "LEDGERDESK_ASSISTANT_ENABLED": "true",
        "LEDGERDESK_CHAT_JWT_SECRET": SECRET,
        "LEDGERDESK_PUBLIC_URL": "https://desk.example",
    }
    with chat_settings(**env):
        from ledgerdesk.web.app import create_app

        settings = Settings(
            database_url=url,
            data_dir=Path(_DATA_DIR),
            secret_key="test-secret-key-" + "x" * 40,
            chat_jwt_secret=SECRET,
            public_url="https://desk.example",
        )
        app = create_app(settings)
        factory = app.state.sessionmaker
        with factory() as session:
            report = import_path(session, shipped_data_dir() / "kb", SYSTEM)
            assert not report.errors, report.errors
            people, security = make_team(session), make_team(session, Tier.specialist)
            for intents, team in ((["human_agent"], people), (["account_compromised"], security)):
                do_create_rule(
                    session, SYSTEM, RuleIn(name=unique("r"), intents=intents, team_id=team.id)
                )
            teams = {"people": (people.id, people.name), "security": (security.id, security.name)}
            session.commit()
        outbox.run_pending(factory)  # the search index
        with TestClient(app, raise_server_exceptions=False) as client:
            yield {"client": client, "app": app, "teams": teams}
        app.state.engine.dispose()
    if admin is not None:
        _drop_pg_database(url, admin)


def _visitor(client: TestClient, signed: bool = False) -> str:
    if signed:
        body: dict[str, Any] = {"token": sign({"sub": unique("UID")})}
    else:
        body = {"email": f"{unique('flow')}@example.com", "name": "Wei"}
    answer = client.post("/chat/api/identify", json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["visitor_token"])


def _say(
    client: TestClient, token: str, text: str, conversation: int | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Send ``text``; the items after it once the assistant answered (its reply, and after a
    handover the line naming the team)."""
    path = (
        "/chat/api/messages"
        if conversation is None
        else f"/chat/api/conversations/{conversation}/messages"
    )
    headers = {"Authorization": f"Chat {token}"}
    sent = client.post(path, data={"client_id": unique("cid"), "body": text}, headers=headers)
    assert sent.status_code == 200, sent.text
    ack = sent.json()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        page = client.get(
            f"/chat/api/conversations/{ack['conversation']}?after={ack['seq']}", headers=headers
        )
        items = page.json()["items"]
        if any(i["author"]["kind"] == "assistant" and i["assistant"] for i in items):
            return ack["conversation"], items
        time.sleep(0.1)
    raise AssertionError(f"no answer to {text!r} in {WAIT:.0f} s")


def _reply(items: list[dict[str, Any]]) -> dict[str, Any]:
    return next(i for i in items if i["author"]["kind"] == "assistant" and i["assistant"])


def _ticket(app: Any, ticket_id: int) -> dict[str, Any]:
    """What the desk holds for the conversation, read after the assistant's commit."""
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        messages = session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.seq)
        )
        rows = session.scalars(
            select(AssistantReply)
            .where(AssistantReply.ticket_id == ticket_id)
            .order_by(AssistantReply.id)
        )
        return {
            "team_id": ticket.team_id,
            "priority": ticket.priority.value,
            "tags": {t.name for t in ticket.tags},
            "notes": [m.body for m in messages if m.kind == MessageKind.note],
            "rows": [
                {
                    "reason": r.reason,
                    "lock_offered": r.lock_offered,
                    "feedback": r.feedback,
                    "backend": r.backend,
                    "sources": r.sources,
                }
                for r in rows
            ],
        }


def test_asking_for_a_person_hands_over_with_a_summary_and_says_who_and_when(
    desk: dict[str, Any],
) -> None:
    client, app = desk["client"], desk["app"]
    conversation, items = _say(client, _visitor(client), "I want to talk to a person please")
    reply = _reply(items)
    assert reply["assistant"]["action"] == "handover"
    team_id, team_name = desk["teams"]["people"]
    told = items[-1]
    assert told["assistant"] is None and told["body"].startswith(
        f"{team_name} will answer you here."
    )
    assert "wait" in told["body"] or "shortly" in told["body"]
    held = _ticket(app, conversation)
    assert held["team_id"] == team_id and HANDOVER_TAG in held["tags"]
    assert held["rows"][-1]["reason"] == "asked_for_person"
    (note,) = held["notes"]
    assert "The customer asked for a person" in note
    assert "What the customer wants: I want to talk to a person please" in note


def test_funds_being_taken_offers_the_lock_and_hands_over_as_urgent(desk: dict[str, Any]) -> None:
    client, app = desk["client"], desk["app"]
    conversation, items = _say(
        client, _visitor(client, signed=True), "someone is withdrawing my funds right now"
    )
    reply = _reply(items)
    assert reply["assistant"]["action"] == "handover"
    assert "account-hacked-first-steps" in reply["assistant"]["citations"]
    assert "/help/articles/account-hacked-first-steps" in reply["body"]
    held = _ticket(app, conversation)
    assert held["rows"][-1]["reason"] == "account_compromised" and held["rows"][-1]["lock_offered"]
    assert held["priority"] == "urgent" and held["team_id"] == desk["teams"]["security"][0]


def test_a_help_center_question_is_answered_with_its_article(desk: dict[str, Any]) -> None:
    client, app = desk["client"], desk["app"]
    conversation, items = _say(
        client, _visitor(client), "How many confirmations does a Bitcoin deposit need?"
    )
    reply = _reply(items)
    assert reply["assistant"]["action"] == "answer" and reply["assistant"]["asks_feedback"]
    assert reply["assistant"]["citations"][0] == "deposit-confirmations"
    assert "https://desk.example/help/articles/deposit-confirmations" in reply["body"]
    last = _ticket(app, conversation)["rows"][-1]
    assert last["backend"] == "extractive" and last["sources"]


def test_two_unsolved_answers_hand_over(desk: dict[str, Any]) -> None:
    client, app = desk["client"], desk["app"]
    token = _visitor(client)
    conversation, items = _say(client, token, "How many confirmations does a Bitcoin deposit need?")
    assert _reply(items)["assistant"]["asks_feedback"]
    _c, items = _say(client, token, NO, conversation)
    first_no = _reply(items)
    assert first_no["assistant"]["action"] == "answer"  # offers a person, asks for more
    if not first_no["assistant"]["asks_feedback"]:
        # The offer does not ask again: a new question does, and its "no" is the second.
        _c, items = _say(client, token, "Why do I pay a withdrawal fee?", conversation)
        assert _reply(items)["assistant"]["asks_feedback"]
    _c, items = _say(client, token, NO, conversation)
    assert _reply(items)["assistant"]["action"] == "handover"
    held = _ticket(app, conversation)
    assert held["rows"][-1]["reason"] == "unsolved"
    assert [r["feedback"] for r in held["rows"]].count("no") == 2
    assert held["notes"] and "The answers did not solve it" in held["notes"][-1]
