"""Account-security tests: a fresh demo exchange per test (locks and resets change it), served
over real HTTP and put in place as the desk's exchange, and the desk's mail pointed at a real
local SMTP server."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, select

from ledgerdesk.account_security.models import SecurityRequest, SecurityRequestStep
from ledgerdesk.channels.mail import text_of
from ledgerdesk.channels.outgoing import MAIL_TOPIC
from ledgerdesk.core.settings import Settings
from ledgerdesk.exchange.client import ExchangeClient, override_exchange
from ledgerdesk.exchange.demo import start_demo_exchange
from ledgerdesk.exchange.demo_state import DemoExchange
from ledgerdesk.jobs.outbox import run_pending
from tests.channels.smtp import PointMail, SmtpServer, configure_mail, smtp_server
from tests.exchange.conftest import CHEN, KEY_ID, PORTAL_EMAIL, SECRET

__all__ = ["CHEN", "PORTAL_EMAIL", "configure_mail", "smtp_server"]


@dataclass
class Desk:
    state: DemoExchange
    client: ExchangeClient
    smtp: SmtpServer
    settings: Settings
    app: Any
    # Mail this test has looked at: the inbox's length when the test began, then after each
    # code read (the server is shared by the session's tests).
    read: int = 0

    def deliver(self) -> None:
        """Send what the desk queued (the mail jobs) to the local SMTP server. Only the mail
        jobs: the shared test database holds other tests' queued work (triage, the log), and
        draining it first could take longer than a test waits for its e-mail."""
        run_pending(self.app.state.sessionmaker, topics=[MAIL_TOPIC])

    def mail_with(self, address: str, words: str) -> str:
        """The newest e-mail to ``address`` containing ``words``, waiting for the mail job."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self.deliver()
            texts = [text_of(m) for m in self.smtp.inbox.to(address)]
            found = [t for t in texts if words in t]
            if found:
                return found[-1]
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {address} says {words!r}")

    def code_in_last_mail(self, address: str) -> str:
        """The code of the newest code e-mail to ``address`` that arrived since the last read
        (the embedded worker may send it before this is called); other mail queued earlier
        (a lock notice) may arrive first."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self.deliver()
            arrived = self.smtp.inbox.messages[self.read :]
            texts = [text_of(m) for rcpt, m in arrived if address in rcpt]
            found = [c.group(1) for t in texts if (c := re.search(r"code is (\d{6})", t))]
            if found:
                self.read += len(arrived)
                return found[-1]
            time.sleep(0.2)
        raise AssertionError(f"no new code e-mail to {address}")

    def requests(self) -> list[SecurityRequest]:
        with self.app.state.sessionmaker() as session:
            return list(
                session.scalars(
                    select(SecurityRequest)
                    .where(SecurityRequest.exchange_customer_id == CHEN)
                    .order_by(SecurityRequest.id)
                )
            )

    def steps(self, request_id: int) -> list[str]:
        with self.app.state.sessionmaker() as session:
            return list(
                session.scalars(
                    select(SecurityRequestStep.step)
                    .where(SecurityRequestStep.request_id == request_id)
                    .order_by(SecurityRequestStep.id)
                )
            )


@pytest.fixture
def desk(app: Any, configure_mail: PointMail, smtp_server: SmtpServer) -> Iterator[Desk]:
    settings = configure_mail(smtp_server.port)
    state = DemoExchange.load()
    service = start_demo_exchange(state, key_id=KEY_ID, secret=SECRET)
    client = ExchangeClient(service.url, KEY_ID, SECRET, allow_private=True, timeout=5)
    _forget_earlier_requests(app)
    try:
        with override_exchange(client):
            yield Desk(state, client, smtp_server, settings, app, len(smtp_server.inbox.messages))
    finally:
        client.close()
        service.stop()
        _forget_earlier_requests(app)


def _forget_earlier_requests(app: Any) -> None:
    """Each test's demo exchange starts unlocked: the desk forgets requests about it."""
    with app.state.sessionmaker() as session:
        ids = list(
            session.scalars(
                select(SecurityRequest.id).where(SecurityRequest.exchange_customer_id == CHEN)
            )
        )
        if ids:
            # Bulk deletes (no ORM events): the append-only guard is for the desk, not cleanup.
            steps = delete(SecurityRequestStep).where(SecurityRequestStep.request_id.in_(ids))
            session.execute(steps)
            session.execute(delete(SecurityRequest).where(SecurityRequest.id.in_(ids)))
            session.commit()
