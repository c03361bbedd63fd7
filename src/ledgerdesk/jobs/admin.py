"""What an admin sees of the background jobs and does about failed ones (console page and
JSON API share these): counts by topic, the oldest waiting job's age, the failing and dead
jobs, retry (a dead job is due again, its attempts reset) and drop (the job is deleted)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import security_log
from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, NotFound
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry

log = logging.getLogger("ledgerdesk.jobs")


@dataclass(frozen=True)
class TopicCounts:
    """Jobs of one topic: waiting (never failed), retrying (failed, will try again), dead."""

    topic: str
    waiting: int
    retrying: int
    dead: int


@dataclass(frozen=True)
class Overview:
    topics: list[TopicCounts]
    oldest_waiting_seconds: float | None  # the longest a due job has waited; None: none due

    @property
    def totals(self) -> TopicCounts:
        return TopicCounts(
            "",
            sum(t.waiting for t in self.topics),
            sum(t.retrying for t in self.topics),
            sum(t.dead for t in self.topics),
        )


def state_of(entry: OutboxEntry) -> str:
    if entry.dead_at is not None:
        return "dead"
    return "retrying" if entry.attempts > 0 else "waiting"


def overview(db: Session, actor: Actor) -> Overview:
    accounts.require_role(actor, Role.admin)
    dead = OutboxEntry.dead_at.is_not(None)
    live = OutboxEntry.dead_at.is_(None)
    rows = db.execute(
        select(
            OutboxEntry.topic,
            func.sum(case((live & (OutboxEntry.attempts == 0), 1), else_=0)),
            func.sum(case((live & (OutboxEntry.attempts > 0), 1), else_=0)),
            func.sum(case((dead, 1), else_=0)),
        )
        .group_by(OutboxEntry.topic)
        .order_by(OutboxEntry.topic)
    ).all()
    now = utcnow()
    oldest = db.scalar(
        select(func.min(OutboxEntry.available_at)).where(live, OutboxEntry.available_at <= now)
    )
    return Overview(
        topics=[TopicCounts(t, int(w or 0), int(r or 0), int(d or 0)) for t, w, r, d in rows],
        oldest_waiting_seconds=_age(oldest, now),
    )


def _age(moment: datetime | None, now: datetime) -> float | None:
    if moment is None:
        return None
    return max((now - moment.replace(tzinfo=None)).total_seconds(), 0.0)


def failed_jobs(db: Session, actor: Actor, limit: int = 200) -> list[OutboxEntry]:
    """Dead jobs first, then the ones still retrying; newest failures first within each."""
    accounts.require_role(actor, Role.admin)
    return list(
        db.scalars(
            select(OutboxEntry)
            .where((OutboxEntry.dead_at.is_not(None)) | (OutboxEntry.attempts > 0))
            .order_by(OutboxEntry.dead_at.is_(None), OutboxEntry.id.desc())
            .limit(limit)
        )
    )


def get_job(db: Session, actor: Actor, job_id: int) -> OutboxEntry:
    accounts.require_role(actor, Role.admin)
    entry = db.get(OutboxEntry, job_id)
    if entry is None:
        raise NotFound("Job not found")
    return entry


def do_retry(db: Session, actor: Actor, entry: OutboxEntry, *, address: str = "") -> None:
    """A dead job becomes due now with its attempts reset (sent to the workers at commit);
    the security log records who did it."""
    accounts.require_role(actor, Role.admin)
    if entry.dead_at is None:
        raise Conflict("Only a dead job can be retried; this one is still queued")
    entry.dead_at = None
    entry.attempts = 0
    entry.available_at = utcnow()
    entry.relayed_at = None
    db.flush()
    outbox.note_due(db, entry.id)
    _record(db, "job_retried", actor, entry, address)
    log.info("admin %s retried job %s #%s", actor.id, entry.topic, entry.id)


def do_drop(db: Session, actor: Actor, entry: OutboxEntry, *, address: str = "") -> None:
    """Delete a failed or dead job: it will never run (the security log keeps who dropped
    which job, since what it owed, an e-mail or a webhook, is then never delivered)."""
    accounts.require_role(actor, Role.admin)
    if entry.dead_at is None and entry.attempts == 0:
        raise Conflict("Only a failed or dead job can be dropped; this one has not run yet")
    _record(db, "job_dropped", actor, entry, address)
    db.delete(entry)
    db.flush()
    log.info("admin %s dropped job %s #%s", actor.id, entry.topic, entry.id)


def _record(db: Session, kind: str, actor: Actor, entry: OutboxEntry, address: str) -> None:
    security_log.do_record(
        db,
        kind,
        actor=actor,
        target=security_log.Target("job", entry.id),
        address=address,
        detail=f"topic {entry.topic}",
    )


@lru_cache(maxsize=1)
def topic_names() -> dict[str, tuple[str, str]]:
    """Each topic's name on the page, (English, Chinese), from ``data/jobs/topics.yaml``."""
    path = shipped_data_dir() / "jobs" / "topics.yaml"
    loaded: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(item["key"]): (str(item["en"]), str(item["zh"])) for item in loaded}


def topic_label(topic: str) -> str:
    """The topic's name in the request's language; an unknown topic (a plugin's) as itself."""
    names = topic_names().get(topic)
    if names is None:
        return topic
    return names[1] if get_locale().lower().startswith("zh") else names[0]
