"""Jobs delivered by Dramatiq on a real Redis (db 15) to real worker threads, on PostgreSQL:
the outbox stays the truth, a message only says "job N is due"."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.jobs import outbox, schedule
from ledgerdesk.jobs.delivery import Delivery, Relay, relay_once
from ledgerdesk.jobs.models import OutboxEntry
from tests.conftest import REDIS_URL, _create_pg_database, _drop_pg_database, unavailable

TOPIC = "test.dramatiq.job"
FLAKY = "test.dramatiq.flaky"
PERIODIC = "test.dramatiq.periodic"


@dataclass
class Stack:
    factory: sessionmaker[Session]
    namespace: str
    runs: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    deliveries: list[Delivery] = field(default_factory=list)
    workers: list[Any] = field(default_factory=list)

    def start_worker(self) -> Delivery:
        delivery = Delivery(REDIS_URL, self.factory, namespace=self.namespace)
        worker = delivery.make_worker(4)
        worker.start()
        self.deliveries.append(delivery)
        self.workers.append(worker)
        return delivery

    def ran(self, key: str) -> int:
        with self.lock:
            return sum(1 for k, _ in self.runs if k == key)

    def wait(self, done: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"timed out waiting: {what}"
            time.sleep(0.01)


@pytest.fixture(scope="module")
def pg_factory() -> Iterator[sessionmaker[Session]]:
    url, admin = _create_pg_database()
    engine = make_engine(url)
    upgrade(engine)
    made = make_sessionmaker(engine)
    with made() as session:  # the migrations' own one-off jobs: not these tests' business
        session.query(OutboxEntry).delete()
        session.commit()
    yield made
    engine.dispose()
    _drop_pg_database(url, admin)


@pytest.fixture
def stack(pg_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis", str(exc))
    made = Stack(pg_factory, f"ledgerdesk-test-{uuid.uuid4().hex[:8]}")
    flaky_failures: set[str] = set()

    def job(_session: Session, payload: dict[str, Any]) -> None:
        time.sleep(0.005)
        with made.lock:
            made.runs.append((payload["key"], time.monotonic()))

    def flaky(session: Session, payload: dict[str, Any]) -> None:
        if payload["key"] not in flaky_failures:
            flaky_failures.add(payload["key"])
            raise RuntimeError("the first try fails")
        job(session, payload)

    monkeypatch.setitem(outbox.HANDLERS, TOPIC, job)
    monkeypatch.setitem(outbox.HANDLERS, FLAKY, flaky)
    monkeypatch.setattr(schedule, "PERIODIC", {})
    first = made.start_worker()
    first.install()
    yield made
    outbox.set_dispatcher(None)
    for worker in made.workers:
        worker.stop(timeout=30_000)
    for delivery in made.deliveries:
        delivery.close()
    for key in client.scan_iter(f"{made.namespace}*"):
        client.delete(key)
    client.close()
    with pg_factory() as session:
        session.query(OutboxEntry).delete()
        session.commit()


def _commit(factory: sessionmaker[Session], topic: str, *keys: str) -> float:
    with factory() as session:
        for key in keys:
            outbox.enqueue(session, topic, {"key": key})
        session.commit()
    return time.monotonic()


def _left(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return len(session.scalars(select(OutboxEntry.id)).all())


def test_a_committed_job_runs_once_and_is_picked_up_fast(stack: Stack) -> None:
    pickups = []
    for n in range(5):
        key = f"fast-{n}"
        committed = _commit(stack.factory, TOPIC, key)
        stack.wait(lambda key=key: stack.ran(key) == 1, key)  # type: ignore[misc]
        with stack.lock:
            pickups.append(next(t for k, t in stack.runs if k == key) - committed)
    # The polling worker waits up to its 0.5 s poll; the relay's grace is 5 s. Even on a
    # loaded machine the best of five pickups is far under a second.
    assert min(pickups) < 1.0, pickups
    time.sleep(0.3)
    assert [stack.ran(f"fast-{n}") for n in range(5)] == [1] * 5
    stack.wait(lambda: _left(stack.factory) == 0, "the outbox to empty")  # deletes commit


def test_a_rolled_back_job_never_runs(stack: Stack) -> None:
    with stack.factory() as session:
        outbox.enqueue(session, TOPIC, {"key": "rolled-back"})
        session.flush()  # it had an id, and the dispatcher saw it
        session.rollback()
    _commit(stack.factory, TOPIC, "after")
    stack.wait(lambda: stack.ran("after") == 1, "the committed job")
    assert relay_once(stack.factory, stack.deliveries[0], grace=0) == 0
    time.sleep(0.3)
    stack.wait(lambda: _left(stack.factory) == 0, "the outbox to empty")
    assert stack.ran("rolled-back") == 0


def test_a_lost_message_is_sent_again_by_the_relay(stack: Stack) -> None:
    dispatcher = outbox.set_dispatcher(None)  # the commit's message is "lost"
    _commit(stack.factory, TOPIC, "lost")
    outbox.set_dispatcher(dispatcher)
    time.sleep(0.5)
    assert stack.ran("lost") == 0  # nobody told the workers
    assert relay_once(stack.factory, stack.deliveries[0], grace=10) == 0  # still in its grace
    assert relay_once(stack.factory, stack.deliveries[0], grace=0.2) == 1
    stack.wait(lambda: stack.ran("lost") == 1, "the relayed job")
    stack.wait(lambda: _left(stack.factory) == 0, "the outbox to empty")  # deletes commit


def test_a_failed_job_is_retried_through_a_delayed_message(stack: Stack) -> None:
    committed = _commit(stack.factory, FLAKY, "flaky")
    stack.wait(lambda: stack.ran("flaky") == 1, "the retry", timeout=60)
    with stack.lock:
        ran_at = next(t for k, t in stack.runs if k == "flaky")
    assert ran_at - committed >= 1.5  # after the 2 s backoff, not at once
    stack.wait(lambda: _left(stack.factory) == 0, "the outbox to empty")  # deletes commit


def test_two_workers_never_run_one_job_twice(stack: Stack) -> None:
    second = stack.start_worker()
    keys = [f"shared-{n}" for n in range(60)]
    with stack.factory() as session:
        for key in keys:
            outbox.enqueue(session, TOPIC, {"key": key})
        session.commit()
        ids = list(session.scalars(select(OutboxEntry.id).where(OutboxEntry.topic == TOPIC)))
    second.send([(entry_id, 0.0) for entry_id in ids])  # every message twice, to either worker
    stack.wait(lambda: all(stack.ran(k) >= 1 for k in keys), "all jobs")
    time.sleep(0.5)
    assert {k: stack.ran(k) for k in keys} == dict.fromkeys(keys, 1)
    stack.wait(lambda: _left(stack.factory) == 0, "the outbox to empty")  # deletes commit


def test_a_periodic_job_runs_once_across_two_workers(stack: Stack) -> None:
    schedule.periodic(PERIODIC, every_seconds=60)(
        lambda _s, _p: stack.runs.append(("periodic", time.monotonic()))
    )
    second = stack.start_worker()
    relays = [Relay(stack.factory, d, every=0.05) for d in (stack.deliveries[0], second)]
    for relay in relays:
        relay.start()
    try:
        stack.wait(lambda: stack.ran("periodic") == 1, "the periodic job")
        time.sleep(1.0)  # both relays keep ticking
    finally:
        for relay in relays:
            relay.stop()
    assert stack.ran("periodic") == 1
