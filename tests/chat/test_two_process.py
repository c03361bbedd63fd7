"""Two server processes, one PostgreSQL database, Redis between them and no shared memory:
a customer on process A and agents on process B (and A) talk as if on one server. Messages
go both ways within a second or two (far below the 10 s database re-check, so they came
through Redis), typing and presence (which never touch the database) arrive, and the limit on
connections per address counts both processes' connections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from websockets.exceptions import ConnectionClosed

from ledgerdesk.chat.bus import redis_prefix
from tests.chat.servers import (
    DeskProcess,
    console_cookie,
    database,
    desk_environment,
    make_participants,
    migrate,
)
from tests.chat.test_bus import redis_url
from tests.chat.wsclient import ChatClient

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(120)]

REDIS_DB = 11
FAST = 2.0  # seconds: a message through Redis, not the 10 s re-check


def _clear_redis(url: str) -> None:
    """Presence entries and connection slots of an earlier run of this test (same database
    number, same ticket ids) must not count now."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{redis_prefix(url)}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


async def _arrives(client: ChatClient, condition: Callable[[], object]) -> None:
    await client.wait(condition, timeout=FAST)


def _has(client: ChatClient, conversation: int, client_id: str) -> Callable[[], bool]:
    return lambda: client_id in {i["client_id"] for i in client.items(conversation)}


async def _scenario(a: DeskProcess, b: DeskProcess, agent_email: str, token: str) -> None:
    customer = ChatClient(a.ws_url, token=token, origin=a.url, name="customer on A")
    cookie = console_cookie(b.url, agent_email)
    agent = ChatClient(b.ws_url, cookie=cookie, origin=b.url, name="agent on B")
    colleague = ChatClient(a.ws_url, cookie=cookie, origin=a.url, name="agent on A")
    for client in (customer, agent, colleague):
        await client.start()
    try:
        await agent.frame({"type": "subscribe", "desk": True})
        await agent.wait(lambda: agent.events_of("queue"))
        opener = customer.send(None, "提现一直在处理中 / withdrawal stuck")
        await customer.wait(lambda: opener in customer.acks)
        conversation = customer.acks[opener]["conversation"]
        # The new chat shows in B's queue, hinted through Redis.
        await _arrives(
            agent,
            lambda: any(
                conversation in {row["ticket_id"] for row in e["queue"]}
                for e in agent.events_of("queue")
            ),
        )
        for client in (customer, agent, colleague):
            await client.subscribe(conversation)
        await agent.wait(lambda: len(agent.items(conversation)) == 1)

        # Messages both ways, each well within FAST.
        for n in range(5):
            sent = agent.send(conversation, f"agent reply {n}")
            await _arrives(customer, _has(customer, conversation, sent))
            sent = customer.send(conversation, f"customer answer {n}")
            await _arrives(agent, _has(agent, conversation, sent))

        # Typing goes A -> B and B -> A (never stored: only the bus carries it).
        await customer.frame({"type": "typing", "conversation": conversation, "state": True})
        await _arrives(agent, lambda: agent.events_of("typing"))
        assert agent.events_of("typing")[-1]["who"]["kind"] == "customer"
        await agent.frame({"type": "typing", "conversation": conversation, "state": True})
        await _arrives(customer, lambda: customer.events_of("typing"))
        assert customer.events_of("typing")[-1]["who"]["kind"] == "agent"

        # Presence, kept in Redis: the agent's connection on A sees the one on B typing.
        def typing_seen() -> bool:
            events = colleague.events_of("presence")
            return bool(events) and any(v["typing"] for v in events[-1]["viewers"])

        await _arrives(colleague, typing_seen)
        assert customer.events_of("presence") == []  # presence is for agents only

        # Read marks made on A reach B.
        last = customer.items(conversation)[-1]["seq"]
        await customer.frame({"type": "read", "conversation": conversation, "seq": last})
        await _arrives(
            agent,
            lambda: any(e["marks"]["customer_read"] == last for e in agent.events_of("marks")),
        )

        # Three connections from 127.0.0.1 are held (A: 2, B: 1): a fourth on B is refused.
        extra = ChatClient(b.ws_url, token=token, origin=b.url, name="one too many")
        ws = await extra.open()
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429

        assert customer.violations == agent.violations == colleague.violations == []
        assert [i["seq"] for i in agent.items(conversation)] == list(range(1, 12))
        assert [i["seq"] for i in customer.items(conversation)] == list(range(1, 12))
    finally:
        for client in (customer, agent, colleague):
            await client.stop()


def test_a_customer_on_one_process_and_an_agent_on_another(tmp_path: Path) -> None:
    url = redis_url().rsplit("/", 1)[0] + f"/{REDIS_DB}"
    _clear_redis(url)
    with database("postgresql", tmp_path) as database_url:
        env = desk_environment(
            tmp_path, database_url, redis_url=url, chat_max_connections_per_ip="3"
        )
        migrate(env)
        agent_email, token = make_participants(database_url)
        a = DeskProcess(env, tmp_path / "a.log")
        b = DeskProcess(env, tmp_path / "b.log")
        a.start()
        b.start()
        try:
            asyncio.run(_scenario(a, b, agent_email, token))
        finally:
            a.stop()
            b.stop()
    for process in (a, b):
        assert "Traceback" not in process.text(), process.text()[-5000:]
