"""Enqueue jobs inside the caller's transaction and run them after commit.

A job is a topic and a small JSON payload of ids. Writing it in the same transaction as the
change means a crash can never lose it: either both are committed or neither is. Handlers
re-read the rows they need and must be safe to run twice (a crash after the handler's commit
but before the row's delete runs it again).

Who runs them: in embedded mode a thread of the web process (``Worker``); in production
``ledgerdesk worker`` processes, which take each job from Dramatiq on Redis when
``LEDGERDESK_REDIS_URL`` is set (``jobs.delivery``: a message per committed job, sent by an
after-commit hook installed with ``set_dispatcher``) or else poll this table. A job that
fails is retried with backoff; after ``MAX_ATTEMPTS`` it is a dead letter (``dead_at``) that
only an admin's retry brings back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, delete, event, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.context import current_request_id, request_id_bound
from ledgerdesk.core.metrics import JOB_PICKUP_SECONDS, job_finished
from ledgerdesk.jobs.models import OutboxEntry

log = logging.getLogger("ledgerdesk.jobs")

Handler = Callable[[Session, dict[str, Any]], None]
# Hands committed job ids (with their delay in seconds) to a broker; None: nothing to hand to.
Dispatcher = Callable[[list[tuple[int, float]]], None]
HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 12  # backoff doubles from 2 s, so the last try comes about 2 hours after the first
MAX_BACKOFF_SECONDS = 3600
_IDS = "ledgerdesk_outbox_ids"
_dispatcher: Dispatcher | None = None
_BATCH = 100
SQLITE_PAUSE_SECONDS = 0.12
SQLITE_RUN_SECONDS = 1.0

# Set after any commit that enqueued something, so an embedded worker wakes at once.
wakeup = threading.Event()


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``topic``."""

    def register(fn: Handler) -> Handler:
        HANDLERS[topic] = fn
        return fn

    return register


def enqueue(
    session: Session, topic: str, payload: dict[str, Any], *, delay_seconds: float = 0
) -> None:
    """Record a job in the caller's transaction; it runs only if that transaction commits
    (and not before ``delay_seconds`` have passed)."""
    entry = OutboxEntry(topic=topic, payload=payload, request_id=current_request_id())
    if delay_seconds > 0:
        entry.available_at = utcnow() + timedelta(seconds=delay_seconds)
    session.add(entry)
    session.info["ledgerdesk_outbox"] = True


def set_dispatcher(dispatcher: Dispatcher | None) -> Dispatcher | None:
    """Install what hands committed jobs to a broker (None: none, the default); returns the
    one it replaces. Called once per process by ``jobs.delivery``."""
    global _dispatcher
    previous, _dispatcher = _dispatcher, dispatcher
    return previous


def note_due(session: Session, entry_id: int, delay_seconds: float = 0) -> None:
    """Have the dispatcher send ``entry_id`` once ``session`` commits (a job made due again,
    or a row inserted without ``enqueue``)."""
    if _dispatcher is not None:
        session.info.setdefault(_IDS, []).append((entry_id, delay_seconds))
        session.info["ledgerdesk_outbox"] = True


@event.listens_for(Session, "after_flush")
def _collect_ids(session: Session, _context: Any) -> None:
    # Only with a broker to tell, and only for a session that enqueued: ids exist after flush.
    if _dispatcher is None or not session.info.get("ledgerdesk_outbox"):
        return
    now = utcnow()
    ids = session.info.setdefault(_IDS, [])
    for obj in session.new:
        if isinstance(obj, OutboxEntry) and obj.id is not None:
            delay = (obj.available_at - now).total_seconds() if obj.available_at else 0.0
            ids.append((obj.id, max(delay, 0.0)))


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop("ledgerdesk_outbox", False):
        wakeup.set()
        ids = session.info.pop(_IDS, None)
        dispatcher = _dispatcher
        if ids and dispatcher is not None:
            try:
                dispatcher(ids)
            except Exception:  # the broker is down: every worker's relay re-sends due jobs
                log.warning("could not hand %s job(s) to the broker", len(ids), exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous: Any) -> None:
    if getattr(previous, "nested", False):
        # A savepoint (a handled race, a job's failure): jobs queued before it still commit.
        # Ids flushed inside it are announced too, harmlessly: a message for no row is a no-op.
        return
    session.info.pop("ledgerdesk_outbox", None)
    session.info.pop(_IDS, None)


def run_pending(
    factory: sessionmaker[Session],
    limit: int = 1000,
    stop: threading.Event | None = None,
    topics: Collection[str] | None = None,
) -> int:
    """Run due jobs until none is left (or ``limit`` ran, or ``stop`` is set: it is checked
    between jobs, so a stopping worker finishes only the job in hand); return how many
    succeeded. ``topics`` limits the pass to those topics (a caller that waits for one kind of
    work, e.g. the mail a request owes, need not drain everything queued before it).

    Every job runs and commits in its own transaction. On PostgreSQL the job's row is locked
    with ``FOR UPDATE SKIP LOCKED``, so several workers share the queue without running one
    job at the same time; on SQLite the transaction takes the write lock first (``BEGIN
    IMMEDIATE``), so a job never reads a snapshot that a web request's commit then invalidates.
    """
    from ledgerdesk.composition import load_handlers

    load_handlers()
    done = 0
    seen: set[str] = set()
    while done < limit and not _stopping(stop):
        before = len(seen)
        with factory() as session:
            query = _due() if topics is None else _due().where(OutboxEntry.topic.in_(topics))
            due = list(session.scalars(query.limit(_BATCH)))
            session.rollback()
        bind = factory.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        last_pause = time.monotonic()
        for entry_id in due:
            if _stopping(stop):
                return done
            done += _run_claimed(factory, entry_id, seen)
            if sqlite and time.monotonic() - last_pause > SQLITE_RUN_SECONDS:
                # SQLite has one writer, and a waiting writer polls every 100 ms once it has
                # waited a while: back-to-back jobs (indexing a whole help center) would starve
                # web requests until their busy timeout. After each second of jobs, a pause
                # longer than one poll lets them in.
                time.sleep(SQLITE_PAUSE_SECONDS)
                last_pause = time.monotonic()
        if len(due) < _BATCH or len(seen) == before:  # nothing left, or only held-back jobs
            break
    return done


def _periodic_topics() -> dict[str, float]:
    from ledgerdesk.jobs.schedule import PERIODIC

    return PERIODIC


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _due() -> Select[Any]:
    return (
        select(OutboxEntry.id)
        .where(
            OutboxEntry.available_at <= utcnow(),
            OutboxEntry.dead_at.is_(None),
            OutboxEntry.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxEntry.id)
    )


def _claim(session: Session, entry_id: int) -> OutboxEntry | None:
    """Lock the job if it is due and no other worker holds it (None otherwise)."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    return session.scalars(
        select(OutboxEntry)
        .where(
            OutboxEntry.id == entry_id,
            OutboxEntry.dead_at.is_(None),
            OutboxEntry.attempts < MAX_ATTEMPTS,
            OutboxEntry.available_at <= utcnow(),
        )
        .with_for_update(skip_locked=True)
    ).first()


def run_entry(factory: sessionmaker[Session], entry_id: int) -> tuple[str, float] | None:
    """Run one job by id, as a broker's message asks: None when there is nothing to do (the
    job is gone, dead, or another worker holds it), else the outcome: ok, failed or dead,
    or early (the message came before the job is due: another clock, or a rounding). After
    failed or early, the seconds until the job is due."""
    with factory() as session:
        entry = _claim(session, entry_id)
        if entry is None:
            session.rollback()
            due_at = session.scalar(
                select(OutboxEntry.available_at).where(
                    OutboxEntry.id == entry_id, OutboxEntry.dead_at.is_(None)
                )
            )
            session.rollback()
            wait = (due_at - utcnow()).total_seconds() if due_at is not None else 0.0
            return ("early", wait) if wait > 0 else None
        ok = _run_one(session, entry)
        if ok:
            session.execute(delete(OutboxEntry).where(OutboxEntry.id == entry.id))
            outcome, retry_in = "ok", 0.0
        elif entry.dead_at is not None:
            outcome, retry_in = "dead", 0.0
        else:
            outcome = "failed"
            retry_in = max((entry.available_at - utcnow()).total_seconds(), 0.0)
        session.commit()
        return outcome, retry_in


def _run_claimed(factory: sessionmaker[Session], entry_id: int, seen: set[str]) -> int:
    with factory() as session:
        entry = _claim(session, entry_id)
        if entry is None:  # another worker has it, or had it
            return 0
        # A periodic job runs at most once per pass, its own follow-ups included (the log's
        # appender continues a backlog in follow-up runs): a caller draining the queue for
        # the mail a request owes must not spend its time on an endless periodic backlog.
        if entry.topic in _periodic_topics() and ("periodic:" + entry.topic) in seen:
            session.rollback()
            return 0
        # The same job queued twice (an article saved in several steps) runs once per pass.
        identity = entry.topic + json.dumps(entry.payload, sort_keys=True)
        ok = 1 if identity in seen else _run_one(session, entry)
        if entry.topic in _periodic_topics():
            seen.add("periodic:" + entry.topic)
        if ok:
            seen.add(identity)
            session.execute(delete(OutboxEntry).where(OutboxEntry.id == entry.id))
        session.commit()
        return ok


def _run_one(session: Session, entry: OutboxEntry) -> int:
    fn = HANDLERS.get(entry.topic)
    JOB_PICKUP_SECONDS.labels(topic=entry.topic).observe(
        max((utcnow() - entry.available_at).total_seconds(), 0.0)
    )
    started = time.perf_counter()
    with request_id_bound(entry.request_id):  # the request that queued it, in every log line
        try:
            with session.begin_nested():
                if fn is None:
                    raise LookupError(f"no handler for topic {entry.topic!r}")
                fn(session, dict(entry.payload))
        except Exception as exc:  # a job's failure is recorded and retried, never fatal
            _record_failure(entry, exc)
            outcome = "dead" if entry.dead_at is not None else "failed"
            job_finished(entry.topic, time.perf_counter() - started, outcome)
            return 0
    job_finished(entry.topic, time.perf_counter() - started, "ok")
    return 1


def _record_failure(entry: OutboxEntry, exc: Exception) -> None:
    from ledgerdesk.ai.guard import redact

    entry.attempts += 1
    # An exception's text may quote what the job handled (a mail, a webhook's answer):
    # redacted like everything the desk stores.
    entry.last_error = redact(f"{exc.__class__.__name__}: {exc}"[:2000])
    now = utcnow()
    if entry.attempts >= MAX_ATTEMPTS:
        entry.dead_at = now
        log.error(
            "job %s #%s failed %s times; it is dead until an admin retries it: %s",
            entry.topic,
            entry.id,
            entry.attempts,
            exc,
        )
        return
    entry.available_at = now + timedelta(seconds=backoff_seconds(entry.attempts))
    log.warning("job %s #%s failed (attempt %s): %s", entry.topic, entry.id, entry.attempts, exc)


def backoff_seconds(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failures: 2, 4, 8... up to an hour."""
    return float(min(2**attempts, MAX_BACKOFF_SECONDS))


def pending_count(session: Session) -> int:
    """Jobs still to run (dead letters not counted)."""
    from sqlalchemy import func

    query = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.dead_at.is_(None))
    return session.scalar(query) or 0


class Worker:
    """Runs the outbox in a loop: woken at once by local commits, polling for other processes'."""

    def __init__(self, factory: sessionmaker[Session], poll_seconds: float = 0.5) -> None:
        self.factory = factory
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> threading.Event:
        """Set once ``stop`` was called."""
        return self._stop

    def run_forever(self) -> None:
        from ledgerdesk.jobs.schedule import tick

        last_tick = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_tick >= 1.0:  # not on every local commit's wake-up
                    last_tick = time.monotonic()
                    tick(self.factory)  # periodic jobs due now join the queue (once per period)
                run_pending(self.factory, stop=self._stop)
            except Exception:  # the database may be briefly unreachable; try again next tick
                log.exception("outbox worker pass failed")
            wakeup.wait(self.poll_seconds)
            wakeup.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)
