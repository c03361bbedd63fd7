"""What ``GET /api/v1/cases/register`` answers: the Art. 8 analysis with stable keys (the
page and the PDF show the same figures with labels)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from ledgerdesk.cases.analysis import Analysis, Breaches, Period, Timing
from ledgerdesk.cases.register_export import RegisterRow
from ledgerdesk.core.types import UtcDateTime


class TimingPublic(BaseModel):
    step: str  # received_acknowledged | acknowledged_decided | decided_closed | received_decided
    count: int
    average_hours: float | None
    median_hours: float | None


class PeriodPublic(BaseModel):
    month: str  # YYYY-MM (UTC)
    received: int
    answered: int
    closed: int


class CountPublic(BaseModel):
    key: str | None  # the kind, topic or outcome; null: no outcome recorded yet
    count: int


class BreachedCasePublic(BaseModel):
    reference: str
    kind: str
    received_at: UtcDateTime
    due_at: UtcDateTime | None
    limit_at: UtcDateTime | None
    decided_at: UtcDateTime | None
    days_taken: float
    breach: Literal["target", "limit"]


class BreachesPublic(BaseModel):
    answered_after_due: int
    answered_after_limit: int
    open_past_due: int
    open_past_limit: int
    with_delay_notice: int
    cases: list[BreachedCasePublic]


class RegisterAnalysisPublic(BaseModel):
    start: date
    end: date
    kind: str | None
    as_of: UtcDateTime
    received: int
    answered: int
    closed: int
    unanswered: int
    periods: list[PeriodPublic]
    timings: list[TimingPublic]
    breaches: BreachesPublic
    kinds: list[CountPublic]
    topics: list[CountPublic]
    outcomes: list[CountPublic]


def _breached(row: RegisterRow, a: Analysis) -> BreachedCasePublic:
    breach = row.breach(a.as_of)
    assert breach in ("target", "limit")  # Breaches.cases holds only breached rows
    return BreachedCasePublic(
        reference=row.reference,
        kind=row.kind,
        received_at=row.received_at,
        due_at=row.due_at,
        limit_at=row.limit_at,
        decided_at=row.decided_at,
        days_taken=row.days_taken(a.as_of),
        breach=breach,
    )


def _breaches(b: Breaches, a: Analysis) -> BreachesPublic:
    return BreachesPublic(
        answered_after_due=b.answered_after_due,
        answered_after_limit=b.answered_after_limit,
        open_past_due=b.open_past_due,
        open_past_limit=b.open_past_limit,
        with_delay_notice=b.with_delay_notice,
        cases=[_breached(r, a) for r in b.cases],
    )


def _period(p: Period) -> PeriodPublic:
    return PeriodPublic(month=p.month, received=p.received, answered=p.answered, closed=p.closed)


def _timing(t: Timing) -> TimingPublic:
    return TimingPublic(
        step=t.key, count=t.count, average_hours=t.average_hours, median_hours=t.median_hours
    )


def analysis_public(a: Analysis) -> RegisterAnalysisPublic:
    return RegisterAnalysisPublic(
        start=a.query.start,
        end=a.query.end,
        kind=a.query.kind.value if a.query.kind is not None else None,
        as_of=a.as_of,
        received=a.received,
        answered=a.answered,
        closed=a.closed,
        unanswered=a.unanswered,
        periods=[_period(p) for p in a.periods],
        timings=[_timing(t) for t in a.timings],
        breaches=_breaches(a.breaches, a),
        kinds=[CountPublic(key=k, count=n) for k, n in a.kinds],
        topics=[CountPublic(key=k, count=n) for k, n in a.topics],
        outcomes=[CountPublic(key=k, count=n) for k, n in a.outcomes],
    )
