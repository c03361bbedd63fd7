"""``ledgerdesk worker``: runs queued background jobs (search indexing, backfills)."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.settings import get_settings

console = Console(stderr=True)


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run what is due, then exit")] = False,
    poll: Annotated[float, typer.Option(min=0.05, max=60, help="Seconds between polls")] = 0.5,
) -> None:
    """Run background jobs until stopped (SIGTERM/SIGINT finish the current job first)."""
    from ledgerdesk.channels.imap import ImapPoller, start_poller
    from ledgerdesk.chat.bus import get_bus
    from ledgerdesk.chat.publish import install as install_chat_publishing
    from ledgerdesk.composition import load_handlers
    from ledgerdesk.core.logs import configure_worker_observability
    from ledgerdesk.jobs.outbox import Worker, run_pending

    configure_worker_observability(get_settings())  # core/logs.py: log lines, job metrics
    load_handlers()
    settings = get_settings()
    factory = make_sessionmaker(make_engine(settings.resolved_database_url))
    # Messages the jobs add reach live chat clients like any other commit's (chat.publish).
    install_chat_publishing(factory, get_bus(settings))
    runner = Worker(factory, poll_seconds=poll)
    poller: ImapPoller | None = None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        runner.stop(timeout=0)  # checked between jobs: the job in hand finishes and commits
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
    console.print("Worker running; Ctrl-C to stop.")
    try:
        runner.run_forever()
    finally:
        if poller is not None:
            poller.stop()
