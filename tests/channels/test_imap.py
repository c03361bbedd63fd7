"""The IMAP side against a real Dovecot (tests/channels/imap.py), on SQLite and PostgreSQL:
one-shot fetches, threading of the replies, reports and loops, duplicates after a crash
between commit and flag, and the IDLE poller waking up on a new message."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.channels.imap import SEEN, ImapPoller, connect, fetch_once, process_unseen
from ledgerdesk.channels.models import InboundMail, MailAddress
from ledgerdesk.channels.reply_token import reply_address
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.tickets.models import Message, Ticket
from tests.channels.imap import ImapServer, dovecot, dovecot_without_idle, mailbox
from tests.channels.mail_in_helpers import mail, record_outgoing, sample
from tests.conftest import unique

__all__ = ["dovecot", "dovecot_without_idle", "mailbox"]


@pytest.fixture
def imap_settings(mailbox: ImapServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    values = {
        "LEDGERDESK_MAIL_FROM": "Example Support <support@example.test>",
        "LEDGERDESK_MAIL_IMAP_HOST": "127.0.0.1",
        "LEDGERDESK_MAIL_IMAP_PORT": str(mailbox.port),
        "LEDGERDESK_MAIL_IMAP_SSL": "false",
        "LEDGERDESK_MAIL_IMAP_USERNAME": mailbox.user,
        "LEDGERDESK_MAIL_IMAP_PASSWORD": mailbox.password,
        "LEDGERDESK_MAIL_IMAP_POLL_SECONDS": "30",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def factory(app: Any) -> sessionmaker[Session]:
    made: sessionmaker[Session] = app.state.sessionmaker
    return made


def address() -> str:
    return f"{unique('imap')}@example.com"


def bodies(factory: sessionmaker[Session], ticket_id: int) -> list[str]:
    with factory() as session:
        return list(
            session.scalars(
                select(Message.body).where(Message.ticket_id == ticket_id).order_by(Message.id)
            )
        )


def test_new_mail_and_every_kind_of_reply_land_on_one_ticket(
    mailbox: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    sender = address()
    mailbox.deliver(mail(sender, "Deposit not credited", "Sent 100 USDT an hour ago."))
    [first] = fetch_once(factory, imap_settings)
    assert first.outcome == "ticket" and first.ticket_id is not None
    ticket_id = first.ticket_id
    with factory() as session:
        ours = record_outgoing(session, ticket_id)
        session.commit()
    mailbox.deliver(
        mail(sender, "Re: Deposit not credited", "Thread reply.", in_reply_to=ours),
        mail(sender, f"回复: RE: Fwd: [#{ticket_id}] Deposit", "Mangled subject."),
        mail(sender, "new words", "Token only.", to=reply_address(ticket_id)),
    )
    results = fetch_once(factory, imap_settings)
    assert [(r.outcome, r.ticket_id) for r in results] == [("reply", ticket_id)] * 3
    assert bodies(factory, ticket_id) == [
        "Sent 100 USDT an hour ago.",
        "Thread reply.",
        "Mangled subject.",
        "Token only.",
    ]
    assert all(SEEN in flags for flags in mailbox.flags().values())
    assert fetch_once(factory, imap_settings) == []


def test_reports_auto_replies_and_loops_open_no_ticket(
    mailbox: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    customer = address()
    mailbox.deliver(mail(customer, "Locked out"))
    [opened] = fetch_once(factory, imap_settings)
    ticket_id = opened.ticket_id or 0
    with factory() as session:
        ours = record_outgoing(session, ticket_id)
        before = session.query(Ticket).count()
        session.commit()
    fill = {"customer": customer, "ticket": ticket_id, "original_id": ours}
    mailbox.deliver(
        sample("bounce.eml", **fill),
        sample("auto_reply.eml", reply_to=reply_address(ticket_id), **fill),
        mail(customer, "loop", headers={"X-Loop": "support@example.test"}),
    )
    outcomes = [r.outcome for r in fetch_once(factory, imap_settings)]
    assert outcomes == ["bounce", "auto_reply", "loop"]
    with factory() as session:
        assert session.query(Ticket).count() == before
        row = session.scalar(select(MailAddress).where(MailAddress.address == customer))
        assert row is not None and row.bounced_at is not None


def test_a_crash_between_commit_and_flag_gives_a_duplicate_not_a_second_ticket(
    mailbox: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    raw = mail(address(), "Only once")
    mailbox.deliver(raw, raw)  # also a mail server's double delivery
    first = fetch_once(factory, imap_settings)
    assert [r.outcome for r in first] == ["ticket", "duplicate"]
    client = mailbox.client()
    client.select_folder("INBOX")
    client.remove_flags(client.search(["ALL"]), [SEEN])  # as if the flags were never set
    client.logout()
    again = fetch_once(factory, imap_settings)
    assert [r.outcome for r in again] == ["duplicate", "duplicate"]
    with factory() as session:
        count = session.query(Ticket).filter(Ticket.subject == "Only once").count()
    assert count == 1


def test_idle_poller_files_a_new_mail_within_seconds_and_stops_cleanly(
    mailbox: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    poller = ImapPoller(factory, imap_settings)
    poller.start()
    try:
        deadline = time.monotonic() + 10
        while poller.passes < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert poller.passes >= 1, mailbox.log()
        time.sleep(0.3)  # the poller is in IDLE now
        sender = address()
        delivered = time.monotonic()
        mailbox.deliver(mail(sender, "Woken by IDLE"))
        row = None
        while row is None and time.monotonic() - delivered < 10:
            with factory() as session:
                row = session.scalar(select(InboundMail).where(InboundMail.from_address == sender))
            time.sleep(0.05)
        waited = time.monotonic() - delivered
        assert row is not None and row.outcome == "ticket"
        assert waited < 2.5, f"filed {waited:.2f} s after delivery"
    finally:
        stopped = time.monotonic()
        poller.stop()
    assert poller._thread is not None and not poller._thread.is_alive()
    assert time.monotonic() - stopped < 3


def test_a_mail_announced_with_the_last_search_is_filed_in_the_same_pass(
    mailbox: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    """A message that lands while the server runs the pass's last, empty SEARCH is announced
    (EXISTS) with that answer, not later in IDLE: the pass must notice and search again, or the
    mail would wait for the next IDLE renewal. Here the mail is delivered and its notice taken
    (a NOOP) right after the first empty search, as the server would have sent it."""
    sender = address()
    client = connect(imap_settings)
    real_search = client.search
    searches: list[list[int]] = []

    def search_then_deliver(criteria: Any) -> list[int]:
        found = list(real_search(criteria))
        searches.append(found)
        if len(searches) == 1:
            assert found == []
            mailbox.deliver(mail(sender, "Arrived during the search"))
            client.noop()
        return found

    client.search = search_then_deliver  # type: ignore[method-assign]
    try:
        results = process_unseen(client, factory, imap_settings)
    finally:
        client.logout()
    assert [r.outcome for r in results] == ["ticket"]
    assert len(searches) == 3  # empty (with the notice), the new mail, empty


def test_poller_retries_when_the_server_refuses_the_login(
    mailbox: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    wrong = imap_settings.model_copy(update={"mail_imap_password": "wrong"})
    poller = ImapPoller(factory, wrong)
    poller.start()
    time.sleep(0.5)
    poller.stop()
    assert poller.passes == 0 and not (poller._thread and poller._thread.is_alive())


def test_embedded_server_watches_the_mailbox(
    mailbox: ImapServer, imap_settings: Settings, app_settings: Settings
) -> None:
    """``ledgerdesk serve`` in embedded jobs mode starts the poller with the app and stops it
    with the app."""
    from fastapi.testclient import TestClient

    from ledgerdesk.web.app import create_app

    configured = app_settings.model_copy(
        update={k: v for k, v in imap_settings.model_dump().items() if k.startswith("mail_")}
    )
    app = create_app(configured)
    sender = address()
    try:
        with TestClient(app):
            poller = app.state.imap_poller
            assert isinstance(poller, ImapPoller)
            # Delivered at once, racing the poller's first pass (a notice that comes with that
            # pass's last search must not be missed). The deadline leaves room for one SQLite
            # busy timeout: this shared test database may still hold other tests' jobs.
            mailbox.deliver(mail(sender, "Through the embedded poller"))
            deadline, row = time.monotonic() + 20, None
            while row is None and time.monotonic() < deadline:
                with app.state.sessionmaker() as session:
                    row = session.scalar(
                        select(InboundMail).where(InboundMail.from_address == sender)
                    )
                time.sleep(0.1)
            assert row is not None and row.outcome == "ticket", (poller.passes, poller._thread)
        assert poller._thread is not None and not poller._thread.is_alive()
    finally:
        app.state.engine.dispose()


def test_fetch_command(
    mailbox: ImapServer,
    imap_settings: Settings,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import typer
    from typer.testing import CliRunner

    from ledgerdesk.channels.imap import fetch_command

    cli = typer.Typer()
    cli.command()(fetch_command)
    monkeypatch.setenv("LEDGERDESK_DATABASE_URL", database_url)
    get_settings.cache_clear()
    mailbox.deliver(mail(address(), "By hand"))
    done = CliRunner().invoke(cli, ["-v"])
    assert done.exit_code == 0, done.output
    assert "Fetched 1 mails: 1 ticket." in done.output and "ticket\t#" in done.output
    monkeypatch.setenv("LEDGERDESK_MAIL_IMAP_PASSWORD", "wrong")
    get_settings.cache_clear()
    refused = CliRunner().invoke(cli, [])
    assert refused.exit_code == 1 and "Cannot fetch" in refused.output
    monkeypatch.setenv("LEDGERDESK_MAIL_IMAP_HOST", "")
    get_settings.cache_clear()
    assert CliRunner().invoke(cli, []).exit_code == 2


def test_without_idle_the_poller_polls(
    dovecot_without_idle: ImapServer, imap_settings: Settings, factory: sessionmaker[Session]
) -> None:
    server = dovecot_without_idle
    client = server.client()
    assert b"IDLE" not in client.capabilities()
    client.logout()
    settings = imap_settings.model_copy(
        update={"mail_imap_port": server.port, "mail_imap_poll_seconds": 1.0}
    )
    poller = ImapPoller(factory, settings)
    poller.start()
    try:
        sender = address()
        server.deliver(mail(sender, "Found by polling"))
        deadline, row = time.monotonic() + 10, None
        while row is None and time.monotonic() < deadline:
            with factory() as session:
                row = session.scalar(select(InboundMail).where(InboundMail.from_address == sender))
            time.sleep(0.1)
        assert row is not None and row.outcome == "ticket"
        passes = poller.passes
        time.sleep(2.5)
        assert poller.passes >= passes + 1  # it keeps checking every poll interval
    finally:
        poller.stop()
