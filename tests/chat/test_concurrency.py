"""Exactly once and in order under concurrency, on PostgreSQL (committed data, real threads):
a resend racing its first send is stored once and both get the same seq; concurrent senders
to one conversation get seqs 1..n, and no reader ever sees a gap (seqs are in commit order).

SQLite has one writer at a time and answers a second concurrent writer "busy" (503, which the
client retries), so these races are PostgreSQL's."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ledgerdesk.chat import services as chat
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.tickets.models import Message
from tests.chat.support import email_visitor
from tests.conftest import unique


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("row-lock races are PostgreSQL's; SQLite runs one writer at a time")
    return engine


def _run(*targets: Callable[[], None]) -> None:
    """Run the targets in threads; re-raise the first failure."""
    errors: list[BaseException] = []

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]


def _committed_visitor(pg: Engine) -> tuple[Any, chat.Visitor, int]:
    factory = make_sessionmaker(pg)
    with factory() as session:
        visitor, _ = email_visitor(session)
        opened = chat.send_customer_message(session, visitor, None, unique("open"), "Hello")
        session.commit()
    return factory, visitor, opened.conversation


def _racing_sends(factory: Any, send: Callable[[Session], chat.Ack]) -> tuple[chat.Ack, chat.Ack]:
    """The first send holds its transaction open while the second arrives, then commits."""
    results: dict[str, chat.Ack] = {}
    first_sent = threading.Event()

    def first() -> None:
        with factory() as session:
            results["first"] = send(session)
            first_sent.set()
            time.sleep(0.5)  # the second send is now waiting on this transaction
            session.commit()

    def second() -> None:
        assert first_sent.wait(10)
        with factory() as session:
            results["second"] = send(session)
            session.commit()

    _run(first, second)
    return results["first"], results["second"]


def test_a_resend_racing_the_first_send_is_stored_once(pg: Engine) -> None:
    factory, visitor, conversation = _committed_visitor(pg)
    client_id = unique("race")
    first, second = _racing_sends(
        factory,
        lambda s: chat.send_customer_message(s, visitor, conversation, client_id, "only once"),
    )
    assert not first.duplicate and second.duplicate
    assert (second.seq, second.message_id) == (first.seq, first.message_id) and first.seq == 2
    with factory() as session:
        stored = session.scalar(
            select(func.count(Message.id)).where(
                Message.ticket_id == conversation, Message.client_id == client_id
            )
        )
        assert stored == 1
        # The resend used no number: the next message is 3.
        nxt = chat.send_customer_message(session, visitor, conversation, unique("n"), "next")
        session.commit()
        assert nxt.seq == 3


def test_an_opening_resent_concurrently_opens_one_conversation(pg: Engine) -> None:
    factory, visitor, _ = _committed_visitor(pg)
    client_id = unique("open-race")
    first, second = _racing_sends(
        factory, lambda s: chat.send_customer_message(s, visitor, None, client_id, "Help")
    )
    assert not first.duplicate and second.duplicate
    assert (second.conversation, second.seq, second.message_id) == (
        first.conversation,
        1,
        first.message_id,
    )
    with factory() as session:
        opened = [c for c in chat.list_conversations(session, visitor) if c["subject"] == "Help"]
        assert len(opened) == 1


def _together(factory: Any, visitor: chat.Visitor, conversation: int) -> list[chat.Ack]:
    """Two threads released by one barrier send the same client id."""
    client_id = unique("both")
    barrier = threading.Barrier(2)
    acks: list[chat.Ack] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait(10)
        with factory() as session:
            ack = chat.send_customer_message(session, visitor, conversation, client_id, "x")
            session.commit()
        with lock:
            acks.append(ack)

    _run(send, send)
    return acks


def test_both_racers_send_at_once_from_a_barrier(pg: Engine) -> None:
    """Without a forced order: many rounds of two threads sending one client id together."""
    factory, visitor, conversation = _committed_visitor(pg)
    for _ in range(10):
        acks = _together(factory, visitor, conversation)
        assert sorted(a.duplicate for a in acks) == [False, True]
        assert acks[0].seq == acks[1].seq and acks[0].message_id == acks[1].message_id
    with factory() as session:
        seqs = list(
            session.scalars(
                select(Message.seq).where(Message.ticket_id == conversation).order_by(Message.seq)
            )
        )
    assert seqs == list(range(1, 12))


def test_concurrent_senders_get_gapless_seqs_in_commit_order(pg: Engine) -> None:
    factory, visitor, conversation = _committed_visitor(pg)
    writers, per_writer = 6, 8
    done = threading.Event()
    snapshots: list[list[int]] = []

    def writer(number: int) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(number)
            for index in range(per_writer):
                with factory() as session:
                    chat.send_customer_message(
                        session, visitor, conversation, f"w{number}-m{index}-{unique()}", "hi"
                    )
                    time.sleep(rng.uniform(0, 0.01))  # hold the lock a little, commit later
                    session.commit()

        return run

    def reader() -> None:
        while not done.is_set():
            with factory() as session:
                seen = list(
                    session.scalars(
                        select(Message.seq)
                        .where(Message.ticket_id == conversation)
                        .order_by(Message.seq)
                    )
                )
            snapshots.append(seen)

    reading = threading.Thread(target=reader)
    reading.start()
    try:
        _run(*(writer(n) for n in range(writers)))
    finally:
        done.set()
        reading.join(timeout=30)
    total = 1 + writers * per_writer
    with factory() as session:
        final = list(
            session.scalars(
                select(Message.seq).where(Message.ticket_id == conversation).order_by(Message.seq)
            )
        )
        items = chat.items_after(session, conversation, 0, audience="agent")
    assert final == list(range(1, total + 1))
    assert [i["seq"] for i in items] == final
    # Every reader saw a prefix 1..k: a seq never became visible before a smaller one.
    assert len(snapshots) > 5
    for seen in snapshots:
        assert seen == list(range(1, len(seen) + 1))
