"""The console's replies reach the customer's chat through the outbox: once, after a rate limit
with the wait the platform asked for, never with the token in an error; private API addresses
only when allowed."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.channels.messenger.conftest import Bots, eventually, new_user_id, telegram_update
from tests.channels.messenger.platform import TELEGRAM_TOKEN, sample
from tests.conftest import make_agent, make_ticket

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.messenger import services as messenger
from ledgerdesk.channels.messenger.client import Refused, RetryLater, telegram_call
from ledgerdesk.channels.messenger.tasks import send_message, split_text
from ledgerdesk.channels.outgoing import REPLY_NOTICE_TOPIC, SOLVED_NOTICE_TOPIC
from ledgerdesk.core.outbound import OutboundBlocked
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Event, Status, Ticket


def _open_chat(bots: Bots) -> tuple[int, int]:
    """A Telegram user who wrote in (warning already sent); their id and ticket id."""
    user_id = new_user_id()
    update = telegram_update("telegram_private_text.json", user_id)
    update["message"]["from"]["language_code"] = "en"
    bots.telegram(update)
    bots.run_jobs()
    bots.platform.wait_for(r"/pinChatMessage$")
    chat = bots.chat("telegram", str(user_id))
    assert chat is not None and chat.ticket_id is not None
    return user_id, chat.ticket_id


def _agent_reply(bots: Bots, ticket_id: int, body: str, status: Status | None = None) -> None:
    with bots.factory() as session:
        agent = accounts.agent_actor(make_agent(session, Role.admin))
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        tickets.do_agent_reply(session, agent, ticket, body, status=status)
        session.commit()


def _texts_to(bots: Bots, user_id: int) -> list[str]:
    calls = bots.platform.matching(r"/sendMessage$")
    return [c.body["text"] for c in calls if c.body["chat_id"] == str(user_id)]


def _wait_texts(bots: Bots, user_id: int, count: int, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(_texts_to(bots, user_id)) < count and time.monotonic() < deadline:
        bots.run_jobs()
        time.sleep(0.1)
    return _texts_to(bots, user_id)


def _notified(bots: Bots, ticket_id: int) -> list[dict[str, Any]]:
    with bots.factory() as session:
        found = select(Event.after).where(
            Event.ticket_id == ticket_id, Event.action == "customer.notified"
        )
        return [dict(a) for a in session.scalars(found)]


def test_a_console_reply_and_solved_reach_the_chat_once(bots: Bots) -> None:
    user_id, ticket_id = _open_chat(bots)
    _agent_reply(bots, ticket_id, "Your deposit is credited now.")
    texts = _wait_texts(bots, user_id, 2)
    assert "Your deposit is credited now." in texts[-1]
    assert "(ledgerdesk Support) replied to your request #" in texts[-1]
    with bots.factory() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        tickets.do_set_status(session, SYSTEM, ticket, Status.solved)
        session.commit()
    texts = _wait_texts(bots, user_id, 3)
    assert texts[-1].startswith(f"We marked your request #{ticket_id} as solved.")
    assert eventually(lambda: len(_notified(bots, ticket_id)) == 2)
    notices = _notified(bots, ticket_id)
    assert [n["notice"] for n in notices] == ["reply", "solved"]
    assert all(n["channel"] == "telegram" for n in notices)
    with bots.factory() as session:  # the e-mail jobs and the messenger job once more
        message_id = notices[0]["message_id"]
        from ledgerdesk.jobs.outbox import enqueue

        enqueue(session, REPLY_NOTICE_TOPIC, {"message_id": message_id})
        event_id = notices[1]["event_id"]
        enqueue(session, SOLVED_NOTICE_TOPIC, {"ticket_id": ticket_id, "event_id": event_id})
        chat = messenger.find_chat(session, "telegram", str(user_id))
        assert chat is not None
        send_message(
            session,
            {
                "chat": chat.id,
                "what": "reply",
                "key": f"reply:{message_id}",
                "message_id": message_id,
            },
        )
        session.commit()
    bots.run_jobs()
    time.sleep(0.3)
    bots.run_jobs()
    assert len(_texts_to(bots, user_id)) == 3 and len(_notified(bots, ticket_id)) == 2


def test_a_rate_limit_is_waited_out_and_the_message_sent_once(bots: Bots) -> None:
    user_id, ticket_id = _open_chat(bots)
    bots.platform.fail_next(r"/sendMessage$", 429, sample("telegram_too_many_requests.json"))
    _agent_reply(bots, ticket_id, "Checking with the wallet team.")
    bots.run_jobs()
    bots.platform.wait_for(r"/sendMessage$", count=2)  # the warning, then the 429
    waiting = _retry_entry(bots)
    assert (waiting.available_at - waiting.created_at).total_seconds() >= 1  # retry_after: 1
    texts = _wait_texts(bots, user_id, 2, timeout=20)
    assert texts.count(texts[-1]) == 1 and "Checking with the wallet team." in texts[-1]


def _retry_entry(bots: Bots, timeout: float = 5.0) -> OutboxEntry:
    """The job the 429 queued again (committed with the failed attempt)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with bots.factory() as session:
            entries = session.scalars(
                select(OutboxEntry).where(OutboxEntry.topic == messenger.SEND_TOPIC)
            ).all()
            found = [e for e in entries if e.payload.get("tries") == 1]
            if found:
                return found[0]
        time.sleep(0.05)
    raise AssertionError("the rate-limited message was not queued again")


def test_a_blocked_bot_drops_the_message(bots: Bots) -> None:
    user_id, ticket_id = _open_chat(bots)
    bots.platform.fail_next(r"/sendMessage$", 403, sample("telegram_forbidden.json"))
    _agent_reply(bots, ticket_id, "Please confirm the TXID.")
    deadline = time.monotonic() + 15
    while len(_texts_to(bots, user_id)) < 2 and time.monotonic() < deadline:
        bots.run_jobs()
        time.sleep(0.05)
    assert "Please confirm the TXID." in _texts_to(bots, user_id)[-1]  # answered 403

    def queue_empty() -> bool:
        bots.run_jobs()
        with bots.factory() as session:
            left = select(func.count()).where(OutboxEntry.topic == messenger.SEND_TOPIC)
            return session.scalar(left) == 0

    assert eventually(queue_empty)
    assert len(_texts_to(bots, user_id)) == 2 and _notified(bots, ticket_id) == []


def test_send_text_reaches_a_messenger_chat_and_refuses_others(bots: Bots) -> None:
    user_id, ticket_id = _open_chat(bots)
    with bots.factory() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert messenger.send_text(session, ticket, "How did we do? Answer 1-5.")
        portal = make_ticket(session)
        assert not messenger.send_text(session, portal, "How did we do?")
        session.commit()
    assert _wait_texts(bots, user_id, 2)[-1] == "How did we do? Answer 1-5."


def test_errors_never_carry_the_token_and_private_urls_need_allowing(bots: Bots) -> None:
    bots.platform.fail_next(
        r"/getMe$", 401, {"ok": False, "error_code": 401, "description": TELEGRAM_TOKEN}
    )
    with pytest.raises(Refused) as refused:
        telegram_call("getMe", {})
    assert TELEGRAM_TOKEN not in str(refused.value) and "401" in str(refused.value)
    settings = get_settings()
    closed = settings.model_copy(update={"telegram_api_url": "http://127.0.0.1:9"})
    with pytest.raises(RetryLater) as later:
        telegram_call("sendMessage", {"chat_id": 1, "text": "x"}, settings=closed)
    assert TELEGRAM_TOKEN not in str(later.value)
    strict = settings.model_copy(update={"telegram_allow_private": False})
    with pytest.raises(OutboundBlocked) as blocked:
        telegram_call("sendMessage", {"chat_id": 1, "text": "x"}, settings=strict)
    assert TELEGRAM_TOKEN not in str(blocked.value)


def test_request_logs_never_show_the_token(bots: Bots, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    telegram_call("getMe", {})
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines and all(TELEGRAM_TOKEN not in line for line in lines)
    assert any("/bot<token>/getMe" in line for line in lines)


def test_long_replies_are_split_within_the_platform_limit() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
    parts = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in parts) and len(parts) > 4
    assert "\n".join(parts) == text
    assert split_text("short", 4096) == ["short"]
