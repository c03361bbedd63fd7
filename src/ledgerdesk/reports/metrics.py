"""The report's figures over ``report_ticket_facts`` (definitions: docs/metrics.md).

Percentiles are linear interpolation between the closest ranks: PostgreSQL's
``percentile_cont``, and the same arithmetic in Python on SQLite."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Team
from ledgerdesk.ai.assistant import metrics as assistant_metrics
from ledgerdesk.channels.csat_report import csat_summary
from ledgerdesk.core.clock import utcnow
from ledgerdesk.kb.models import DeflectionAttempt
from ledgerdesk.reports.filters import Filters
from ledgerdesk.reports.models import TicketFacts
from ledgerdesk.sla.models import TARGETS, SlaTarget

OPEN = ("new", "open", "pending", "on_hold")
# Backlog age buckets: (key, lower bound, upper bound) in days since creation.
AGE_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("lt_1d", 0, 1),
    ("1_3d", 1, 3),
    ("3_7d", 3, 7),
    ("7_30d", 7, 30),
    ("gt_30d", 30, math.inf),
)


@dataclass(frozen=True)
class Duration:
    """Seconds over ``count`` tickets (median and p90 are None without any)."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class SlaRow:
    target: str
    met: int
    breached: int
    running: int

    @property
    def attainment(self) -> float | None:
        decided = self.met + self.breached
        return round(self.met / decided, 4) if decided else None


@dataclass(frozen=True)
class AgentRow:
    agent_id: int
    name: str
    first_replies: int
    first_reply_median: float | None
    solved: int
    one_touch: int
    resolution_median: float | None


@dataclass
class Summary:
    filters: Filters
    created: int = 0
    first_reply: Duration = Duration(0, None, None)
    resolution: Duration = Duration(0, None, None)
    one_touch: int = 0
    first_solved: int = 0
    reopened: int = 0
    backlog: int = 0
    backlog_ages: list[tuple[str, int]] = field(default_factory=list)
    daily: list[tuple[str, int, int]] = field(default_factory=list)  # day, created, solved
    by_intent: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_team: list[tuple[str, int]] = field(default_factory=list)  # team name, count
    sla: list[SlaRow] = field(default_factory=list)
    csat: dict[str, Any] = field(default_factory=dict)
    deflection: dict[str, Any] = field(default_factory=dict)
    assistant: dict[str, Any] = field(default_factory=dict)

    @property
    def solved(self) -> int:
        return self.resolution.count

    @property
    def one_touch_rate(self) -> float | None:
        return round(self.one_touch / self.solved, 4) if self.solved else None

    @property
    def reopen_rate(self) -> float | None:
        return round(self.reopened / self.first_solved, 4) if self.first_solved else None


# --- percentiles ------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation at position ``p·(n−1)`` of the sorted values (percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = p * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (pos - low))


def _durations(
    session: Session, key: Any, value: Any, conditions: list[Any]
) -> dict[Any, Duration]:
    """Count, median and p90 of ``value`` per ``key`` (``key`` None: one group, key None)."""
    keys = [key] if key is not None else []
    where = [*conditions, value.is_not(None)]
    if session.get_bind().dialect.name == "postgresql":
        query = select(
            *keys,
            func.count(),
            func.percentile_cont(0.5).within_group(value),
            func.percentile_cont(0.9).within_group(value),
        ).where(*where)
        if keys:
            query = query.group_by(*keys)
        out: dict[Any, Duration] = {}
        for row in session.execute(query):
            k = row[0] if keys else None
            count, median, p90 = row[-3], row[-2], row[-1]
            if count:
                out[k] = Duration(count, _num(median), _num(p90))
        return out
    groups: dict[Any, list[float]] = defaultdict(list)
    for row in session.execute(select(*keys, value).where(*where)):
        groups[row[0] if keys else None].append(row[-1])
    return {k: Duration(len(v), percentile(v, 0.5), percentile(v, 0.9)) for k, v in groups.items()}


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _between(column: Any, filters: Filters) -> list[ColumnElement[bool]]:
    return [column >= filters.since, column < filters.until]


# --- the summary ------------------------------------------------------------------------------


def summary(session: Session, filters: Filters, now: datetime | None = None) -> Summary:
    """Every figure of the page but the per-agent table (a dozen statements)."""
    now = now or utcnow()
    f = TicketFacts
    base = filters.ticket_conditions()
    result = Summary(filters=filters)
    _volumes(session, result, [*base, *_between(f.created_at, filters)])
    reply = _durations(
        session, None, f.first_reply_seconds, [*base, *_between(f.first_reply_at, filters)]
    )
    result.first_reply = reply.get(None, Duration(0, None, None))
    solved = [*base, *_between(f.solved_at, filters)]
    resolution = _durations(session, None, f.resolution_seconds, solved)
    result.resolution = resolution.get(None, Duration(0, None, None))
    _solved_counts(session, result, filters, base)
    _backlog(session, result, base, now)
    result.daily = _daily(session, filters, base)
    result.sla = sla_rows(session, filters)
    result.csat = csat_summary(session, filters.since, filters.until, filters.team_id)
    result.deflection = deflection(session, filters)
    result.assistant = assistant(session, filters, now)
    return result


def _volumes(session: Session, result: Summary, created: list[Any]) -> None:
    """Tickets created, and per intent, channel, language and team: one grouped statement."""
    f = TicketFacts
    keys = (f.intent, f.channel, f.language, f.team_id)
    rows = session.execute(select(*keys, func.count()).where(*created).group_by(*keys)).all()
    per: list[dict[Any, int]] = [defaultdict(int) for _ in keys]
    for *values, count in rows:
        for k, value in enumerate(values):
            per[k][value] += int(count)
    result.created = sum(int(r[-1]) for r in rows)

    def ranked(counts: dict[Any, int]) -> list[tuple[str, int]]:
        named = [(str(k) if k is not None else "", n) for k, n in counts.items()]
        return sorted(named, key=lambda kv: (-kv[1], kv[0]))

    result.by_intent, result.by_channel, result.by_language = (ranked(c) for c in per[:3])
    ids = [t for t in per[3] if t is not None]
    names = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all())
    result.by_team = ranked(
        {(str(names.get(t, f"#{t}")) if t is not None else None): n for t, n in per[3].items()}
    )


def _solved_counts(session: Session, result: Summary, filters: Filters, base: list[Any]) -> None:
    """One-touch among the solved, and reopened among the first solved, in one statement."""
    f = TicketFacts
    in_solved = and_(*_between(f.solved_at, filters))
    in_first = and_(*_between(f.first_solved_at, filters))
    row = session.execute(
        select(
            func.sum(case((and_(in_solved, f.one_touch.is_(True)), 1), else_=0)),
            func.sum(case((in_first, 1), else_=0)),
            func.sum(case((and_(in_first, f.reopens > 0), 1), else_=0)),
        ).where(*base, or_(in_solved, in_first))
    ).one()
    result.one_touch, result.first_solved, result.reopened = (int(v or 0) for v in row)


def _backlog(session: Session, result: Summary, base: list[Any], now: datetime) -> None:
    f = TicketFacts
    whens = [
        (f.created_at > now - timedelta(days=upper), key)
        for key, _, upper in AGE_BUCKETS
        if upper != math.inf
    ]
    bucket = case(*whens, else_=AGE_BUCKETS[-1][0])
    counts: dict[str, int] = dict(
        session.execute(
            select(bucket, func.count()).where(*base, f.status.in_(OPEN)).group_by(bucket)
        ).all()
    )
    result.backlog_ages = [(key, int(counts.get(key, 0))) for key, _, _ in AGE_BUCKETS]
    result.backlog = sum(n for _, n in result.backlog_ages)


def _daily(session: Session, filters: Filters, base: list[Any]) -> list[tuple[str, int, int]]:
    """Created and solved per day (one statement: two grouped halves)."""
    f = TicketFacts
    created_day, solved_day = func.date(f.created_at), func.date(f.solved_at)
    created = (
        select(literal("c"), created_day, func.count())
        .where(*base, *_between(f.created_at, filters))
        .group_by(created_day)
    )
    solved = (
        select(literal("s"), solved_day, func.count())
        .where(*base, *_between(f.solved_at, filters))
        .group_by(solved_day)
    )
    counts: dict[tuple[str, str], int] = {
        (str(kind), str(day)[:10]): int(n)
        for kind, day, n in session.execute(union_all(created, solved))
    }
    days = []
    day = filters.start
    while day <= filters.end:
        key = day.isoformat()
        days.append((key, counts.get(("c", key), 0), counts.get(("s", key), 0)))
        day += timedelta(days=1)
    return days


def sla_rows(session: Session, filters: Filters) -> list[SlaRow]:
    """Met, breached and still-running clocks started in the range, per target."""
    s = SlaTarget
    met = case((s.completed_at.is_not(None) & s.breached_at.is_(None), 1), else_=0)
    breached = case((s.breached_at.is_not(None), 1), else_=0)
    running = case((s.completed_at.is_(None) & s.breached_at.is_(None), 1), else_=0)
    query = (
        select(s.target, func.sum(met), func.sum(breached), func.sum(running))
        .where(*_between(s.started_at, filters))
        .group_by(s.target)
    )
    base = filters.ticket_conditions()
    if base:
        query = query.join(TicketFacts, TicketFacts.ticket_id == s.ticket_id).where(*base)
    found = {t: (int(a or 0), int(b or 0), int(c or 0)) for t, a, b, c in session.execute(query)}
    return [SlaRow(t, *found.get(t, (0, 0, 0))) for t in TARGETS]


def deflection(session: Session, filters: Filters) -> dict[str, Any]:
    """Help-center deflection attempts started in the range, by outcome."""
    d = DeflectionAttempt
    rows = session.execute(
        select(d.outcome, func.count()).where(*_between(d.created_at, filters)).group_by(d.outcome)
    ).all()
    counts = {str(getattr(o, "value", o)): int(n) for o, n in rows}
    deflected, opened = counts.get("deflected", 0), counts.get("ticket_created", 0)
    return {
        "attempts": sum(counts.values()),
        "deflected": deflected,
        "ticket_created": opened,
        "open": counts.get("open", 0),
        "rate": round(deflected / (deflected + opened), 4) if deflected + opened else None,
    }


def assistant(session: Session, filters: Filters, now: datetime) -> dict[str, Any]:
    """The assistant's automated resolutions over the range (ai/assistant/metrics.py)."""
    m = assistant_metrics.compute(session, filters.start, filters.end, now)
    return {
        "conversations": m.conversations,
        "resolved": m.resolved,
        "rate": round(m.resolution_rate, 4) if m.conversations else None,
        "handed_over": m.handed_over,
    }


# --- per agent --------------------------------------------------------------------------------


def agents(session: Session, filters: Filters) -> list[AgentRow]:
    """Per agent: first replies and solved tickets in the range (leads and admins only)."""
    f = TicketFacts
    base = filters.ticket_conditions()
    replies = _durations(
        session,
        f.first_reply_agent_id,
        f.first_reply_seconds,
        [*base, *_between(f.first_reply_at, filters), f.first_reply_agent_id.is_not(None)],
    )
    solved_where = [*base, *_between(f.solved_at, filters), f.solved_by_agent_id.is_not(None)]
    solved = _durations(session, f.solved_by_agent_id, f.resolution_seconds, solved_where)
    one_touch: dict[int | None, int] = dict(
        session.execute(
            select(f.solved_by_agent_id, func.count())
            .where(*solved_where, f.one_touch.is_(True))
            .group_by(f.solved_by_agent_id)
        ).all()
    )
    ids = sorted(set(replies) | set(solved))
    names = dict(session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids))).all())
    empty = Duration(0, None, None)
    rows = [
        AgentRow(
            agent_id=i,
            name=str(names.get(i, f"#{i}")),
            first_replies=replies.get(i, empty).count,
            first_reply_median=replies.get(i, empty).median,
            solved=solved.get(i, empty).count,
            one_touch=int(one_touch.get(i, 0)),
            resolution_median=solved.get(i, empty).median,
        )
        for i in ids
    ]
    return sorted(rows, key=lambda r: (-r.solved, -r.first_replies, r.name))
