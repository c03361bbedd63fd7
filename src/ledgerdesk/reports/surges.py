"""Surge detection: an intent, or an intent on one chain network ("deposit_missing on tron"),
far above its usual rate in the last hour.

The rule (docs/surges.md has the reasoning):

- window: the tickets created in the last hour, ``[now - 1 h, now)``;
- keys: each intent, and each (intent, network) pair, of those tickets;
- baseline: the same hour on the same weekday of the previous ``BASELINE_WEEKS`` weeks (so a
  Monday-morning peak is compared with earlier Monday mornings, a quiet Sunday night with
  Sunday nights); only weeks the desk already had tickets in count. Counts far above the
  median of those weeks are capped (``capped``); ``expected`` is their mean;
- alert when ``observed >= MIN_OBSERVED``, ``observed >= MIN_RATIO * max(expected,
  MIN_EXPECTED)`` and the p-value of the conditional binomial test (``judge``) is below
  ``MAX_P_VALUE``; ``score`` is ``-log10`` of that p-value.

A key with an alert that is not closed raises no second one: the job moves its
``last_seen_at`` while the surge lasts and closes it by itself ``QUIET_HOURS_TO_CLOSE`` hours
after the last run that still saw it. Each new alert notifies the leads once (kind
``surge``, with the newest example ticket).
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.channels.notifications import notify
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, NotFound
from ledgerdesk.jobs.schedule import periodic
from ledgerdesk.reports.surges_models import AlertStatus, SurgeAlert
from ledgerdesk.tickets.models import Ticket

log = logging.getLogger("ledgerdesk.surges")

TOPIC = "surges.detect"
WINDOW = timedelta(hours=1)
BASELINE_WEEKS = 4
MIN_OBSERVED = 8
MIN_RATIO = 3.0
MIN_EXPECTED = 1.0
MAX_P_VALUE = 1e-4
MAX_SCORE = 300.0
EXAMPLES = 5
QUIET_HOURS_TO_CLOSE = 3
NOT_CLOSED = (AlertStatus.open, AlertStatus.acknowledged)


@dataclass(frozen=True)
class Finding:
    """One key's figures for one window (an alert or not)."""

    intent: str
    network: str | None
    observed: int
    expected: float
    score: float
    surge: bool

    @property
    def key(self) -> str:
        return alert_key(self.intent, self.network)


def alert_key(intent: str, network: str | None) -> str:
    return f"{intent}@{network}" if network else intent


# --- the arithmetic ---------------------------------------------------------------------------


def binomial_tail(successes: int, trials: int, p: float) -> float:
    """``P(X >= successes)`` for ``X ~ Binomial(trials, p)``, summed in log space (exact for
    the tiny tails that matter here, where ``1 - cdf`` would round to 0)."""
    if successes <= 0:
        return 1.0
    if successes > trials:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    base = math.lgamma(trials + 1)
    total = 0.0
    for k in range(successes, trials + 1):
        log_term = base - math.lgamma(k + 1) - math.lgamma(trials - k + 1)
        term = math.exp(log_term + k * log_p + (trials - k) * log_q)
        total += term
        if k > trials * p and term <= total * 1e-15:  # past the mode: the rest is smaller
            break
    return min(total, 1.0)


def capped(samples: list[int]) -> list[float]:
    """Samples above ``median + 3 sqrt(median) + 3`` brought down to it: a surge in one of
    the earlier weeks must not hide the next one."""
    median = statistics.median(samples)
    cap = median + 3 * math.sqrt(median) + 3
    return [min(float(x), cap) for x in samples]


def judge(intent: str, network: str | None, observed: int, samples: list[int]) -> Finding:
    """The rule of the module's docstring, for one key: ``samples`` are the counts of the same
    hour in earlier weeks (empty: too little history, never a surge).

    The test is conditional: were the last hour like the ``n`` earlier ones, each of the
    ``observed + sum(samples)`` tickets would fall in the last hour with probability
    ``1 / (n + 1)``; the p-value is that binomial's tail. Unlike comparing with a Poisson of
    the baseline's mean it accounts for a baseline that is itself a small, noisy count."""
    if not samples:
        return Finding(intent, network, observed, 0.0, 0.0, False)
    baseline = capped(samples)
    expected = sum(baseline) / len(baseline)
    tail = binomial_tail(observed, observed + round(sum(baseline)), 1 / (len(baseline) + 1))
    score = min(-math.log10(tail), MAX_SCORE) if tail > 0 else MAX_SCORE
    surge = (
        observed >= MIN_OBSERVED
        and observed >= MIN_RATIO * max(expected, MIN_EXPECTED)
        and tail < MAX_P_VALUE
    )
    return Finding(intent, network, observed, round(expected, 2), round(score, 2), surge)


# --- counting ---------------------------------------------------------------------------------


Key = tuple[str, str | None]


def _counts(session: Session, start: datetime, end: datetime) -> dict[Key, int]:
    """Tickets created in ``[start, end)`` per intent (network None) and per (intent, network)."""
    query = (
        select(Ticket.intent, Ticket.network, func.count())
        .where(Ticket.created_at >= start, Ticket.created_at < end, Ticket.intent.is_not(None))
        .group_by(Ticket.intent, Ticket.network)
    )
    out: dict[Key, int] = defaultdict(int)
    for intent, network, n in session.execute(query):
        if intent is None:  # excluded by the query; for the type checker
            continue
        out[(intent, None)] += n
        if network:
            out[(intent, network)] += n
    return out


def _baseline(
    session: Session, end: datetime, intents: set[str]
) -> tuple[int, dict[Key, list[int]]]:
    """How many earlier weeks count, and per key the count of each of them (one query)."""
    first = session.scalar(select(func.min(Ticket.created_at)))
    windows: list[tuple[datetime, datetime]] = []
    for week in range(1, BASELINE_WEEKS + 1):
        w_end = end - timedelta(weeks=week)
        if first is not None and first <= w_end - WINDOW:
            windows.append((w_end - WINDOW, w_end))
    per_key: dict[Key, list[int]] = defaultdict(lambda: [0] * len(windows))
    if not windows or not intents:
        return len(windows), per_key
    in_window = [and_(Ticket.created_at >= s, Ticket.created_at < e) for s, e in windows]
    which = case(*[(cond, i) for i, cond in enumerate(in_window)], else_=-1)
    rows = (
        select(Ticket.intent, Ticket.network, which.label("week"))
        .where(or_(*in_window), Ticket.intent.in_(sorted(intents)))
        .subquery()
    )
    query = select(rows.c.intent, rows.c.network, rows.c.week, func.count()).group_by(
        rows.c.intent, rows.c.network, rows.c.week
    )
    for intent, network, index, n in session.execute(query):
        if index < 0:
            continue
        per_key[(intent, None)][index] += n
        if network:
            per_key[(intent, network)][index] += n
    return len(windows), per_key


def findings(session: Session, now: datetime | None = None) -> list[Finding]:
    """Every key seen in the hour before ``now``, judged, largest score first."""
    end = now or utcnow()
    observed = _counts(session, end - WINDOW, end)
    weeks, baseline = _baseline(session, end, {intent for intent, _ in observed})
    out = [
        judge(intent, network, n, baseline[(intent, network)] if weeks else [])
        for (intent, network), n in observed.items()
    ]
    return sorted(out, key=lambda f: (-f.score, f.key))


# --- alerts -----------------------------------------------------------------------------------


def _examples(session: Session, finding: Finding, start: datetime, end: datetime) -> list[int]:
    query = select(Ticket.id).where(
        Ticket.created_at >= start, Ticket.created_at < end, Ticket.intent == finding.intent
    )
    if finding.network:
        query = query.where(Ticket.network == finding.network)
    return list(session.scalars(query.order_by(Ticket.id.desc()).limit(EXAMPLES)))


def open_alert(session: Session, key: str) -> SurgeAlert | None:
    query = select(SurgeAlert).where(SurgeAlert.key == key, SurgeAlert.status.in_(NOT_CLOSED))
    return session.scalars(query.order_by(SurgeAlert.id.desc()).limit(1)).first()


def do_raise_alert(session: Session, finding: Finding, end: datetime) -> SurgeAlert | None:
    """Record the alert of a surging key and notify the leads; None while the key already
    has an alert that is not closed (its ``last_seen_at`` moves instead)."""
    existing = open_alert(session, finding.key)
    if existing is not None:
        existing.last_seen_at = end
        return None
    alert = SurgeAlert(
        key=finding.key,
        intent=finding.intent,
        network=finding.network,
        window_start=end - WINDOW,
        window_end=end,
        observed=finding.observed,
        expected=finding.expected,
        score=finding.score,
        example_ticket_ids=_examples(session, finding, end - WINDOW, end),
        status=AlertStatus.open,
        created_at=end,
        last_seen_at=end,
    )
    session.add(alert)
    session.flush()
    _notify_leads(session, alert)
    return alert


def _notify_leads(session: Session, alert: SurgeAlert) -> None:
    """Each active lead once (admins when the desk has no lead)."""
    example = alert.example_ticket_ids[0] if alert.example_ticket_ids else None
    for agent_id in _leads(session):
        notify(session, agent_id, "surge", f"surge:{alert.id}", ticket_id=example)


def _leads(session: Session) -> list[int]:
    for role in (Role.lead, Role.admin):
        query = select(Agent.id).where(Agent.active.is_(True), Agent.role == role)
        ids = list(session.scalars(query.order_by(Agent.id)))
        if ids:
            return ids
    return []


def _close_quiet(session: Session, now: datetime) -> int:
    """Close the alerts no run has seen surging for ``QUIET_HOURS_TO_CLOSE`` hours."""
    quiet_since = now - timedelta(hours=QUIET_HOURS_TO_CLOSE)
    query = select(SurgeAlert).where(
        SurgeAlert.status.in_(NOT_CLOSED), SurgeAlert.last_seen_at < quiet_since
    )
    rows = list(session.scalars(query))
    for alert in rows:
        alert.status, alert.closed_at = AlertStatus.closed, now
    return len(rows)


def detect(session: Session, now: datetime | None = None) -> list[SurgeAlert]:
    """One run of the job: close quiet alerts, raise new ones; returns the new alerts."""
    end = now or utcnow()
    _close_quiet(session, end)
    raised = []
    for finding in findings(session, end):
        if finding.surge:
            alert = do_raise_alert(session, finding, end)
            if alert is not None:
                log.info(
                    "surge %s: %s tickets, %.1f expected", alert.key, alert.observed, alert.expected
                )
                raised.append(alert)
    return raised


@periodic(TOPIC, every_seconds=300)
def detect_job(session: Session, payload: dict[str, Any]) -> None:
    """Safe to run twice: a second run finds the same keys already alerted."""
    detect(session)


# --- what leads do with an alert --------------------------------------------------------------


def list_alerts(session: Session, since: datetime, limit: int = 50) -> list[SurgeAlert]:
    """Alerts not closed (any age), then those closed since ``since``; newest first."""
    query = select(SurgeAlert).where(
        or_(SurgeAlert.status.in_(NOT_CLOSED), SurgeAlert.created_at >= since)
    )
    rows = session.scalars(query.order_by(SurgeAlert.id.desc()).limit(limit))
    return sorted(rows, key=lambda a: (a.status == AlertStatus.closed, -a.id))


def access_alert(session: Session, actor: Actor, alert_id: int) -> SurgeAlert:
    require_role(actor, Role.lead, Role.admin)
    alert = session.get(SurgeAlert, alert_id)
    if alert is None:
        raise NotFound(f"Surge alert {alert_id} not found")
    return alert


def do_acknowledge(session: Session, actor: Actor, alert: SurgeAlert) -> None:
    if alert.status != AlertStatus.open:
        raise Conflict("Only an open alert can be acknowledged")
    alert.status = AlertStatus.acknowledged
    alert.acknowledged_at, alert.acknowledged_by = utcnow(), actor.id


def do_close(session: Session, actor: Actor, alert: SurgeAlert) -> None:
    if alert.status == AlertStatus.closed:
        raise Conflict("This alert is already closed")
    alert.status = AlertStatus.closed
    alert.closed_at, alert.closed_by = utcnow(), actor.id


def do_link_incident(session: Session, alert_id: int, incident_id: int) -> None:
    """For the incidents pillar: remember the incident opened from an alert (and acknowledge
    it). Unknown alert ids are ignored: the form's ``surge`` parameter is only a hint."""
    alert = session.get(SurgeAlert, alert_id)
    if alert is None:
        return
    alert.incident_id = incident_id
    if alert.status == AlertStatus.open:
        alert.status, alert.acknowledged_at = AlertStatus.acknowledged, utcnow()
