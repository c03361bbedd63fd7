"""Jobs delivered by Dramatiq on Redis; the outbox table stays the source of truth.

A commit that queued jobs sends one small message per job id after it committed (never
inside the transaction: a rolled-back job is never announced). A worker's Dramatiq actor
claims the row (``FOR UPDATE SKIP LOCKED``), runs the handler in its own transaction and
deletes the row; a failure records the error and the backoff on the row and sends a delayed
message for the retry. A message for a row that is gone, dead or held by another worker does
nothing, so a message sent twice runs its job once; one that came early is sent again.

Messages can still be lost (a process dies between commit and send, Redis restarts without
persistence): every worker runs a ``Relay`` that, once a second, queues the periodic jobs
that are due (``schedule.tick``, once across all workers) and re-sends jobs that have waited
``grace`` seconds past their due time. Each re-send is claimed with ``FOR UPDATE SKIP LOCKED``
and stamped in ``relayed_at``, so many relays share the work without a leader and a job is
re-sent at most once per ``resend`` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from datetime import timedelta
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Retries
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry

log = logging.getLogger("ledgerdesk.jobs")

QUEUE = "ledgerdesk_jobs"
ACTOR = "ledgerdesk.run_job"
NAMESPACE = "ledgerdesk"
# An idle worker asks Redis for messages at least this often (ms): the bound on pickup latency
# when nothing is waiting. A busy worker fetches as soon as a thread is free.
IDLE_POLL_MS = 40
RELAY_GRACE_SECONDS = 5.0
RELAY_RESEND_SECONDS = 30.0
_RELAY_BATCH = 500


class Delivery:
    """A Dramatiq broker on Redis and the actor that runs outbox jobs by id.

    The web processes only send (``send``); ``ledgerdesk worker`` also consumes
    (``make_worker``). ``namespace`` and ``queue`` keep separate desks (or tests) on one Redis
    apart."""

    def __init__(
        self,
        redis_url: str,
        factory: sessionmaker[Session] | None = None,
        *,
        namespace: str = NAMESPACE,
        queue: str = QUEUE,
    ) -> None:
        self.factory = factory
        # Only Dramatiq's retries (with backoff) for a message whose run raised, which our
        # run never does for a job's own failure (that is the outbox's retry): the database
        # was unreachable. No time limit: it interrupts a thread inside a transaction.
        retries = Retries(max_retries=5, min_backoff=1000, max_backoff=60_000)
        # Timeouts: a web request's commit sends through this client; an unreachable Redis
        # must cost it a second, not a TCP timeout (the relay sends the job later).
        client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=1.0, socket_timeout=5.0, health_check_interval=30
        )
        self.broker = RedisBroker(  # type: ignore[no-untyped-call]
            client=client, namespace=namespace, middleware=[retries]
        )
        self.actor: dramatiq.Actor[[int], None] = dramatiq.Actor(
            self._perform,
            broker=self.broker,
            actor_name=ACTOR,
            queue_name=queue,
            priority=0,
            options={},
        )

    def send(self, ids: list[tuple[int, float]]) -> None:
        """One message per job id, delayed by its seconds until due (an outbox dispatcher)."""
        for entry_id, delay_seconds in ids:
            # rounded up, and a little late rather than early (an early message only re-sends)
            delay = math.ceil(delay_seconds * 1000) + 20 if delay_seconds > 0 else None
            self.actor.send_with_options(args=(entry_id,), delay=delay)

    def _perform(self, entry_id: int) -> None:
        if self.factory is None:
            raise RuntimeError("this Delivery only sends: it has no database")
        result = outbox.run_entry(self.factory, int(entry_id))
        if result is not None and result[0] in ("failed", "early"):
            self.send([(int(entry_id), result[1])])  # again when due (a retry's backoff)

    def install(self) -> None:
        """Send every job this process commits from now on."""
        outbox.set_dispatcher(self.send)

    def make_worker(self, concurrency: int) -> dramatiq.Worker:
        """A Dramatiq worker with ``concurrency`` threads (start it, stop it on SIGTERM)."""
        return dramatiq.Worker(self.broker, worker_threads=concurrency, worker_timeout=IDLE_POLL_MS)

    def close(self) -> None:
        if outbox._dispatcher == self.send:
            outbox.set_dispatcher(None)
        self.broker.close()


def namespace_for(database_url: str) -> str:
    """The Redis key prefix of a desk's job messages, from its database's name: web and
    worker processes of one desk agree on it, and two desks sharing a Redis (or tests on
    db 15) never take each other's messages."""
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database or "default"
    return f"{NAMESPACE}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"


def enabled(settings: Any) -> bool:
    """Production delivery: external jobs and a Redis to carry them."""
    return bool(settings.jobs == "external" and settings.redis_url)


def install_sender(settings: Any) -> Delivery | None:
    """In a web process: announce committed jobs to the workers through Redis (when
    ``enabled``); returns the delivery to close at shutdown."""
    if not enabled(settings):
        return None
    delivery = Delivery(settings.redis_url, namespace=namespace_for(settings.resolved_database_url))
    delivery.install()
    return delivery


def relay_once(
    factory: sessionmaker[Session],
    delivery: Delivery,
    *,
    grace: float = RELAY_GRACE_SECONDS,
    resend: float = RELAY_RESEND_SECONDS,
) -> int:
    """Re-send jobs due for more than ``grace`` seconds and not re-sent in the last
    ``resend``; returns how many. Safe in many workers at once (rows are claimed)."""
    now = utcnow()
    with factory() as session:
        ids = list(
            session.scalars(
                select(OutboxEntry.id)
                .where(
                    OutboxEntry.dead_at.is_(None),
                    OutboxEntry.attempts < outbox.MAX_ATTEMPTS,
                    OutboxEntry.available_at <= now - timedelta(seconds=grace),
                    or_(
                        OutboxEntry.relayed_at.is_(None),
                        OutboxEntry.relayed_at <= now - timedelta(seconds=resend),
                    ),
                )
                .order_by(OutboxEntry.id)
                .limit(_RELAY_BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            session.rollback()
            return 0
        session.execute(update(OutboxEntry).where(OutboxEntry.id.in_(ids)).values(relayed_at=now))
        session.commit()
    delivery.send([(entry_id, 0.0) for entry_id in ids])
    log.info("relay: re-sent %s job(s) that no worker had picked up", len(ids))
    return len(ids)


class Relay:
    """Each second: queue the periodic jobs that are due and re-send forgotten ones."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        delivery: Delivery,
        *,
        every: float = 1.0,
        grace: float = RELAY_GRACE_SECONDS,
        resend: float = RELAY_RESEND_SECONDS,
    ) -> None:
        self.factory = factory
        self.delivery = delivery
        self.every = every
        self.grace = grace
        self.resend = resend
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self) -> None:
        from ledgerdesk.jobs.schedule import tick

        while not self._stop.is_set():
            try:
                tick(self.factory)  # its commit sends the queued jobs (the dispatcher)
                relay_once(self.factory, self.delivery, grace=self.grace, resend=self.resend)
            except Exception:  # the database or Redis may be briefly unreachable
                log.exception("job relay pass failed")
            self._stop.wait(self.every)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="job-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
