"""The analysis MiCA's complaints RTS (Art. 8) asks for, over the register's rows: how many
cases came in and were answered and closed per month, the average and median time of each
step, the breaches of time limits, and the counts per topic and per outcome.

The set analysed is the cases *received* in the range (their times, breaches, topics and
outcomes); the monthly answers and closures count the register's ``decision`` /
``summary_resolution`` / ``inadmissible`` and ``closed`` steps dated in the range, whenever
their case was received. A case still unanswered is measured at ``as_of`` (now).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.cases.models import Case, CaseEvent
from ledgerdesk.cases.register_export import ANSWER_STEPS, RegisterQuery, RegisterRow, load_rows
from ledgerdesk.core.clock import utcnow
from ledgerdesk.web.labels import N_

Ends = Callable[[RegisterRow], tuple[datetime | None, datetime | None]]
# (key, label, the two moments): each transition is measured over the cases that have both.
TRANSITIONS: tuple[tuple[str, str, Ends], ...] = (
    (
        "received_acknowledged",
        N_("Received → acknowledged"),
        lambda r: (r.received_at, r.acknowledged_at),
    ),
    (
        "acknowledged_decided",
        N_("Acknowledged → decided"),
        lambda r: (r.acknowledged_at, r.decided_at),
    ),
    ("decided_closed", N_("Decided → closed"), lambda r: (r.decided_at, r.closed_at)),
    ("received_decided", N_("Received → decided"), lambda r: (r.received_at, r.decided_at)),
)
TRANSITION_LABELS = {key: text for key, text, _ in TRANSITIONS}


@dataclass(frozen=True)
class Timing:
    key: str
    count: int
    average_hours: float | None
    median_hours: float | None


@dataclass(frozen=True)
class Period:
    month: str  # YYYY-MM
    received: int
    answered: int
    closed: int


@dataclass(frozen=True)
class Breaches:
    answered_after_due: int  # answered after the desk's own date
    answered_after_limit: int  # answered after the legal maximum
    open_past_due: int  # still unanswered, the desk's own date passed
    open_past_limit: int  # still unanswered, the legal maximum passed
    with_delay_notice: int  # cases the customer was told would be late
    cases: list[RegisterRow]  # every case with a breach, oldest first


@dataclass(frozen=True)
class Analysis:
    query: RegisterQuery
    as_of: datetime
    received: int
    answered: int
    closed: int
    unanswered: int
    periods: list[Period]
    timings: list[Timing]
    breaches: Breaches
    kinds: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    outcomes: list[tuple[str | None, int]]  # None: no outcome recorded yet


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def timing(key: str, ends: Ends, rows: Sequence[RegisterRow]) -> Timing:
    spans = [
        (end - start).total_seconds()
        for start, end in (ends(r) for r in rows)
        if start is not None and end is not None
    ]
    if not spans:
        return Timing(key, 0, None, None)
    return Timing(
        key, len(spans), _hours(statistics.fmean(spans)), _hours(statistics.median(spans))
    )


def breaches(rows: Sequence[RegisterRow], as_of: datetime) -> Breaches:
    def late(row: RegisterRow, moment: datetime | None) -> bool:
        return moment is not None and (row.ended_at or as_of) > moment

    answered = [r for r in rows if r.ended_at is not None]
    waiting = [r for r in rows if r.ended_at is None]
    return Breaches(
        answered_after_due=sum(late(r, r.due_at) for r in answered),
        answered_after_limit=sum(late(r, r.limit_at) for r in answered),
        open_past_due=sum(late(r, r.due_at) for r in waiting),
        open_past_limit=sum(late(r, r.limit_at) for r in waiting),
        with_delay_notice=sum(r.delay_notices > 0 for r in rows),
        cases=[r for r in rows if r.breach(as_of)],
    )


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def periods(session: Session, query: RegisterQuery, rows: Sequence[RegisterRow]) -> list[Period]:
    """Per calendar month (UTC) of the range: cases received, answers sent, closures."""
    received = Counter(r.received_at.strftime("%Y-%m") for r in rows)
    steps = (
        select(CaseEvent.step, CaseEvent.at)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.step.in_((*ANSWER_STEPS, "closed")),
            CaseEvent.at >= query.since,
            CaseEvent.at < query.until,
        )
    )
    if query.kind is not None:
        steps = steps.where(Case.kind == query.kind)
    answered: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for step, at in session.execute(steps):
        (closed if step == "closed" else answered)[at.strftime("%Y-%m")] += 1
    return [Period(m, received[m], answered[m], closed[m]) for m in _months(query.start, query.end)]


def _ranked(counter: Counter[str] | Counter[str | None]) -> list[tuple[object, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0] or "")))


def analyse(
    session: Session, query: RegisterQuery, rows: Sequence[RegisterRow], as_of: datetime
) -> Analysis:
    """The Art. 8 analysis of ``rows`` (``register_export.load_rows(session, query)``)."""
    outcomes: Counter[str | None] = Counter(r.outcome for r in rows)
    return Analysis(
        query=query,
        as_of=as_of,
        received=len(rows),
        answered=sum(r.decided_at is not None for r in rows),
        closed=sum(r.status == "closed" for r in rows),
        unanswered=sum(r.ended_at is None for r in rows),
        periods=periods(session, query, rows),
        timings=[timing(key, ends, rows) for key, _, ends in TRANSITIONS],
        breaches=breaches(rows, as_of),
        kinds=[(str(k), n) for k, n in _ranked(Counter(r.kind for r in rows))],
        topics=[(str(k), n) for k, n in _ranked(Counter(r.topic for r in rows))],
        outcomes=[(None if k is None else str(k), n) for k, n in _ranked(outcomes)],
    )


def analyse_register(
    session: Session, query: RegisterQuery, as_of: datetime | None = None
) -> tuple[list[RegisterRow], Analysis]:
    """The register's rows for ``query`` and their analysis, measured at ``as_of`` (now)."""
    rows = load_rows(session, query)
    return rows, analyse(session, query, rows, as_of or utcnow())
