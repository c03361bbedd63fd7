"""Real ``ledgerdesk serve`` processes for the chat tests that need them (reconnects, a
server killed with SIGKILL and restarted, two processes with Redis between them), and the
sign-ins their clients use: a console cookie for an agent, a visitor token for a customer."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

import ledgerdesk
from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.chat import identity
from ledgerdesk.core.db import make_engine, make_sessionmaker
from tests.conftest import PASSWORD, _create_pg_database, _drop_pg_database, unique

START_TIMEOUT = 40.0
SECRET = "chat-test-secret-key-" + "k" * 40


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def desk_environment(data_dir: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a desk process: this source tree, a fixed secret (so console
    cookies survive a restart), triage off, and ``settings`` as LEDGERDESK_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    src = str(Path(ledgerdesk.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    env.update(
        LEDGERDESK_DATA_DIR=str(data_dir),
        LEDGERDESK_DATABASE_URL=database_url,
        LEDGERDESK_SECRET_KEY=SECRET,
        LEDGERDESK_TRIAGE="false",
        LEDGERDESK_ASSISTANT_ENABLED="false",
        LEDGERDESK_EMBEDDINGS="none",
        PYTHONUNBUFFERED="1",
    )
    env.update({f"LEDGERDESK_{k.upper()}": v for k, v in settings.items()})
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from ledgerdesk.cli import main; main()", *args]


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(cli("migrate"), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


class DeskProcess:
    """One ``ledgerdesk serve`` on its own port; ``kill`` is SIGKILL (no shutdown at all)."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.env = env
        self.log = log
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/chat/ws"

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                cli("serve", "--host", "127.0.0.1", "--port", str(self.port)),
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}:\n{self.text()}")
            try:  # uvicorn listens only once the app has started
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.url} did not start in {START_TIMEOUT:.0f} s:\n{self.text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def database(kind: str, data_dir: Path) -> Iterator[str]:
    """A fresh database URL of ``kind`` ("sqlite" or "postgresql"), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'desk.db'}"
        return
    url, admin = _create_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(url, admin)


def make_participants(database_url: str) -> tuple[str, str]:
    """An admin agent (its e-mail) and a widget visitor (its token), committed."""
    engine: Engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            email = f"{unique('agent')}@desk.test"
            accounts.do_create_agent(
                session,
                accounts.SYSTEM,
                email=email,
                name="Ana Agent",
                password=PASSWORD,
                role=Role.admin,
            )
            _, token = identity.identify_email(
                session, f"{unique('cust')}@example.com", name="Chen Customer"
            )
            session.commit()
    finally:
        engine.dispose()
    return email, token


def console_cookie(base_url: str, email: str) -> str:
    """Sign in to the console over HTTP; the ``Cookie`` header value for the websocket."""
    response = httpx.post(
        f"{base_url}/console/login",
        data={"email": email, "password": PASSWORD},
        follow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303, response.text
    return f"ledgerdesk_session={response.cookies['ledgerdesk_session']}"


def count_messages(database_url: str, ticket_id: int) -> list[Any]:
    """(seq, client_id, kind) of every message on the ticket, by seq."""
    from sqlalchemy import select

    from ledgerdesk.tickets.models import Message

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(Message.seq, Message.client_id, Message.kind)
                .where(Message.ticket_id == ticket_id)
                .order_by(Message.seq)
            ).all()
            return [(seq, client_id, kind.value) for seq, client_id, kind in rows]
    finally:
        engine.dispose()
