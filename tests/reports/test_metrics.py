"""The figures against the hand-computed values of tests/reports/history.py (both databases)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.reports import cache, facts, metrics
from ledgerdesk.reports.filters import Filters, parse_filters
from ledgerdesk.reports.models import TicketFacts, Watermark
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status
from tests.conftest import actor_of
from tests.reports.history import NOW, History, at, build


@pytest.fixture
def history(db_session: Session) -> History:
    h = build(db_session)
    facts.recompute(db_session, [t.id for t in h.tickets.values()])
    return h


def _filters(h: History, **kw: object) -> Filters:
    return Filters(date(2020, 3, 2), date(2020, 3, 4), team_id=h.team.id, **kw)  # type: ignore[arg-type]


def test_per_ticket_facts(db_session: Session, history: History) -> None:
    f = {n: db_session.get(TicketFacts, t.id) for n, t in history.tickets.items()}
    t1, t2, t3, t4, t5 = (f[n] for n in ("t1", "t2", "t3", "t4", "t5"))
    assert t1 and t2 and t3 and t4 and t5
    assert (t1.first_reply_seconds, t1.resolution_seconds, t1.one_touch) == (1800, 7200, True)
    assert t1.first_reply_agent_id == history.a.id and t1.solved_by_agent_id == history.a.id
    assert (t2.first_reply_seconds, t2.resolution_seconds, t2.agent_replies) == (7200, 18000, 2)
    assert not t2.one_touch and t2.first_reply_agent_id == history.b.id
    assert (t3.first_reply_seconds, t3.resolution_seconds, t3.reopens) == (600, 93600, 1)
    assert t3.first_solved_at == at(3, 8, 20) and t3.solved_at == at(4, 10) and not t3.one_touch
    assert (t4.first_reply_at, t4.solved_at, t4.status) == (None, None, "new")
    assert (t5.first_reply_seconds, t5.status, t5.solved_at) == (3600, "pending", None)
    assert (t2.channel, t2.language, t2.team_id) == ("email", "zh-CN", history.team.id)


def test_summary_matches_the_hand_computed_figures(db_session: Session, history: History) -> None:
    s = metrics.summary(db_session, _filters(history), now=NOW)
    assert s.created == 5
    assert s.first_reply == metrics.Duration(4, 2700.0, 6120.0)
    assert s.resolution == metrics.Duration(3, 18000.0, 78480.0)
    assert (s.solved, s.one_touch, s.one_touch_rate) == (3, 1, 0.3333)
    assert (s.first_solved, s.reopened, s.reopen_rate) == (3, 1, 0.3333)
    assert s.backlog == 2
    assert dict(s.backlog_ages) == {"lt_1d": 1, "1_3d": 1, "3_7d": 0, "7_30d": 0, "gt_30d": 0}
    assert s.daily == [("2020-03-02", 2, 2), ("2020-03-03", 2, 0), ("2020-03-04", 1, 1)]
    assert s.by_channel == [("portal", 3), ("chat", 1), ("email", 1)]
    assert s.by_language == [("en", 3), ("zh-CN", 2)]
    assert s.by_team == [(history.team.name, 5)]
    sla = {r.target: r for r in s.sla}
    assert (sla["first_reply"].met, sla["first_reply"].breached, sla["first_reply"].running) == (
        1,
        1,
        1,
    )
    assert sla["first_reply"].attainment == 0.5
    assert sla["resolution"].attainment == 1.0 and sla["next_reply"].attainment is None
    assert (s.csat["asked"], s.csat["csat_percent"], s.csat["average"]) == (2, 50.0, 3.5)
    assert s.deflection == {
        "attempts": 3,
        "deflected": 2,
        "ticket_created": 1,
        "open": 0,
        "rate": 0.6667,
    }
    assert s.assistant["conversations"] == 0 and s.assistant["rate"] is None


def test_filters_narrow_the_figures(db_session: Session, history: History) -> None:
    zh = metrics.summary(db_session, _filters(history, language="zh"), now=NOW)
    assert zh.created == 2 and zh.first_reply == metrics.Duration(2, 5400.0, 6840.0)
    email = metrics.summary(db_session, _filters(history, channel="email"), now=NOW)
    assert (email.created, email.solved, email.one_touch_rate) == (1, 1, 0.0)
    one_day = Filters(date(2020, 3, 3), date(2020, 3, 3), team_id=history.team.id)
    day = metrics.summary(db_session, one_day, now=NOW)
    assert (day.created, day.first_reply.count, day.solved, day.first_solved) == (2, 1, 0, 1)
    assert day.reopen_rate == 1.0


def test_per_agent_figures(db_session: Session, history: History) -> None:
    rows = {r.agent_id: r for r in metrics.agents(db_session, _filters(history))}
    a, b = rows[history.a.id], rows[history.b.id]
    assert (a.first_replies, a.first_reply_median, a.solved, a.one_touch) == (3, 1800.0, 2, 1)
    assert a.resolution_median == 50400.0
    assert (b.first_replies, b.first_reply_median, b.solved, b.one_touch) == (1, 7200.0, 1, 0)
    assert b.resolution_median == 18000.0 and history.lead.id not in rows


def test_refresh_follows_new_events_and_rebuild_gives_the_same(
    db_session: Session, history: History
) -> None:
    facts.refresh(db_session)
    mark = db_session.get(Watermark, facts.NAME)
    assert mark is not None and mark.last_event_id > 0
    t4 = history.tickets["t4"]
    with frozen_at(at(5, 11)):
        tickets.do_agent_reply(
            db_session, actor_of(history.b), t4, "Found it", status=Status.solved
        )
    db_session.flush()
    assert facts.refresh(db_session) >= 1
    row = db_session.get(TicketFacts, t4.id)
    assert row is not None
    db_session.refresh(row)
    assert (row.first_reply_seconds, row.resolution_seconds, row.one_touch) == (
        2 * 86400 - 3600,
        2 * 86400 - 3600,
        True,
    )
    before = _snapshot(db_session)
    count = facts.rebuild(db_session)
    assert count == db_session.scalar(select(func.count()).select_from(TicketFacts))
    assert _snapshot(db_session) == before
    assert facts.refresh(db_session) == 0  # nothing new


def _snapshot(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    rows = session.scalars(select(TicketFacts).order_by(TicketFacts.ticket_id)).all()
    return [
        (r.ticket_id, r.first_reply_seconds, r.resolution_seconds, r.reopens, r.one_touch, r.status)
        for r in rows
    ]


def test_percentile_is_linear_interpolation() -> None:
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([5], 0.9) == 5.0
    assert metrics.percentile([4, 1, 3, 2], 0.5) == 2.5
    assert metrics.percentile([10, 20, 30, 40, 50], 0.9) == 46.0


@pytest.mark.parametrize(
    "args",
    [
        {"start": "2020-13-01"},
        {"start": "2020-03-05", "end": "2020-03-01"},
        {"team_id": "abc"},
        {"channel": "pigeon"},
        {"language": "<script>"},
        {"start": "2000-01-01", "end": "2020-01-01"},
    ],
)
def test_bad_filters_are_refused(args: dict[str, str]) -> None:
    with pytest.raises(InvalidInput):
        parse_filters(**args)


def test_cache_holds_until_the_watermark_moves(db_session: Session, history: History) -> None:
    cache.clear()
    filters = _filters(history)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.cached(db_session, "t", filters, compute) == 1
    assert cache.cached(db_session, "t", filters, compute) == 1  # from the cache
    assert cache.cached(db_session, "t", _filters(history, channel="chat"), compute) == 2
    with frozen_at(at(5, 11)):
        tickets.do_add_note(db_session, actor_of(history.b), history.tickets["t4"], "new event")
    db_session.flush()
    facts.refresh(db_session)  # the job moves the watermark
    assert cache.cached(db_session, "t", filters, compute) == 3
    cache.clear()
