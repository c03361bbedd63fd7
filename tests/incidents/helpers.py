"""Running the incident jobs inside a test's own (rolled-back) session."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.composition import load_handlers
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import HANDLERS, run_pending


def run_incident_jobs(session: Session, *, twice: bool = False) -> int:
    """Run every queued ``incidents.*`` job (and those they queue) until none is left; with
    ``twice``, each job runs two times, as a retried job would. Returns how many ran."""
    load_handlers()
    ran = 0
    while True:
        session.flush()
        query = select(OutboxEntry).where(OutboxEntry.topic.like("incidents.%"))
        entries = list(session.scalars(query.order_by(OutboxEntry.id)))
        if not entries:
            return ran
        for entry in entries:
            topic, payload = entry.topic, dict(entry.payload)
            session.delete(entry)
            session.flush()
            for _ in range(2 if twice else 1):
                HANDLERS[topic](session, payload)
                session.flush()
            ran += 1


def drain(factory: sessionmaker[Session], timeout: float = 15.0) -> None:
    """Run jobs until no ``incidents.*`` job is left: with a ``client`` open, the app's
    embedded worker may be running one (its row disappears only after its commit)."""
    deadline = time.monotonic() + timeout
    while True:
        run_pending(factory)
        with factory() as session:
            query = select(func.count()).where(OutboxEntry.topic.like("incidents.%"))
            left = session.scalar(query)
        if not left:
            return
        assert time.monotonic() < deadline, f"{left} incident jobs still queued"
        time.sleep(0.05)
