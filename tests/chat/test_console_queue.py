"""The chat queue page (/console/chat) and the live-console parts of the ticket page over
HTTP: who may open it, what each agent sees, waiting chats first with their waiting time,
both languages, and the strings and sequence numbers the page hands to console-live.js.
The same page in a real browser with the websocket: tests/chat_browser/test_console_live.py."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.accounts.models import Agent, Customer
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.chat.console import wait_text
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, MessageKind, Status
from tests.conftest import actor_of, make_customer, make_ticket, unique
from tests.tickets.test_api import portal_login
from tests.tickets.test_views import console_login


def _chat(
    app: Any,
    subject: str,
    *,
    team_id: int | None = None,
    at: datetime | None = None,
    channel: Channel = Channel.chat,
) -> int:
    """A chat ticket opened by a new customer at ``at`` (now by default), in ``team_id``."""
    with app.state.sessionmaker() as session, frozen_at(at or utcnow()):
        customer = make_customer(session, name=unique("Chatter"))
        ticket = make_ticket(
            session, customer, actor=SYSTEM, subject=subject, channel=channel, team_id=team_id
        )
        session.commit()
        return ticket.id


def _message(app: Any, ticket_id: int, author: Agent | None, body: str, **kwargs: Any) -> None:
    """A reply by ``author`` (an agent) or, without one, by the ticket's customer."""
    with app.state.sessionmaker() as session:
        ticket = tickets.access_ticket(session, SYSTEM, ticket_id)
        if author is None:
            customer = session.get(Customer, ticket.requester_id)
            assert customer is not None
            actor = customer_actor(customer)
        else:
            agent = session.get(Agent, author.id)
            assert agent is not None
            actor = actor_of(agent)
        tickets.do_add_message(session, actor, ticket, body, **kwargs)
        session.commit()


def _rows(html: str) -> list[int]:
    """Ticket numbers of the queue's rows, top to bottom."""
    return [int(n) for n in re.findall(r'<tr data-href="/console/tickets/(\d+)"', html)]


def test_queue_needs_an_agent(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    for path in ("/console/chat", "/console/chat/rows"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login")
    portal_login(client, app, seeded["alice"].email)
    response = client.get("/console/chat", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


def test_agent_sees_only_open_chats_of_their_teams(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    mine = _chat(app, "Chat in my team", team_id=seeded["l1"])
    unrouted = _chat(app, "Chat without a team")
    other_team = _chat(app, "Chat of the security team", team_id=seeded["security"])
    portal = _chat(app, "A portal ticket", team_id=seeded["l1"], channel=Channel.portal)
    solved = _chat(app, "A solved chat", team_id=seeded["l1"])
    with app.state.sessionmaker() as session:
        ticket = tickets.access_ticket(session, SYSTEM, solved)
        tickets.do_update_ticket(
            session,
            SYSTEM,
            ticket,
            tickets.TicketChanges(fields_set={"status"}, status=Status.solved),
        )
        session.commit()

    console_login(client, seeded["agent"].email)
    for path in ("/console/chat", "/console/chat/rows"):
        page = client.get(path)
        assert page.status_code == 200
        shown = set(_rows(page.text))
        assert {mine, unrouted} <= shown
        assert not {other_team, portal, solved} & shown
    assert "Chat in my team" in page.text and "Chat of the security team" not in page.text

    client.post("/console/logout")
    console_login(client, seeded["security_agent"].email)
    shown = set(_rows(client.get("/console/chat").text))
    assert other_team in shown and mine not in shown


def test_waiting_chats_first_longest_wait_first(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    now = utcnow()
    team = seeded["l1"]
    answered = _chat(app, "Answered chat", team_id=team, at=now - timedelta(hours=3))
    _message(app, answered, seeded["other_agent"], "Checking your withdrawal now.")
    newer = _chat(app, "Newer waiting chat", team_id=team, at=now - timedelta(minutes=5))
    older = _chat(app, "Older waiting chat", team_id=team, at=now - timedelta(hours=2))
    # An internal note is not an answer: the customer still waits.
    _message(app, older, seeded["other_agent"], "Looking into it", kind=MessageKind.note)

    console_login(client, seeded["agent"].email)
    page = client.get("/console/chat").text
    order = [n for n in _rows(page) if n in {answered, newer, older}]
    assert order == [older, newer, answered]
    row = page[page.index(f'data-ticket="{older}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'data-since="[0-9T:-]+Z">2 h 0 min</time>', row), row
    answered_row = page[page.index(f'data-ticket="{answered}"') :]
    assert "Answered" in answered_row[: answered_row.index("</tr>")]

    # The customer writes again: waiting from that message, so the answered chat waits too.
    _message(app, answered, None, "Still not there")
    order = [n for n in _rows(client.get("/console/chat/rows").text) if n == answered]
    assert order == [answered]
    rows = client.get("/console/chat/rows").text
    assert f'data-ticket="{answered}" class="waiting"' in rows


def test_queue_in_chinese(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    ticket = _chat(app, "充值没有到账", team_id=seeded["l1"], at=utcnow() - timedelta(minutes=3))
    console_login(client, seeded["agent"].email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console/chat"})
    page = client.get("/console/chat").text
    assert "<h2" in page and "在线聊天" in page and "已等待" in page
    row = page[page.index(f'data-ticket="{ticket}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r">3 分 \d+ 秒</time>", row), row
    assert "新建" in row and ">new<" not in row
    assert "个等待客服" in client.get("/console/chat/rows").text
    nav = client.get("/console/counts?view=chat").text
    assert re.search(
        r'id="view-chat">在线聊天 <span class="count" data-view="chat">\d+</span>', nav
    )


@pytest.mark.parametrize(
    ("seconds", "english", "chinese"),
    [
        (0, "0 s", "0 秒"),
        (59, "59 s", "59 秒"),
        (61, "1 min 1 s", "1 分 1 秒"),
        (3600 * 2 + 60 * 5 + 9, "2 h 5 min", "2 小时 5 分"),
        (86400 * 3 + 3600 * 4, "3 d 4 h", "3 天 4 小时"),
        (-5, "0 s", "0 秒"),
    ],
)
def test_wait_text(seconds: int, english: str, chinese: str) -> None:
    assert wait_text(seconds) == english
    i18n.set_locale("zh-CN")
    try:
        assert wait_text(seconds) == chinese
    finally:
        i18n.set_locale("en")


def _live_strings(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """The strings console-live.js shows, and its status labels."""
    found = re.search(r'<script type="application/json" id="live-strings">(.*?)</script>', html)
    assert found, "the page hands console-live.js its strings"
    strings: dict[str, Any] = json.loads(found.group(1))
    statuses: dict[str, str] = strings.pop("statuses")
    return strings, statuses


def test_ticket_page_hands_the_script_its_strings_in_both_languages(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = _chat(app, "Strings", team_id=seeded["l1"])
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket}").text
    assert '<script src="/static/console-live.js" defer></script>' in page
    english, english_statuses = _live_strings(page)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    chinese, chinese_statuses = _live_strings(client.get(f"/console/tickets/{ticket}").text)
    assert english_statuses["on_hold"] == "On hold" and chinese_statuses["on_hold"] == "挂起"
    assert english_statuses.keys() == chinese_statuses.keys() == {s.value for s in Status}
    assert english.keys() == chinese.keys() and len(english) >= 20
    same = [key for key in english if english[key] == chinese[key]]
    assert not same, f"not translated: {same}"
    for key, text in english.items():  # placeholders survive for the script to fill
        assert re.findall(r"%\(\w+\)s", text) == re.findall(r"%\(\w+\)s", chinese[key]), key
    assert english["collision_typing"] == "%(names)s is also typing a reply to this ticket."
    assert chinese["wait_ms"] == "%(m)s 分 %(s)s 秒"
    assert "<" not in json.dumps(chinese, ensure_ascii=False)


def test_ticket_page_numbers_its_messages(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    """Every message carries its seq, in order, so the script resumes from the highest."""
    ticket = _chat(app, "Numbered", team_id=seeded["l1"])
    _message(app, ticket, seeded["other_agent"], "First answer")
    _message(app, ticket, seeded["other_agent"], "A note", kind=MessageKind.note)
    _message(app, ticket, None, "Thanks")
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket}").text
    assert f'data-ticket="{ticket}" data-channel="chat"' in page
    seqs = [
        int(s) for s in re.findall(r'<article class="card msg[^"]*"[^>]* data-seq="(\d+)"', page)
    ]
    assert len(seqs) == 4 and seqs == sorted(seqs) and len(set(seqs)) == 4
