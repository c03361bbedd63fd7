"""Surge detection on a synthetic history: four ordinary weeks, then a week the job runs over
hour by hour, with one injected surge (found) and the usual Monday-morning peak (no alert)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.models import Notification
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.jobs.outbox import HANDLERS, enqueue, run_pending
from ledgerdesk.jobs.schedule import PERIODIC
from ledgerdesk.reports import surges
from ledgerdesk.reports.surges_models import AlertStatus, SurgeAlert
from tests.conftest import make_agent, make_customer
from tests.surges import synthetic

WEEK5 = synthetic.START + timedelta(weeks=4)  # Monday of the week under test
MONDAY_PEAK = WEEK5 + timedelta(hours=9)  # 09:00-10:00, inside the usual peak
SURGE = WEEK5 + timedelta(days=2, hours=14)  # Wednesday 14:00-15:00
INJECTED = 30


def _alerts(session: Session) -> list[SurgeAlert]:
    query = select(SurgeAlert).where(
        SurgeAlert.window_end >= synthetic.START,
        SurgeAlert.window_end < synthetic.START + timedelta(weeks=synthetic.WEEKS),
    )
    return list(session.scalars(query.order_by(SurgeAlert.id)))


def test_binomial_tail_matches_hand_values() -> None:
    # P(X >= 2 | Bin(3, 1/2)) = (3 + 1) / 8
    assert surges.binomial_tail(2, 3, 0.5) == pytest.approx(0.5)
    assert surges.binomial_tail(0, 5, 0.2) == 1.0
    assert surges.binomial_tail(6, 5, 0.2) == 0.0
    # P(X >= 8 | Bin(10, 0.2)) = 45 p^8 q^2 + 10 p^9 q + p^10
    hand = 45 * 0.2**8 * 0.8**2 + 10 * 0.2**9 * 0.8 + 0.2**10
    assert surges.binomial_tail(8, 10, 0.2) == pytest.approx(hand, rel=1e-9)
    tiny = surges.binomial_tail(60, 62, 0.2)  # far below what 1 - cdf could represent
    assert 0 < tiny < 1e-35


def test_the_rule_needs_history_volume_and_a_multiple() -> None:
    assert not surges.judge("deposit_missing", None, 40, []).surge  # no history yet
    assert not surges.judge("deposit_missing", None, 7, [0, 0, 0, 0]).surge  # too few
    assert surges.judge("deposit_missing", None, 8, [0, 1, 0, 1]).surge
    assert not surges.judge("deposit_missing", None, 20, [8, 7, 9, 30]).surge  # < 3x usual
    # a noisy small baseline: 8 after 0, 1, 1, 4 is not significant enough
    assert not surges.judge("withdrawal_delayed", None, 8, [0, 1, 1, 4]).surge
    found = surges.judge("deposit_missing", "tron", 30, [2, 3, 1, 60])  # a past surge: capped
    assert found.surge and found.key == "deposit_missing@tron"
    assert found.expected == pytest.approx((2 + 3 + 1 + 2.5 + 3 * 2.5**0.5 + 3) / 4, abs=0.01)


def test_detect_is_a_periodic_job() -> None:
    assert PERIODIC[surges.TOPIC] == 300
    assert HANDLERS[surges.TOPIC] is surges.detect_job


def test_synthetic_week_finds_the_surge_and_not_the_monday_peak(db_session: Session) -> None:
    lead = make_agent(db_session, Role.lead)
    customer = make_customer(db_session)
    rows = synthetic.history(customer.id)
    surge_rows = [
        synthetic.row(customer.id, "deposit_missing", "tron", SURGE + timedelta(seconds=100 * i))
        for i in range(INJECTED)
    ]
    synthetic.add(db_session, rows)
    injected = set(synthetic.add(db_session, surge_rows))

    # The Monday peak is real: four times the rest of the day, and a detector comparing with
    # the same hour of the day before (a Sunday) would call it a surge.
    peak = synthetic.count(rows, MONDAY_PEAK, MONDAY_PEAK + timedelta(hours=1))
    sunday = MONDAY_PEAK - timedelta(days=1)
    assert peak >= 20
    assert surges.judge(
        "x", None, peak, [synthetic.count(rows, sunday, sunday + surges.WINDOW)]
    ).surge

    raised: list[tuple[datetime, str]] = []
    for hour in synthetic.hours(WEEK5 + timedelta(hours=1), 7 * 24):
        for alert in surges.detect(db_session, hour.start):
            raised.append((hour.start, alert.key))
        if hour.start == SURGE + timedelta(hours=1):
            # the next 5-minute run still sees the surge: no second alert
            assert surges.detect(db_session, hour.start + timedelta(minutes=5)) == []

    end = SURGE + timedelta(hours=1)
    assert sorted(raised) == [(end, "deposit_missing"), (end, "deposit_missing@tron")]
    alerts = sorted(_alerts(db_session), key=lambda a: a.key)
    assert [a.key for a in alerts] == ["deposit_missing", "deposit_missing@tron"]
    tron = alerts[1]
    assert tron.intent == "deposit_missing" and tron.network == "tron"
    assert tron.window_start == SURGE and tron.window_end == end
    assert tron.observed >= INJECTED and tron.expected <= 5 and tron.score > 10
    assert set(tron.example_ticket_ids) <= injected and len(tron.example_ticket_ids) == 5
    # the job closed them by itself once the hour had been quiet for three hours
    assert all(a.status == AlertStatus.closed for a in alerts)
    assert tron.last_seen_at == end + timedelta(minutes=5)
    notes = db_session.scalars(
        select(Notification).where(Notification.agent_id == lead.id, Notification.kind == "surge")
    ).all()
    assert sorted(n.dedupe_key for n in notes) == sorted(f"surge:{a.id}" for a in alerts)
    assert all(n.ticket_id in injected for n in notes)


def test_an_open_alert_blocks_its_key_until_closed(db_session: Session) -> None:
    customer = make_customer(db_session)
    now = datetime(2025, 6, 4, 15, 0)
    for week in range(1, 5):  # a quiet history: one ticket in that hour each week
        at = now - timedelta(weeks=week, minutes=30)
        synthetic.add(db_session, [synthetic.row(customer.id, "p2p_dispute", None, at)])
    burst = [
        synthetic.row(customer.id, "p2p_dispute", None, now - timedelta(minutes=12 - i))
        for i in range(12)
    ]
    synthetic.add(db_session, burst)
    first = surges.detect(db_session, now)
    assert [a.key for a in first] == ["p2p_dispute"]
    surges.do_acknowledge(db_session, SYSTEM, first[0])
    assert surges.detect(db_session, now + timedelta(minutes=10)) == []  # acknowledged: open
    surges.do_close(db_session, SYSTEM, first[0])
    again = surges.detect(db_session, now + timedelta(minutes=20))
    assert [a.key for a in again] == ["p2p_dispute"] and again[0].id != first[0].id


def test_the_job_runs_through_the_outbox(app: Any, seeded: dict[str, Any]) -> None:
    """Wired as production runs it: queued, run by the worker's loop with the handlers the
    composition root loads, committed; the lead is notified."""
    factory = app.state.sessionmaker
    now = datetime(2024, 5, 8, 11, 0)
    network = f"net{uuid.uuid4().hex[:8]}"
    with factory() as session:
        customer = seeded["alice"].id
        rows = [
            synthetic.row(customer, "app_bug", network, now - timedelta(weeks=w, minutes=30))
            for w in range(1, 5)
        ]
        rows += [
            synthetic.row(customer, "app_bug", network, now - timedelta(minutes=i + 1))
            for i in range(15)
        ]
        synthetic.add(session, rows)
        session.commit()
    with frozen_at(now):
        with factory() as session:
            enqueue(session, surges.TOPIC, {"scheduled_at": now.isoformat()})
            session.commit()
        run_pending(factory)
    with factory() as session:
        alert = surges.open_alert(session, f"app_bug@{network}")
        assert alert is not None and alert.observed == 15 and alert.window_end == now
        note = session.scalars(
            select(Notification).where(Notification.dedupe_key == f"surge:{alert.id}")
        ).all()
        assert [n.agent_id for n in note if n.agent_id == seeded["lead"].id] == [seeded["lead"].id]
        for key in (f"app_bug@{network}", "app_bug"):  # leave no open alert behind
            row = surges.open_alert(session, key)
            if row is not None:
                surges.do_close(session, SYSTEM, row)
        session.commit()
