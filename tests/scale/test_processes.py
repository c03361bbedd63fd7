"""Two web processes and two job workers, one PostgreSQL database, Redis between them and no
shared memory (``LEDGERDESK_JOBS=external``, as in production):

- a live chat: the customer's websocket on web A, the agent's on web B;
- a ticket opened through A and answered through B, whose reply e-mail a worker sends to a
  real local SMTP server;
- a help-center article published and then changed through A, found by search through B
  (the index is per process; B catches up from the database), with the delay measured.

Only the command line (``migrate``, ``serve``, ``worker``), HTTP, the websocket and settings
are used, so the test holds whichever job engine runs behind ``worker``."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from ledgerdesk.channels.mail import text_of
from tests.channels.smtp import Inbox, start_server
from tests.chat.servers import console_cookie, database
from tests.chat.test_bus import redis_url
from tests.chat.wsclient import ChatClient
from tests.scale.procs_multi import (
    MAIL_FROM,
    Participants,
    WebProcess,
    WorkerProcess,
    clear_redis,
    desk_environment,
    make_participants,
    migrate,
    poll,
    running,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(150)]

REDIS_DB = 15
MESSAGE_SECONDS = 5.0  # a chat message from one process to the other (Redis: milliseconds)
MAIL_SECONDS = 20.0  # a reply's e-mail: committed job -> a worker -> SMTP
SEARCH_SECONDS = 5.0  # deadline; the goal is 1 s and the delay is printed
FRESHNESS: list[float] = []  # observed delays, printed at the end (pytest -s shows them)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _chat(a: WebProcess, b: WebProcess, people: Participants) -> None:
    customer = ChatClient(a.ws_url, token=people.visitor_token, origin=a.url, name="customer@A")
    cookie = console_cookie(b.url, people.agent_email)
    agent = ChatClient(b.ws_url, cookie=cookie, origin=b.url, name="agent@B")
    for client in (customer, agent):
        await client.start()
    try:
        await agent.frame({"type": "subscribe", "desk": True})
        await agent.wait(lambda: agent.events_of("queue"), timeout=MESSAGE_SECONDS)
        opener = customer.send(None, "我的提现卡住了 / my withdrawal is stuck")
        await customer.wait(lambda: opener in customer.acks, timeout=MESSAGE_SECONDS)
        conversation = int(customer.acks[opener]["conversation"])
        # B's queue learns of the chat opened on A.
        await agent.wait(
            lambda: any(
                conversation in {row["ticket_id"] for row in e["queue"]}
                for e in agent.events_of("queue")
            ),
            timeout=MESSAGE_SECONDS,
        )
        for client in (customer, agent):
            await client.subscribe(conversation)
        for n in range(3):
            sent = agent.send(conversation, f"agent on B, reply {n}")
            await customer.wait(
                lambda s=sent: s in {i["client_id"] for i in customer.items(conversation)},
                timeout=MESSAGE_SECONDS,
            )
            sent = customer.send(conversation, f"customer on A, answer {n}")
            await agent.wait(
                lambda s=sent: s in {i["client_id"] for i in agent.items(conversation)},
                timeout=MESSAGE_SECONDS,
            )
        # The customer's own last message comes back to it through the bus too; the agent
        # may read it first.
        await customer.wait(lambda: len(customer.items(conversation)) >= 7, timeout=MESSAGE_SECONDS)
        assert customer.violations == agent.violations == []
        assert [i["seq"] for i in agent.items(conversation)] == list(range(1, 8))
        assert [i["seq"] for i in customer.items(conversation)] == list(range(1, 8))
    finally:
        for client in (customer, agent):
            await client.stop()


def _ticket_and_mail(a: WebProcess, b: WebProcess, people: Participants, inbox: Inbox) -> None:
    marker = uuid.uuid4().hex[:12]
    created = httpx.post(
        f"{a.url}/api/v1/tickets",
        json={
            "subject": "Deposit not credited",
            "body": "My USDT deposit has not arrived after two hours.",
            "requester": {"email": people.customer_email, "name": "Chen Customer"},
        },
        headers=_bearer(people.agent_token),
        timeout=15,
    )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    reply = f"We found your deposit; it is credited now. ({marker})"
    answered = httpx.post(
        f"{b.url}/api/v1/tickets/{ticket_id}/messages",
        json={"body": reply},
        headers=_bearer(people.agent_token),
        timeout=15,
    )
    assert answered.status_code == 201, answered.text
    # Read through A: the reply written through B is there.
    seen = httpx.get(
        f"{a.url}/api/v1/tickets/{ticket_id}", headers=_bearer(people.agent_token), timeout=15
    )
    assert seen.status_code == 200
    assert [m["body"] for m in seen.json()["messages"]][-1] == reply

    def mailed() -> EmailMessage | None:
        found = [m for m in inbox.to(people.customer_email) if marker in text_of(m)]
        return found[0] if found else None

    mail, _ = poll(mailed, MAIL_SECONDS, every=0.05)
    assert f"#{ticket_id}" in str(mail["Subject"])
    assert MAIL_FROM.split("<")[1].rstrip(">") in str(mail["From"])
    # One e-mail for the reply, though two workers watch the queue (a second one would
    # follow within moments: both would have taken the job at once).
    time.sleep(1.0)
    assert sum(marker in text_of(m) for m in inbox.to(people.customer_email)) == 1


def _found(base: str, word: str) -> list[str]:
    response = httpx.get(f"{base}/api/v1/kb/search", params={"q": word}, timeout=10)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


def _search(a: WebProcess, b: WebProcess, people: Participants) -> None:
    origin = {"Origin": a.url}
    cookies = {"ledgerdesk_session": console_cookie(a.url, people.agent_email).split("=", 1)[1]}
    console = httpx.Client(base_url=a.url, cookies=cookies, headers=origin, timeout=15)
    first, second = f"zorblat{uuid.uuid4().hex[:6]}", f"quivmar{uuid.uuid4().hex[:6]}"
    slug = f"scale-{uuid.uuid4().hex[:8]}"
    body = "How long a deposit takes to be credited after the network confirms it."
    with console:
        # B answers a search first, so its index is loaded and must catch up (not load fresh).
        assert _found(b.url, "deposit") == []
        made = console.post(
            "/console/kb/new",
            data={
                "slug": slug,
                "lang": "en",
                "title": f"Deposit timing {first}",
                "body": body,
                "section_id": str(people.section_id),
            },
        )
        assert made.status_code == 303, made.text
        match = re.search(r"/console/kb/articles/(\d+)", made.headers["location"])
        assert match is not None, made.headers["location"]
        article = int(match.group(1))
        published = console.post(
            f"/console/kb/articles/{article}/status", data={"status": "published", "lang": "en"}
        )
        assert published.status_code == 303, published.text
        _, delay = poll(lambda: True if slug in _found(b.url, first) else None, SEARCH_SECONDS)
        FRESHNESS.append(delay)

        # Changed through A: B finds the new title and no longer the old one.
        changed = console.post(
            f"/console/kb/articles/{article}/translations/en",
            data={"title": f"Deposit timing {second}", "body": body, "note": "renamed"},
        )
        assert changed.status_code == 303, changed.text
        _, delay = poll(lambda: True if slug in _found(b.url, second) else None, SEARCH_SECONDS)
        FRESHNESS.append(delay)
        assert slug not in _found(b.url, first)
        assert slug in _found(a.url, second)  # and A, of course


def test_two_web_and_two_worker_processes(tmp_path: Path) -> None:
    url = redis_url().rsplit("/", 1)[0] + f"/{REDIS_DB}"
    clear_redis(url)
    controller, smtp = start_server()
    try:
        with database("postgresql", tmp_path) as database_url:
            env = desk_environment(
                tmp_path,
                database_url,
                redis_url=url,
                jobs="external",
                smtp_host="127.0.0.1",
                smtp_port=str(smtp.port),
                smtp_starttls="false",
                smtp_timeout="5",
                mail_from=MAIL_FROM,
                public_url="https://support.scale.test",
            )
            migrate(env)
            people = make_participants(database_url)
            webs = [WebProcess(env, tmp_path / f"web-{n}.log") for n in "ab"]
            workers = [WorkerProcess(env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
            with running(webs, workers):
                a, b = webs
                asyncio.run(_chat(a, b, people))
                _ticket_and_mail(a, b, people, smtp.inbox)
                _search(a, b, people)
                assert all(w.alive() for w in workers), [w.text()[-3000:] for w in workers]
    finally:
        controller.stop()
    for process in [*webs, *workers]:
        assert "Traceback" not in process.text(), process.text()[-5000:]
    print(f"\nsearch freshness across processes (publish, change): {FRESHNESS} s")
