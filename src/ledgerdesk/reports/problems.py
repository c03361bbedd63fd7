"""Common problems: for one day, the top intents and the terms that grew most, each compared
with the average day of the previous seven.

Days are UTC days (the desk has no time zone setting of its own yet). Terms come from
``tickets.search_text``: the analysed terms of each ticket's subject and messages (English
stemmed, Chinese segmented by jieba, stop words already removed), counted once per ticket.
Numbers, ticket numbers, hashes, addresses and order ids are not terms a lead can act on and
are left out (``reportable``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.search.analysis import has_chinese
from ledgerdesk.tickets.models import Ticket

BASELINE_DAYS = 7
TOP_INTENTS = 10
TOP_TERMS = 15
MIN_TERM_TICKETS = 3  # a term in fewer of the day's tickets is noise, however it grew
# The most recent tickets read per day for terms: a busy desk's page stays fast, and shares
# measured on a sample are scaled back to the day's real number of tickets.
TERM_SAMPLE_PER_DAY = 2000

_DIGITS = re.compile(r"\d")
_HEX = re.compile(r"^(0x)?[0-9a-f]{16,}$")


@dataclass(frozen=True)
class IntentRow:
    intent: str | None  # None: tickets triage has not classified
    count: int
    previous_average: float

    @property
    def change(self) -> float | None:
        """Percent change against the previous days' average (None when that was 0)."""
        if self.previous_average == 0:
            return None
        return round(100.0 * (self.count - self.previous_average) / self.previous_average, 1)


@dataclass(frozen=True)
class TermRow:
    term: str
    count: int  # tickets of the day that contain it
    previous_average: float  # tickets a day that contained it in the previous days

    @property
    def growth(self) -> float:
        """How many times its usual daily count (smoothed: a new term is not infinite)."""
        return round((self.count + 1) / (self.previous_average + 1), 2)


def parse_day(value: str, today: date) -> date:
    """``YYYY-MM-DD`` (empty: ``today``); a clear 422 for anything else."""
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("Write the day as YYYY-MM-DD", field="day") from None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def top_intents(session: Session, day: date, limit: int = TOP_INTENTS) -> list[IntentRow]:
    """The day's intents by ticket count, with the average day of the previous week."""
    start, end = day_bounds(day)
    today = _intent_counts(session, start, end)
    before = _intent_counts(session, start - timedelta(days=BASELINE_DAYS), start)
    rows = [
        IntentRow(intent, n, before.get(intent, 0) / BASELINE_DAYS) for intent, n in today.items()
    ]
    rows.sort(key=lambda r: (-r.count, r.intent or "~"))
    return rows[:limit]


def _intent_counts(session: Session, start: datetime, end: datetime) -> dict[str | None, int]:
    query = (
        select(Ticket.intent, func.count())
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(Ticket.intent)
    )
    return {intent: int(n) for intent, n in session.execute(query)}


def reportable(term: str) -> bool:
    """A word a lead can read: not a number, ticket number, hash, address or order id."""
    if has_chinese(term):
        return len(term) >= 2
    if len(term) < 3 or term.isdigit() or _HEX.match(term):
        return False
    return not (_DIGITS.search(term) and len(term) >= 8)


def growing_terms(session: Session, day: date, limit: int = TOP_TERMS) -> list[TermRow]:
    """The terms whose daily ticket count grew most against the previous week's average."""
    start, end = day_bounds(day)
    today = _term_counts(session, start, end, TERM_SAMPLE_PER_DAY)
    week_start = start - timedelta(days=BASELINE_DAYS)
    before = _term_counts(session, week_start, start, TERM_SAMPLE_PER_DAY * BASELINE_DAYS)
    rows = [
        TermRow(term, round(n), before.get(term, 0.0) / BASELINE_DAYS)
        for term, n in today.items()
        if n >= MIN_TERM_TICKETS and n > before.get(term, 0.0) / BASELINE_DAYS
    ]
    rows.sort(key=lambda r: (-r.growth, -r.count, r.term))
    return rows[:limit]


def _term_counts(session: Session, start: datetime, end: datetime, sample: int) -> dict[str, float]:
    """Per term, the tickets created in ``[start, end)`` that contain it (estimated from the
    newest ``sample`` tickets when there are more)."""
    window = (Ticket.created_at >= start, Ticket.created_at < end)
    total = int(session.scalar(select(func.count()).select_from(Ticket).where(*window)) or 0)
    query = select(Ticket.search_text).where(*window).order_by(Ticket.id.desc()).limit(sample)
    counts: dict[str, float] = {}
    read = 0
    for text in session.scalars(query):
        read += 1
        for term in set(text.split()):
            if reportable(term):
                counts[term] = counts.get(term, 0.0) + 1.0
    scale = total / read if read else 1.0
    return {term: n * scale for term, n in counts.items()}
