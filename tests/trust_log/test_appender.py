"""The appender: rows that commit out of id order are logged exactly once, and the periodic
job ``trust.log_append`` logs and signs through the outbox, as a worker runs it. These tests
commit (the order of commits is the point), so they reason only about their own rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.jobs import schedule
from ledgerdesk.jobs.models import JobSchedule, OutboxEntry
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets.models import ActorKind, Event, Message
from ledgerdesk.trust import log, merkle, signing
from ledgerdesk.trust.leaves import BY_NAME, leaf_bytes
from ledgerdesk.trust.log_models import LogCursor, LogKey, LogLeaf
from tests.conftest import make_ticket


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield make_sessionmaker(engine)


def _event(ticket_id: int, note: str, **fixed: int) -> Event:
    return Event(
        ticket_id=ticket_id,
        actor_kind=ActorKind.system,
        action="note",
        after={"note": note},
        **fixed,
    )


def _drain(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        while log.append_pending(session):
            session.commit()
        session.commit()


def _times_logged(factory: sessionmaker[Session], event_id: int) -> int:
    with factory() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(LogLeaf)
                .where(LogLeaf.source == "event", LogLeaf.source_id == event_id)
            )
            or 0
        )


def _event_cursor(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(LogCursor.low_id).where(LogCursor.source == "event")) or 0)


def test_rows_committed_out_of_id_order_are_logged_once(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    with factory() as session:
        ticket_id = make_ticket(session).id
        session.commit()
    _drain(factory)
    if engine.dialect.name == "postgresql":
        # Two transactions: the first takes the lower id but commits last.
        slow, fast = factory(), factory()
        early = _event(ticket_id, "slow")
        slow.add(early)
        slow.flush()
        late = _event(ticket_id, "fast")
        fast.add(late)
        fast.commit()
        low, high = early.id, late.id
        _drain(factory)  # the lower id is still uncommitted
        slow.commit()
        slow.close()
    else:
        # SQLite has one writer at a time, so no transaction stays open under the appender:
        # the higher id commits and is logged, then the lower one commits.
        with factory() as session:
            top = int(session.scalar(select(func.max(Event.id))) or 0)
            low, high = top + 1, top + 2
            session.add(_event(ticket_id, "fast", id=high))
            session.commit()
        _drain(factory)
        with factory() as session:
            session.add(_event(ticket_id, "slow", id=low))
            session.commit()
    assert low < high
    # before the lower id committed, only the higher one was logged, and the cursor waited
    assert _times_logged(factory, high) == 1 and _times_logged(factory, low) == 0
    assert _event_cursor(factory) < low
    _drain(factory)
    _drain(factory)  # a second pass logs nothing twice
    assert _times_logged(factory, low) == 1 and _times_logged(factory, high) == 1
    with factory() as session:
        for event_id in (low, high):
            leaf = log.leaf_for(session, "event", event_id)
            row = session.get(Event, event_id)
            assert leaf is not None and row is not None
            expected = merkle.leaf_hash(leaf_bytes("event", row))
            assert log.leaf_hash_at(session, leaf.idx) == expected


def test_a_gap_is_given_up_after_its_time(factory: sessionmaker[Session]) -> None:
    """An id that never commits (a rolled-back insert) does not stop the rows after it from
    being logged, and holds the cursor only until the row after it is GAP_SECONDS old."""
    with factory() as session:
        ticket_id = make_ticket(session).id
        session.commit()
    with factory() as session:
        doomed = _event(ticket_id, "rolled back")
        session.add(doomed)
        session.flush()
        session.rollback()
    with factory() as session:
        after = _event(ticket_id, "after the gap")
        session.add(after)
        session.commit()
        after_id = after.id
    _drain(factory)
    assert _times_logged(factory, after_id) == 1
    source = BY_NAME["event"]
    young = SimpleNamespace(id=12, created_at=utcnow())
    old = SimpleNamespace(id=12, created_at=utcnow() - timedelta(seconds=log.GAP_SECONDS + 5))
    assert log._advance(10, [young], source) == 10  # 11 may still commit
    assert log._advance(10, [old], source) == 12  # 11 was given up on
    assert log._advance(10, [SimpleNamespace(id=11, created_at=utcnow()), young], source) == 12


def test_the_periodic_job_logs_and_signs_through_the_outbox(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule, "PERIODIC", {log.TOPIC: float(log.EVERY_SECONDS)})
    _drain(factory)  # earlier tests' rows, logged first: one run of the job then covers ours
    with factory() as session:
        ticket = make_ticket(session)
        session.commit()
        message = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
        assert message is not None
    schedule.tick(factory)  # the first tick of a new periodic job only creates its row
    with factory() as session:
        session.execute(
            update(JobSchedule)
            .where(JobSchedule.name == log.TOPIC)
            .values(next_run_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    schedule.tick(factory)
    with factory() as session:  # queued by one of the ticks (the first, if the row existed)
        queued = select(OutboxEntry.id).where(OutboxEntry.topic == log.TOPIC)
        assert session.scalar(queued) is not None
    assert run_pending(factory) >= 1
    with factory() as session:
        leaf = log.leaf_for(session, "message", message)
        head = log.latest_head(session)
        assert leaf is not None and head is not None and head.tree_size > leaf.idx
        public = session.get(LogKey, head.key_id)
        assert public is not None and public.public_key == signing.public_hex(signing.signing_key())
        signed = merkle.head_message(head.tree_size, head.timestamp, head.root_hash, head.key_id)
        assert signing.verify(public.public_key, signed, head.signature)
        digest = log.leaf_hash_at(session, leaf.idx)
        assert digest is not None
        path = log.inclusion_proof(session, leaf.idx, head.tree_size)
        root = bytes.fromhex(head.root_hash)
        assert merkle.verify_inclusion(leaf.idx, head.tree_size, digest, path, root)
