"""Fixtures of the webhook tests: a local receiver, the allow-private switch (the receiver is
on 127.0.0.1), and jobs run by hand inside a test's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.models import WebhookEndpoint
from ledgerdesk.channels.webhooks import listener
from ledgerdesk.channels.webhooks import services as svc
from ledgerdesk.composition import load_handlers
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import HANDLERS
from tests.channels.webhooks.receiver import Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve()


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Jobs (which read the settings from the environment) may post to 127.0.0.1."""
    monkeypatch.setenv("LEDGERDESK_WEBHOOKS_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("LEDGERDESK_WEBHOOKS_TIMEOUT", "5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _forget_endpoint_cache() -> Iterator[None]:
    """A test's rolled-back endpoint must not make the next tests' flushes queue jobs."""
    listener.invalidate()
    yield
    listener.invalidate()


def webhook_jobs(session: Session) -> list[OutboxEntry]:
    query = select(OutboxEntry).where(OutboxEntry.topic.like("webhooks.%"))
    return list(session.scalars(query.order_by(OutboxEntry.id)))


def run_webhook_jobs(session: Session, limit: int | None = None) -> int:
    """Run the queued webhook jobs in the test's transaction, due or not (the waits of the
    retry schedule are checked on the rows instead), at most ``limit``; return how many ran.
    Without a limit, all of them (more than 500 fails: a job queueing itself forever)."""
    load_handlers()
    ran = 0
    while ran < (limit or 500):
        jobs = webhook_jobs(session)
        if not jobs:
            return ran
        entry = jobs[0]
        with session.begin_nested():
            HANDLERS[entry.topic](session, dict(entry.payload))
        session.delete(entry)
        session.flush()
        ran += 1
    if limit is None:
        raise AssertionError("more than 500 webhook jobs: a loop?")
    return ran


def delete_all_endpoints(factory: Any) -> None:
    with factory() as session:
        for endpoint in session.scalars(select(WebhookEndpoint)):
            svc.do_delete_endpoint(session, SYSTEM, endpoint)
        session.commit()
    listener.invalidate()
