"""Synthetic ticket history for the surge tests: bulk rows straight into ``tickets`` (tens of
thousands of tickets through the services would take minutes), with a fixed random seed."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledgerdesk.tickets.models import Ticket

# A Monday far from the tickets other tests create "now".
START = datetime(2025, 9, 1)
WEEKS = 5  # four weeks of history, then the week the detector is run over
# Tickets an hour on a weekday daytime (08:00-20:00); nights and weekends are quieter.
DAY_RATES = {
    ("deposit_missing", "tron"): 2.0,
    ("deposit_missing", "ethereum"): 1.2,
    ("deposit_missing", None): 0.8,
    ("withdrawal_delayed", "tron"): 1.5,
    ("withdrawal_delayed", "ethereum"): 1.5,
    ("login_problem", None): 2.0,
    ("how_to", None): 1.5,
}
MONDAY_PEAK = range(8, 11)  # Monday 08:00-11:00: the weekend's backlog arrives
MONDAY_FACTOR = 4.0


@dataclass(frozen=True)
class Hour:
    start: datetime

    @property
    def factor(self) -> float:
        weekday, hour = self.start.weekday(), self.start.hour
        if weekday == 0 and hour in MONDAY_PEAK:
            return MONDAY_FACTOR
        base = 1.0 if 8 <= hour < 20 else 0.3
        return base * (0.6 if weekday >= 5 else 1.0)


def hours(start: datetime, count: int) -> Iterator[Hour]:
    for i in range(count):
        yield Hour(start + timedelta(hours=i))


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method (the rates here are small)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def row(requester_id: int, intent: str, network: str | None, at: datetime) -> dict[str, Any]:
    return {
        "subject": f"{intent} {network or ''}".strip(),
        "requester_id": requester_id,
        "intent": intent,
        "network": network,
        "created_at": at,
        "updated_at": at,
        "search_text": " ",
    }


def history(requester_id: int, seed: int = 16) -> list[dict[str, Any]]:
    """``WEEKS`` weeks of ordinary tickets, spread evenly inside each hour."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for hour in hours(START, WEEKS * 7 * 24):
        for (intent, network), rate in DAY_RATES.items():
            n = poisson(rng, rate * hour.factor)
            for i in range(n):
                at = hour.start + timedelta(seconds=(i + 0.5) * 3600 / n)
                rows.append(row(requester_id, intent, network, at))
    return rows


def add(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``; the new tickets' ids."""
    before = session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)) or 0
    for i in range(0, len(rows), 2000):
        session.execute(insert(Ticket), rows[i : i + 2000])
    session.flush()
    return list(session.scalars(select(Ticket.id).where(Ticket.id > before)))


def count(rows: list[dict[str, Any]], start: datetime, end: datetime, **match: Any) -> int:
    return sum(
        1
        for r in rows
        if start <= r["created_at"] < end and all(r[k] == v for k, v in match.items())
    )
