"""Real processes for tests/scale/test_processes.py: web processes (``ledgerdesk serve``) and
job workers (``ledgerdesk worker``) on one PostgreSQL database and one Redis, production
style (``LEDGERDESK_JOBS=external``), plus the sign-ins and a polling helper.

Only the command line, HTTP and settings are used, so this works with either job engine
behind ``worker``."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import redis
from sqlalchemy import Engine

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.tokens import do_create_api_token
from ledgerdesk.chat import identity
from ledgerdesk.chat.bus import redis_prefix
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.kb import services as kb
from tests.chat.servers import DeskProcess, cli, desk_environment, migrate
from tests.conftest import PASSWORD, unique

__all__ = [
    "DeskProcess",
    "Participants",
    "WebProcess",
    "WorkerProcess",
    "clear_redis",
    "desk_environment",
    "make_participants",
    "migrate",
    "poll",
    "running",
]

T = TypeVar("T")
MAIL_FROM = "Scale Support <support@scale.test>"


START_SECONDS = 120.0  # a loaded 2-core machine starting four Python processes at once


class WebProcess(DeskProcess):
    """``ledgerdesk serve`` started without waiting (``launch``), then ``wait_ready``: the
    processes of a test import and warm up side by side."""

    def launch(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                cli("serve", "--host", "127.0.0.1", "--port", str(self.port)),
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    def wait_ready(self, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}:\n{self.text()}")
            try:  # uvicorn listens only once the app has started
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.url} did not start in time:\n{self.text()}")


class WorkerProcess:
    """One ``ledgerdesk worker``; it needs no port and has no readiness signal of its own
    (jobs wait in the outbox until a worker takes them), so ``start`` only checks it lives."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                cli("worker"), env=self.env, stdout=sink, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


@contextmanager
def running(
    webs: list[WebProcess], workers: list[WorkerProcess]
) -> Iterator[tuple[list[WebProcess], list[WorkerProcess]]]:
    """Start every process at once, wait until each web process answers, stop them all
    afterwards (SIGTERM: in-hand work finishes)."""
    try:
        for web in webs:
            web.launch()
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + START_SECONDS
        for web in webs:
            web.wait_ready(deadline)
        yield webs, workers
    finally:
        for web in webs:
            web.stop()
        for worker in workers:
            worker.stop()


def clear_redis(url: str) -> None:
    """Keys an earlier run left in this Redis database under the desk's prefix (presence,
    connection slots, rate limits of the same addresses) must not count now."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{redis_prefix(url)}*", count=500))
        keys += list(client.scan_iter(match="LIMITS*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@dataclass(frozen=True)
class Participants:
    agent_email: str  # an admin: signs in to the console of either process
    agent_token: str  # the same agent's API token
    customer_email: str
    visitor_token: str  # the customer's chat widget token
    section_id: int  # a help-center section new articles can go in


def make_participants(database_url: str) -> Participants:
    """An admin agent with an API token and a customer with a widget token, committed."""
    engine: Engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            email = f"{unique('agent')}@desk.test"
            agent = accounts.do_create_agent(
                session,
                accounts.SYSTEM,
                email=email,
                name="Ana Agent",
                password=PASSWORD,
                role=Role.admin,
            )
            token = do_create_api_token(session, accounts.SYSTEM, agent, "scale test")
            customer_email = f"{unique('cust')}@example.com"
            _, visitor = identity.identify_email(session, customer_email, name="Chen Customer")
            actor = accounts.agent_actor(agent)
            category = kb.do_upsert_category(session, actor, "scale", name={"en": "Scale"})
            section = kb.do_upsert_section(session, actor, category, "scale", name={"en": "Scale"})
            session.commit()
            section_id = section.id
    finally:
        engine.dispose()
    return Participants(email, token, customer_email, visitor, section_id)


def poll(probe: Callable[[], T | None], timeout: float, every: float = 0.02) -> tuple[T, float]:
    """Call ``probe`` until it returns something other than None; that value and how long it
    took (seconds). Fails after ``timeout`` seconds."""
    started = time.monotonic()
    while True:
        value = probe()
        elapsed = time.monotonic() - started
        if value is not None:
            return value, elapsed
        assert elapsed < timeout, f"not seen within {timeout} s"
        time.sleep(every)
