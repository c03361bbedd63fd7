"""A real local SMTP server (aiosmtpd) for tests, and settings that point the desk at it.

Imported by the conftest of every test folder that sends mail, so their fixtures share it."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ledgerdesk.channels.mail import text_of
from ledgerdesk.core.settings import Settings, get_settings

HERE = Path(__file__).resolve().parent
MAIL_FROM = "Example Support <support@example.test>"
PUBLIC_URL = "https://support.example.test"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Inbox:
    """What the server accepted, as parsed messages, readable from the test's thread."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._changed = threading.Condition()
        self.delay = 0.0  # seconds each MAIL and RCPT command waits before answering

    def add(self, recipients: list[str], message: EmailMessage) -> None:
        with self._changed:
            self.messages.append((recipients, message))
            self._changed.notify_all()

    def to(self, address: str) -> list[EmailMessage]:
        with self._changed:
            return [m for rcpt, m in self.messages if address in rcpt]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The first ``count`` messages to ``address``, waiting for a worker to send them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for rcpt, m in self.messages if address in rcpt]
                left = deadline - time.monotonic()
                if len(found) >= count or left <= 0:
                    break
                self._changed.wait(left)
        assert len(found) >= count, f"{len(found)} of {count} e-mails to {address} arrived"
        return found


class _Collect:
    """The aiosmtpd handler: keep every message; optionally answer slowly."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await asyncio.sleep(self.inbox.delay)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await asyncio.sleep(self.inbox.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        self.inbox.add(list(envelope.rcpt_tos), parsed)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, inbox: Inbox, port: int) -> None:
        self.inbox = inbox
        self.port = port


def start_server(tls: bool = False) -> tuple[Controller, SmtpServer]:
    inbox = Inbox()
    port = free_port()
    extra: dict[str, Any] = {"enable_SMTPUTF8": True}
    if tls:
        # A self-signed certificate no client trusts: the desk must refuse to go on with it.
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(HERE / "selfsigned-cert.pem", HERE / "selfsigned-key.pem")
        extra["tls_context"] = context
    controller = Controller(_Collect(inbox), hostname="127.0.0.1", port=port, **extra)
    controller.start()
    return controller, SmtpServer(inbox, port)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    controller, server = start_server()
    yield server
    controller.stop()


def point_mail_at(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> Settings:
    """Configure the desk (through its environment, as in production) to send to ``port``."""
    values = {
        "LEDGERDESK_SMTP_HOST": "127.0.0.1",
        "LEDGERDESK_SMTP_PORT": str(port),
        "LEDGERDESK_SMTP_STARTTLS": "false",
        "LEDGERDESK_SMTP_TIMEOUT": "5",
        "LEDGERDESK_MAIL_FROM": MAIL_FROM,
        "LEDGERDESK_PUBLIC_URL": PUBLIC_URL,
        **extra,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return get_settings()


PointMail = Callable[..., Settings]


@pytest.fixture
def configure_mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[PointMail]:
    """``configure_mail(port, **env)`` points the desk at an SMTP port; undone afterwards."""
    yield lambda port, **extra: point_mail_at(monkeypatch, port, **extra)
    get_settings.cache_clear()  # the environment is restored next; settings are re-read then


@pytest.fixture
def mail_settings(configure_mail: PointMail, smtp_server: SmtpServer) -> Settings:
    """The desk's settings while it sends to ``smtp_server``."""
    return configure_mail(smtp_server.port)


def first_line(message: EmailMessage) -> str:
    return text_of(message).splitlines()[0]
