"""Periodic jobs: due once per period, once across workers, never queued twice while waiting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.jobs import schedule
from ledgerdesk.jobs.models import JobSchedule, OutboxEntry
from ledgerdesk.jobs.outbox import HANDLERS

TOPIC = "test.periodic"
START = datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture
def factory(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    monkeypatch.setattr(schedule, "PERIODIC", {})
    monkeypatch.setitem(HANDLERS, TOPIC, lambda _s, _p: None)
    made = make_sessionmaker(engine)
    yield made
    with made() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.topic == TOPIC))
        session.execute(delete(JobSchedule).where(JobSchedule.name == TOPIC))
        session.commit()


def _queued(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return (
            session.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.topic == TOPIC)
            )
            or 0
        )


def _drain(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.topic == TOPIC))
        session.commit()


def test_a_periodic_job_runs_once_per_period(factory: sessionmaker[Session]) -> None:
    calls: list[dict[str, Any]] = []

    @schedule.periodic(TOPIC, every_seconds=60)
    def job(_session: Session, payload: dict[str, Any]) -> None:
        calls.append(payload)

    assert HANDLERS[TOPIC] is job
    with frozen_at(START):
        assert schedule.tick(factory) == [TOPIC]
        _drain(factory)
        assert schedule.tick(factory) == []  # a second worker in the same period: nothing
    with frozen_at(START + timedelta(seconds=59)):
        assert schedule.tick(factory) == []
    with frozen_at(START + timedelta(seconds=60)):
        assert schedule.tick(factory) == [TOPIC]
        assert schedule.tick(factory) == []
    assert _queued(factory) == 1


def test_a_job_still_waiting_is_not_queued_again(factory: sessionmaker[Session]) -> None:
    schedule.periodic(TOPIC, every_seconds=10)(lambda _s, _p: None)
    with frozen_at(START):
        assert schedule.tick(factory) == [TOPIC]
    with frozen_at(START + timedelta(minutes=5)):  # the first run never happened (worker down)
        assert schedule.tick(factory) == []
        assert _queued(factory) == 1
        _drain(factory)
        assert schedule.tick(factory) == [TOPIC]


def test_faster_than_once_a_second_is_refused() -> None:
    with pytest.raises(ValueError):
        schedule.periodic("test.too_fast", every_seconds=0.5)
