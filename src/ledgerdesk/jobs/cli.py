"""``ledgerdesk worker``: runs queued background jobs (mail, triage, search indexing...).

With ``LEDGERDESK_JOBS=external`` and ``LEDGERDESK_REDIS_URL`` the jobs come from Dramatiq on
Redis (``jobs.delivery``); otherwise the worker polls the outbox table, as before."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.settings import Settings, get_settings

console = Console(stderr=True)


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run what is due, then exit")] = False,
    poll: Annotated[float, typer.Option(min=0.05, max=60, help="Seconds between polls")] = 0.5,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            help="Jobs run at once (threads); default 4, or 1 polling a SQLite database",
        ),
    ] = None,
) -> None:
    """Run background jobs until stopped (SIGTERM/SIGINT finish the jobs in hand first)."""
    from ledgerdesk.channels.imap import ImapPoller, start_poller
    from ledgerdesk.chat.bus import get_bus
    from ledgerdesk.chat.publish import install as install_chat_publishing
    from ledgerdesk.composition import load_handlers
    from ledgerdesk.core.logs import configure_worker_observability
    from ledgerdesk.jobs import delivery
    from ledgerdesk.jobs.outbox import Worker, run_pending

    configure_worker_observability(get_settings())  # core/logs.py: log lines, job metrics
    load_handlers()
    settings = get_settings()
    factory = make_sessionmaker(make_engine(settings.resolved_database_url))
    # Messages the jobs add reach live chat clients like any other commit's (chat.publish).
    install_chat_publishing(factory, get_bus(settings))
    if not once and delivery.enabled(settings):
        _run_dramatiq(factory, settings, concurrency or 4)
        return
    sqlite = factory.kw["bind"].dialect.name == "sqlite"
    # SQLite has one writer: more polling threads would only queue for its lock.
    runners = [
        Worker(factory, poll_seconds=poll) for _ in range(concurrency or (1 if sqlite else 4))
    ]
    runner = runners[0]
    poller: ImapPoller | None = None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        for each in runners:  # checked between jobs: the jobs in hand finish and commit
            each.stop(timeout=0)
        if poller is not None:
            poller.stopping.set()  # checked between mails, like the jobs

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if once:
        from ledgerdesk.jobs.schedule import tick

        tick(factory)  # periodic jobs that are due run in this pass too
        console.print(f"Ran {run_pending(factory, limit=1_000_000, stop=runner.stopping)} jobs.")
        return
    poller = start_poller(factory, settings)  # e-mail in, when an IMAP mailbox is configured
    console.print(f"Worker polling the outbox with {len(runners)} thread(s); Ctrl-C to stop.")
    for other in runners[1:]:
        other.start()
    try:
        runner.run_forever()
    finally:
        for other in runners[1:]:
            other.stop(timeout=600)
        if poller is not None:
            poller.stop()


def _run_dramatiq(factory: sessionmaker[Session], settings: Settings, concurrency: int) -> None:
    """Jobs from Dramatiq on Redis, ``concurrency`` at a time, plus this worker's relay
    (periodic jobs, forgotten messages) and the IMAP poller. SIGTERM: stop taking messages,
    finish the jobs in hand, give the prefetched messages back to Redis."""
    from ledgerdesk.channels.imap import start_poller
    from ledgerdesk.jobs.delivery import Delivery, Relay, namespace_for

    namespace = namespace_for(settings.resolved_database_url)
    delivery = Delivery(settings.redis_url, factory, namespace=namespace)
    delivery.install()  # the jobs' own follow-ups, and the relay's periodic ones, are sent too
    relay = Relay(factory, delivery)
    worker = delivery.make_worker(concurrency)
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.start()
    relay.start()
    poller = start_poller(factory, settings)
    console.print(f"Worker running {concurrency} job(s) at a time from Redis; Ctrl-C to stop.")
    try:
        stopping.wait()
    finally:
        if poller is not None:
            poller.stopping.set()
        relay.stop()
        worker.stop(timeout=600_000)  # waits for the jobs in hand
        if poller is not None:
            poller.stop()
        delivery.close()
