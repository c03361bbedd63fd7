"""Retries with backoff, the dead-letter state, the request id and metrics around a job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.context import current_request_id, request_id_bound
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.core.metrics import JOB_RUNS
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry

FAILS = "test.dead_letter.fails"
WORKS = "test.dead_letter.works"
SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


@pytest.fixture
def seen() -> list[Any]:
    return []


@pytest.fixture
def factory(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, seen: list[Any]
) -> Iterator[sessionmaker[Session]]:
    def fails(_session: Session, payload: dict[str, Any]) -> None:
        raise RuntimeError(f"the receiver said: {SEED}")

    def works(_session: Session, payload: dict[str, Any]) -> None:
        seen.append((payload, current_request_id()))

    monkeypatch.setitem(outbox.HANDLERS, FAILS, fails)
    monkeypatch.setitem(outbox.HANDLERS, WORKS, works)
    made = make_sessionmaker(engine)
    yield made
    with made() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.topic.in_([FAILS, WORKS])))
        session.commit()


def _queue(factory: sessionmaker[Session], topic: str, **fields: Any) -> int:
    with factory() as session:
        outbox.enqueue(session, topic, {"n": 1})
        session.flush()
        entry = session.scalars(
            select(OutboxEntry).where(OutboxEntry.topic == topic).order_by(OutboxEntry.id.desc())
        ).first()
        assert entry is not None
        for name, value in fields.items():
            setattr(entry, name, value)
        session.commit()
        return entry.id


def _row(factory: sessionmaker[Session], entry_id: int) -> OutboxEntry | None:
    with factory() as session:
        entry = session.get(OutboxEntry, entry_id)
        if entry is not None:
            session.expunge(entry)
        return entry


def _runs(topic: str, outcome: str) -> float:
    return JOB_RUNS.labels(topic=topic, outcome=outcome)._value.get()


def test_a_failure_is_retried_later_and_the_error_is_redacted(
    factory: sessionmaker[Session],
) -> None:
    entry_id = _queue(factory, FAILS)
    failed_before = _runs(FAILS, "failed")
    outbox.run_pending(factory)
    row = _row(factory, entry_id)
    assert row is not None and row.attempts == 1 and row.dead_at is None
    assert row.last_error and row.last_error.startswith("RuntimeError: the receiver said")
    assert "abandon ability" not in row.last_error  # the guard redacted the seed phrase
    assert (row.available_at - row.created_at).total_seconds() >= 1.5  # backoff: 2 s
    assert _runs(FAILS, "failed") == failed_before + 1
    assert outbox.run_pending(factory) == 0  # not due yet: nothing ran
    early = outbox.run_entry(factory, entry_id)  # a message that came too soon is told when
    assert early is not None and early[0] == "early" and 0 < early[1] <= 2.0
    assert _row(factory, entry_id).attempts == 1  # type: ignore[union-attr]


def test_the_last_attempt_makes_a_dead_letter_that_never_runs_again(
    factory: sessionmaker[Session],
) -> None:
    entry_id = _queue(factory, FAILS, attempts=outbox.MAX_ATTEMPTS - 1)
    dead_before = _runs(FAILS, "dead")
    outbox.run_pending(factory)
    row = _row(factory, entry_id)
    assert row is not None and row.attempts == outbox.MAX_ATTEMPTS and row.dead_at is not None
    assert _runs(FAILS, "dead") == dead_before + 1
    with factory() as session:  # even made due again, a dead job waits for an admin
        session.get(OutboxEntry, entry_id).available_at = row.created_at  # type: ignore[union-attr]
        session.commit()
    outbox.run_pending(factory)
    assert outbox.run_entry(factory, entry_id) is None
    assert _row(factory, entry_id).attempts == outbox.MAX_ATTEMPTS  # type: ignore[union-attr]


def test_a_job_runs_with_the_request_id_that_queued_it(
    factory: sessionmaker[Session], seen: list[Any]
) -> None:
    with request_id_bound("req-0123456789"):
        entry_id = _queue(factory, WORKS)
    assert _row(factory, entry_id).request_id == "req-0123456789"  # type: ignore[union-attr]
    ok_before = _runs(WORKS, "ok")
    assert outbox.run_entry(factory, entry_id) == ("ok", 0.0)
    assert seen == [({"n": 1}, "req-0123456789")]
    assert current_request_id() is None  # unbound again after the job
    assert _row(factory, entry_id) is None
    assert _runs(WORKS, "ok") == ok_before + 1
    assert outbox.run_entry(factory, entry_id) is None  # a second message: nothing to do


def test_a_broker_that_is_down_does_not_fail_the_commit(factory: sessionmaker[Session]) -> None:
    import socket

    from ledgerdesk.jobs.delivery import Delivery

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delivery = Delivery(f"redis://127.0.0.1:{port}/0")
    delivery.install()
    try:
        entry_id = _queue(factory, WORKS)  # the commit succeeds; the relay will send it later
    finally:
        delivery.close()
    assert _row(factory, entry_id) is not None
    assert outbox.run_entry(factory, entry_id) == ("ok", 0.0)


def test_a_savepoint_rolled_back_does_not_unannounce_earlier_jobs(
    factory: sessionmaker[Session],
) -> None:
    announced: list[list[tuple[int, float]]] = []
    previous = outbox.set_dispatcher(announced.append)
    try:
        with factory() as session:
            outbox.enqueue(session, WORKS, {"n": 1})
            session.flush()
            try:
                with session.begin_nested():  # e.g. an upsert that lost a race
                    raise LookupError("handled")
            except LookupError:
                pass
            session.commit()
        with factory() as session:
            outbox.enqueue(session, WORKS, {"n": 2})
            session.flush()
            session.rollback()
    finally:
        outbox.set_dispatcher(previous)
    assert len(announced) == 1 and len(announced[0]) == 1  # the commit's job, not the rollback's
