"""Fetching mail from the desk's IMAP mailbox (settings ``mail_imap_*``) with ``imapclient``.

Each unseen message is filed by ``mail_in.do_receive_mail`` in its own transaction and only
flagged ``\\Seen`` after that commit: a crash in between means the message is fetched again
and recognised as a duplicate, never lost. The poller waits with IDLE when the server offers
it (new mail is filed within a second or so), else polls every ``mail_imap_poll_seconds``;
it reconnects with backoff and stops cleanly between messages.

``fetch_once`` is a single pass (``ledgerdesk mail fetch``)."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Annotated

import typer
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.channels.mail_in import InboundResult, do_receive_mail
from ledgerdesk.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

SEEN = b"\\Seen"
# IDLE is re-issued well before the 29 minutes after which RFC 2177 lets a server drop us.
IDLE_RENEW_SECONDS = 600.0
# How often an IDLE wait looks at the stop flag.
_IDLE_TICK = 0.5
_BACKOFF_MAX = 300.0
_NETWORK_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)

Factory = sessionmaker[Session] | Callable[[], Session]


def source_name(settings: Settings) -> str:
    return (
        f"imap:{settings.mail_imap_username}@{settings.mail_imap_host}/{settings.mail_imap_folder}"[
            :80
        ]
    )


def connect(settings: Settings) -> IMAPClient:
    """Log in and select the folder. TLS certificates are verified (system trust store)."""
    context = ssl.create_default_context() if settings.mail_imap_ssl else None
    client = IMAPClient(
        settings.mail_imap_host,
        port=settings.mail_imap_port,
        ssl=settings.mail_imap_ssl,
        ssl_context=context,
        timeout=30,
    )
    try:
        client.login(settings.mail_imap_username, settings.mail_imap_password)
        client.select_folder(settings.mail_imap_folder)
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception as exc:  # the connection may already be gone
        log.debug("IMAP logout failed: %s", exc)
        with contextlib.suppress(Exception):
            client.shutdown()


def process_unseen(
    client: IMAPClient,
    factory: Factory,
    settings: Settings,
    stop: threading.Event | None = None,
) -> list[InboundResult]:
    """File every unseen message of the selected folder, oldest first, until a search finds
    none: a message that arrived while the others were filed is taken in this pass too (its
    EXISTS notice came with one of our commands, so the IDLE that follows would not tell)."""
    results: list[InboundResult] = []
    tried: set[int] = set()  # a message that cannot be read is not tried again in this pass
    while not (stop is not None and stop.is_set()):
        _arrived(client)  # notices up to here are covered by the search below
        unseen = sorted(set(client.search(["UNSEEN"])) - tried)
        if not unseen:
            if _arrived(client):
                # A message arrived while the server ran that search: its EXISTS notice came
                # with the answer, so the IDLE that follows would not report it. Search again.
                continue
            break
        tried.update(unseen)
        for uid in unseen:
            if stop is not None and stop.is_set():
                break
            result = _process_one(client, factory, settings, uid)
            if result is not None:
                results.append(result)
    return results


def _arrived(client: IMAPClient) -> bool:
    """Whether the server announced new messages (untagged EXISTS) since the last call.

    IMAPClient keeps untagged responses it was not asked for in the underlying imaplib
    connection; taking EXISTS from there is the only way to see one that came with a command's
    answer rather than during IDLE."""
    return bool(client._imap.untagged_responses.pop("EXISTS", None))


def _process_one(
    client: IMAPClient, factory: Factory, settings: Settings, uid: int
) -> InboundResult | None:
    sizes = client.fetch([uid], [b"RFC822.SIZE"])
    if uid not in sizes:
        return None  # expunged meanwhile
    size = int(sizes[uid].get(b"RFC822.SIZE", 0))
    # BODY.PEEK leaves \Seen alone: the flag is set below, after the commit.
    part = b"BODY[HEADER]" if size > settings.mail_max_bytes else b"BODY[]"
    fetched = client.fetch([uid], [part.replace(b"BODY", b"BODY.PEEK")])
    raw = fetched.get(uid, {}).get(part)
    if not isinstance(raw, bytes):
        return None
    with factory() as session:
        try:
            result = do_receive_mail(session, raw, source=source_name(settings), size=size)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    client.add_flags([uid], [SEEN])
    log.info("mail uid %s: %s ticket=%s %s", uid, result.outcome, result.ticket_id, result.detail)
    return result


def fetch_once(factory: Factory, settings: Settings | None = None) -> list[InboundResult]:
    """Connect, file what is unseen, log out."""
    settings = settings or get_settings()
    client = connect(settings)
    try:
        return process_unseen(client, factory, settings)
    finally:
        _close(client)


class ImapPoller:
    """The mailbox watcher, in a daemon thread: ``start()`` / ``stop()``."""

    def __init__(self, factory: Factory, settings: Settings | None = None) -> None:
        self.factory = factory
        self.settings = settings or get_settings()
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0  # completed fetch passes (tests wait on it)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="imap-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                client = connect(self.settings)
            except _NETWORK_ERRORS as exc:
                failures += 1
                self._backoff(failures, exc)
                continue
            try:
                failures = 0
                self._watch(client)
            except _NETWORK_ERRORS as exc:
                failures += 1
                self._backoff(failures, exc)
            except Exception:  # a database outage: keep the mail unseen and retry later
                failures += 1
                log.exception("filing inbound mail failed; will retry")
                self._backoff(failures, None)
            finally:
                _close(client)

    def _backoff(self, failures: int, exc: BaseException | None) -> None:
        delay = min(_BACKOFF_MAX, 2.0 ** min(failures, 9))
        if exc is not None:
            log.warning("IMAP %s: %s; retrying in %.0f s", self.settings.mail_imap_host, exc, delay)
        self.stopping.wait(delay)

    def _watch(self, client: IMAPClient) -> None:
        idle = b"IDLE" in client.capabilities()
        while not self.stopping.is_set():
            process_unseen(client, self.factory, self.settings, self.stopping)
            self.passes += 1
            if idle:
                self._idle(client)
            else:
                self.stopping.wait(self.settings.mail_imap_poll_seconds)
                client.noop()

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the server reports something, a renewal is due or we stop."""
        renew = min(IDLE_RENEW_SECONDS, self.settings.mail_imap_poll_seconds)
        client.idle()
        try:
            started = time.monotonic()
            while not self.stopping.is_set():
                if client.idle_check(timeout=_IDLE_TICK):
                    return
                # Renewed at least every poll interval: a notice the server never sent
                # delays a mail by that much at most.
                if time.monotonic() - started > renew:
                    return
        finally:
            client.idle_done()


def start_poller(factory: Factory, settings: Settings) -> ImapPoller | None:
    """Start watching the configured mailbox; ``None`` when no IMAP host is set."""
    if not settings.mail_imap_host:
        return None
    poller = ImapPoller(factory, settings)
    poller.start()
    log.info("watching %s for inbound mail", source_name(settings))
    return poller


def fetch_command(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per mail")] = False,
) -> None:
    """Fetch the unseen mail of the configured IMAP mailbox once and file it."""
    from rich.console import Console

    from ledgerdesk.core.db import make_engine, make_sessionmaker

    console = Console(stderr=True)
    settings = get_settings()
    if not settings.mail_imap_host:
        console.print("No IMAP mailbox configured: set LEDGERDESK_MAIL_IMAP_HOST and the rest.")
        raise typer.Exit(2)
    from ledgerdesk.composition import load_handlers

    load_handlers()  # tickets opened here fan out to webhooks like the worker's
    factory = make_sessionmaker(make_engine(settings.resolved_database_url))
    try:
        results = fetch_once(factory, settings)
    except _NETWORK_ERRORS as exc:
        console.print(f"Cannot fetch from {settings.mail_imap_host}: {exc}")
        raise typer.Exit(1) from None
    if verbose:
        for result in results:
            typer.echo(_line(result))
    counts = Counter(r.outcome for r in results)
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    console.print(f"Fetched {len(results)} mails{': ' + summary if summary else ''}.")


def _line(result: InboundResult) -> str:
    ticket = f"#{result.ticket_id}" if result.ticket_id else "-"
    return f"{result.outcome}\t{ticket}\t{result.message_id}\t{result.detail}"
