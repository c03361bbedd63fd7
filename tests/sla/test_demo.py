"""The demo desk's service levels: policies from data/demo/sla.yaml, clocks run as the
history was written, and past breaches recorded at their due time."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.demo import services as demo
from ledgerdesk.demo.cases import read_cases
from ledgerdesk.sla.models import BusinessCalendar, SlaPolicy, SlaTarget, TeamCalendar
from ledgerdesk.sla.tasks import run_check
from ledgerdesk.tickets.models import Event
from tests.demo.conftest import empty_session  # noqa: F401  (the fixture)


def test_demo_has_policies_clocks_and_past_breaches(
    empty_session: Session,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "TICKET_COUNT", 80)
    monkeypatch.setattr(demo, "CUSTOMER_COUNT", 50)
    session = empty_session
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    demo.load_demo(session, now=now)
    session.flush()
    assert session.scalar(select(func.count()).select_from(SlaPolicy)) == 4
    assert session.scalar(select(func.count()).select_from(BusinessCalendar)) == 2
    assert session.scalar(select(func.count()).select_from(TeamCalendar)) == 4
    clocks = session.scalars(select(SlaTarget)).all()
    # every ticket ran clocks, the demo complaints' working tickets too
    assert len({c.ticket_id for c in clocks}) == 80 + len(read_cases()["cases"])
    breached = [c for c in clocks if c.breached_at is not None]
    assert breached and any(c.completed_at is None for c in clocks)
    events = session.scalars(select(Event).where(Event.action == "sla.breached")).all()
    assert len(events) == len(breached)
    for event in events:
        assert event.after is not None
        assert event.created_at == datetime.fromisoformat(event.after["due_at"]) <= now
    # nothing is left for the job: the history already holds what it would have recorded
    with frozen_at(now):
        assert run_check(session) == (0, 0)
