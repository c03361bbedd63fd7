"""What the widget's browser tests run against: real ``ledgerdesk serve`` processes (one open
around the clock, one outside business hours), a real local SMTP server for the e-mails they
send, and the demo exchange's help page on another origin embedding the widget."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from struct import pack

import pytest

import ledgerdesk
from ledgerdesk.channels.mail import text_of
from tests.channels.smtp import Inbox

START_TIMEOUT = 90.0
JWT_SECRET = "browser-test-chat-secret-" + "k" * 32
AGENT_EMAIL = "ana.lima@desk.test"
AGENT_NAME = "Ana Lima"
AGENT_PASSWORD = "correct-horse-battery-staple"
MAIL_FROM = "Kestrel Support <support@desk.test>"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny) PNG picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xf0\xb9\x0b" * width for _ in range(height))
    header = pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Desk:
    url: str
    output: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def _environment(
    data_dir: Path, port: int, smtp_port: int, extra: dict[str, str]
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    src = str(Path(ledgerdesk.__file__).resolve().parents[1])  # the tree under test
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    env["LEDGERDESK_ASSISTANT_ENABLED"] = "false"  # the assistant's own test turns it on
    env.update(
        LEDGERDESK_DATA_DIR=str(data_dir),
        LEDGERDESK_DATABASE_URL=f"sqlite:///{data_dir / 'desk.db'}",
        LEDGERDESK_SECRET_KEY="browser-test-secret-key-" + "x" * 40,
        LEDGERDESK_PORT=str(port),
        LEDGERDESK_TRIAGE="false",
        LEDGERDESK_CHAT_JWT_SECRET=JWT_SECRET,
        LEDGERDESK_SMTP_HOST="127.0.0.1",
        LEDGERDESK_SMTP_PORT=str(smtp_port),
        LEDGERDESK_SMTP_STARTTLS="false",
        LEDGERDESK_MAIL_FROM=MAIL_FROM,
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from ledgerdesk.cli import main; main()", *args]


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(_cli(*args), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def start_desk(data_dir: Path, smtp_port: int, launcher: str = "", **extra: str) -> Desk:
    """Migrate a fresh SQLite desk, add the admin agent Ana, and serve it on a free port.
    ``launcher``: a module of tests/ run with ``-m`` instead of the CLI (it prepares something,
    then calls the CLI's ``main``)."""
    port = free_port()
    env = _environment(data_dir, port, smtp_port, extra)
    _run(env, "migrate")
    _run(
        env,
        "agent",
        "create",
        "--email",
        AGENT_EMAIL,
        "--name",
        AGENT_NAME,
        "--role",
        "admin",
        "--password",
        AGENT_PASSWORD,
    )
    output = data_dir / "serve.log"
    with output.open("wb") as sink:
        command = _cli("serve", "--host", "127.0.0.1")
        if launcher:
            command = [sys.executable, "-m", launcher, *command[3:]]
        root = str(Path(__file__).resolve().parents[2])  # so ``-m tests.…`` is found
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], root])
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    desk = Desk(f"http://127.0.0.1:{port}", output, process)
    deadline = time.monotonic() + START_TIMEOUT
    while "Uvicorn running on" not in desk.log():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_desk(desk)
            pytest.fail(f"ledgerdesk serve did not start:\n{desk.log()}", pytrace=False)
        time.sleep(0.2)
    return desk


def stop_desk(desk: Desk) -> None:
    if desk.process.poll() is None:
        desk.process.terminate()
        try:
            desk.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            desk.process.kill()
            desk.process.wait(timeout=10)


def closed_hours() -> dict[str, str]:
    """Settings that keep the chat closed for the whole test: office hours, and yesterday,
    today and tomorrow holidays (in UTC, the desk's chat time zone)."""
    today = datetime.now(UTC).date()
    days = [today + timedelta(days=n) for n in (-1, 0, 1)]
    return {
        "LEDGERDESK_CHAT_HOURS": "mon-sun 09:00-18:00",
        "LEDGERDESK_CHAT_TIMEZONE": "UTC",
        "LEDGERDESK_CHAT_HOLIDAYS": ",".join(d.isoformat() for d in days),
    }


def code_from(inbox: Inbox, email: str, count: int = 1) -> str:
    """The 6-digit code of the ``count``-th e-mail to ``email``."""
    message = inbox.wait_for(email, count=count, timeout=20)[count - 1]
    found = re.search(r"\b(\d{6})\b", text_of(message))
    assert found, text_of(message)
    return found.group(1)
