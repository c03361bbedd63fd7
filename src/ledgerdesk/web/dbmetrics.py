"""Metrics read from the database when Prometheus scrapes: every web process answers the
same, whichever process did the work.

The job queue is read at most every 2 s (a few hundred rows at worst, on ``ix_outbox_due``);
SLA breaches and guard findings are whole-table counts, read at most every 30 s. The queries
name their columns through lightweight ``table()`` objects rather than the models, and
``outbox.dead_at`` (the dead-letter state) is counted only where the column exists.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import DateTime, Engine, Integer, String, case, column, func, inspect, select, table
from sqlalchemy.engine import Connection

from ledgerdesk.core.clock import utcnow

log = logging.getLogger("ledgerdesk.web.metrics")

QUEUE_SECONDS = 2.0
COUNTS_SECONDS = 30.0
SCHEMA_SECONDS = 60.0

_outbox = table(
    "outbox",
    column("topic", String),
    column("available_at", DateTime),
    column("attempts", Integer),
    column("dead_at", DateTime),
)
_sla = table(
    "sla_targets",
    column("target", String),
    column("breached_at", DateTime),
    column("completed_at", DateTime),
)
_findings = table("guard_findings", column("kind", String))


class _Cached:
    """The families one reader made, kept ``ttl`` seconds."""

    def __init__(self, ttl: float, read: Callable[[Connection], list[Metric]]) -> None:
        self.ttl = ttl
        self.read = read
        self.at = -float("inf")
        self.families: list[Metric] = []


class DatabaseCollector(Collector):
    """Job queue, SLA and guard figures from the database, cached between scrapes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._parts = [_Cached(QUEUE_SECONDS, self._queue), _Cached(COUNTS_SECONDS, _counts)]
        self._has_dead_at: tuple[float, bool] = (-float("inf"), False)
        self._up = 1.0

    def collect(self) -> Iterable[Metric]:
        with self._lock:  # one scrape reads the database; a concurrent one waits for it
            self._refresh(time.monotonic())
            families = [family for part in self._parts for family in part.families]
            up = self._up
        yield GaugeMetricFamily(
            "ledgerdesk_database_up",
            "1: the database figures are fresh; 0: the last read failed (they are older).",
            value=up,
        )
        yield from families

    def _refresh(self, now: float) -> None:
        stale = [part for part in self._parts if now - part.at >= part.ttl]
        if not stale:
            return
        try:
            with self.engine.connect() as conn:
                for part in stale:
                    part.families = part.read(conn)
                    part.at = now
            self._up = 1.0
        except Exception as exc:  # a scrape must answer even when the database does not
            log.warning("metrics: database figures unavailable: %s", exc.__class__.__name__)
            self._up = 0.0

    def _dead_letters(self, conn: Connection) -> bool:
        checked, known = self._has_dead_at
        if time.monotonic() - checked < SCHEMA_SECONDS:
            return known
        names = {c["name"] for c in inspect(conn).get_columns("outbox")}
        self._has_dead_at = (time.monotonic(), "dead_at" in names)
        return "dead_at" in names

    def _queue(self, conn: Connection) -> list[Metric]:
        has_dead = self._dead_letters(conn)
        now = utcnow()
        queued = GaugeMetricFamily(
            "ledgerdesk_jobs_queued",
            "Jobs in the outbox not yet done (waiting, scheduled or retrying), by topic.",
            labels=["topic"],
        )
        retrying = GaugeMetricFamily(
            "ledgerdesk_jobs_retrying",
            "Queued jobs that failed at least once and wait for another attempt, by topic.",
            labels=["topic"],
        )
        oldest = GaugeMetricFamily(
            "ledgerdesk_jobs_oldest_due_seconds",
            "How long the oldest job that is due has waited for a worker, by topic.",
            labels=["topic"],
        )
        due = case((_outbox.c.available_at <= now, _outbox.c.available_at))
        query = select(
            _outbox.c.topic,
            func.count(),
            func.sum(case((_outbox.c.attempts > 0, 1), else_=0)),
            func.min(due, type_=DateTime),
        ).group_by(_outbox.c.topic)
        if has_dead:
            query = query.where(_outbox.c.dead_at.is_(None))
        for topic, count, failed, first_due in conn.execute(query):
            queued.add_metric([topic], count)
            retrying.add_metric([topic], failed or 0)
            oldest.add_metric([topic], _age(now, first_due))
        families: list[Metric] = [queued, retrying, oldest]
        if has_dead:
            families.append(_dead(conn))
        return families


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def _dead(conn: Connection) -> Metric:
    dead = GaugeMetricFamily(
        "ledgerdesk_jobs_dead",
        "Jobs that used up their attempts and wait for an admin (retry or drop), by topic.",
        labels=["topic"],
    )
    query = (
        select(_outbox.c.topic, func.count())
        .where(_outbox.c.dead_at.is_not(None))
        .group_by(_outbox.c.topic)
    )
    for topic, count in conn.execute(query):
        dead.add_metric([topic], count)
    return dead


def _counts(conn: Connection) -> list[Metric]:
    breaches = GaugeMetricFamily(
        "ledgerdesk_sla_breaches",
        "SLA clocks that breached their target, ever, by target (first_reply, resolution…).",
        labels=["target"],
    )
    open_breaches = GaugeMetricFamily(
        "ledgerdesk_sla_breached_open",
        "Breached SLA clocks still running (the ticket still owes that answer), by target.",
        labels=["target"],
    )
    query = (
        select(
            _sla.c.target,
            func.count(),
            func.sum(case((_sla.c.completed_at.is_(None), 1), else_=0)),
        )
        .where(_sla.c.breached_at.is_not(None))
        .group_by(_sla.c.target)
    )
    for target, count, still_open in conn.execute(query):
        breaches.add_metric([target], count)
        open_breaches.add_metric([target], still_open or 0)
    findings = GaugeMetricFamily(
        "ledgerdesk_guard_findings",
        "Secrets and lookalike links the guard found (and kept out of storage), by kind.",
        labels=["kind"],
    )
    by_kind = select(_findings.c.kind, func.count()).group_by(_findings.c.kind)
    for kind, count in conn.execute(by_kind):
        findings.add_metric([kind], count)
    return [breaches, open_breaches, findings]
