"""The delivery promise under fire (issue 13's reconnect test).

A customer (widget) and an agent (console) each send many messages on one conversation
through a real ``ledgerdesk serve`` while the test keeps dropping their sockets abruptly
(no close frame, mid-send) and twice kills the server with SIGKILL and starts it again. The
clients do what the protocol asks: resend what is unacknowledged, resume from their last seq.

Afterwards every message is stored once (by client id), and each side received every message
it may see exactly once and in seq order: the agent all of them, the customer all but the
agent's internal notes. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from tests.chat.servers import (
    DeskProcess,
    console_cookie,
    count_messages,
    database,
    desk_environment,
    make_participants,
    migrate,
)
from tests.chat.wsclient import ChatClient

PER_SIDE = 200
NOTE_EVERY = 10  # every tenth agent message is an internal note


async def _chaos(
    server: DeskProcess, clients: list[ChatClient], stop: asyncio.Event, rng: random.Random
) -> dict[str, int]:
    """Drop a random client's socket every 50-200 ms; kill -9 and restart the server twice."""
    counts = {"socket_kills": 0, "server_kills": 0}
    started = time.monotonic()
    restart_at = [1.0, 3.0]  # seconds into the run
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(0.05, 0.2))
        if restart_at and time.monotonic() - started >= restart_at[0]:
            restart_at.pop(0)
            server.kill()
            counts["server_kills"] += 1
            await asyncio.sleep(0.3)  # clients fail to reconnect meanwhile
            await asyncio.to_thread(server.start)
            continue
        rng.choice(clients).kill()
        counts["socket_kills"] += 1
    return counts


async def _scenario(server: DeskProcess, database_url: str, agent_email: str, token: str) -> None:
    origin = server.url
    customer = ChatClient(server.ws_url, token=token, origin=origin, name="customer", window=8)
    agent = ChatClient(
        server.ws_url,
        cookie=console_cookie(server.url, agent_email),
        origin=origin,
        name="agent",
        window=8,
    )
    await customer.start()
    await agent.start()
    try:
        opener = customer.send(None, "customer 0: my deposit is missing")
        await customer.wait(lambda: opener in customer.acks)
        conversation = customer.acks[opener]["conversation"]
        await customer.subscribe(conversation)
        await agent.subscribe(conversation)

        stop = asyncio.Event()
        chaos = asyncio.create_task(_chaos(server, [customer, agent], stop, random.Random(13)))
        sent: dict[str, str] = {opener: "public"}
        for n in range(1, PER_SIDE):
            sent[customer.send(conversation, f"customer {n}")] = "public"
            kind = "note" if n % NOTE_EVERY == 0 else "public"
            sent[agent.send(conversation, f"agent {n} ({kind})", kind=kind)] = kind
            await asyncio.sleep(0.01)  # the sends spread over the chaos
        everything = 2 * PER_SIDE - 1
        await customer.wait(lambda: not customer.pending, timeout=45)
        await agent.wait(lambda: not agent.pending, timeout=45)
        await agent.wait(lambda: len(agent.items(conversation)) >= everything, timeout=30)
        public = sum(1 for kind in sent.values() if kind == "public")
        await customer.wait(lambda: len(customer.items(conversation)) >= public, timeout=30)
        stop.set()
        counts = await chaos
    finally:
        await customer.stop()
        await agent.stop()

    duplicates = sum(1 for c in (customer, agent) for a in c.acks.values() if a["duplicate"])
    print(
        f"reconnect: {counts}, connects customer={customer.connects} agent={agent.connects}, "
        f"resends answered as duplicates={duplicates}"
    )
    assert customer.errors == [] and agent.errors == [], (customer.errors, agent.errors)
    assert customer.violations == [] and agent.violations == []
    assert counts["server_kills"] == 2 and counts["socket_kills"] >= 10, counts
    assert customer.connects >= 3 and agent.connects >= 3

    stored = count_messages(database_url, conversation)
    # Stored once each, numbered 1..n without a gap.
    assert [seq for seq, _, _ in stored] == list(range(1, everything + 1))
    assert sorted(client_id for _, client_id, _ in stored) == sorted(sent)
    # The agent got all of them in order, the customer every public one in order.
    agent_items = agent.items(conversation)
    assert [i["seq"] for i in agent_items] == list(range(1, everything + 1))
    assert [i["client_id"] for i in agent_items] == [client_id for _, client_id, _ in stored]
    customer_items = customer.items(conversation)
    public_stored = [(seq, cid) for seq, cid, kind in stored if kind == "public"]
    assert [(i["seq"], i["client_id"]) for i in customer_items] == public_stored
    # Each side's own messages arrive in the order it sent them.
    mine = [i["body"] for i in customer_items if i["author"]["kind"] == "customer"]
    assert mine == ["customer 0: my deposit is missing"] + [
        f"customer {n}" for n in range(1, PER_SIDE)
    ]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_message_arrives_once_and_in_order_through_drops_and_restarts(
    tmp_path: Path, kind: str
) -> None:
    started = time.monotonic()
    with database(kind, tmp_path) as database_url:
        env = desk_environment(
            tmp_path,
            database_url,
            # The test sends far faster than a person; the rate limit is not under test here.
            chat_message_rate="100000/10seconds",
        )
        migrate(env)
        agent_email, token = make_participants(database_url)
        server = DeskProcess(env, tmp_path / "serve.log")
        server.start()
        ready = time.monotonic()
        try:
            asyncio.run(_scenario(server, database_url, agent_email, token))
        finally:
            server.stop()
        log = server.text()
    done = time.monotonic()
    print(f"reconnect timing: setup {ready - started:.1f} s, scenario {done - ready:.1f} s")
    assert "Traceback" not in log, log[-5000:]
