"""The crash test's pieces, shared by ``tests/scale/test_crash.py`` and ``bench/crash.py``.

A desk of real processes (``ledgerdesk serve --workers N`` and ``ledgerdesk worker``) on a
throwaway PostgreSQL database and Redis, with ``LEDGERDESK_JOBS=external``; a local SMTP sink
that keeps every e-mail by ``Message-ID``; a webhook receiver that keeps every delivery by its
``Ledgerdesk-Delivery`` id and payload ``event_id``; load clients that record every answer;
a chaos loop that ``kill -9``s web and worker processes and starts them again; and the checks
made afterwards. It drives the desk only through its commands, its HTTP API and its settings
(the one exception: the first admin's API token is made through the accounts service, as no
command makes one), and reads the database only to count what was stored.

Every request carries a unique marker in its text, so what the clients were told (2xx or not)
can be compared with what the database holds and what the sinks received."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from ledgerdesk.channels.webhooks.signing import SIGNATURE_HEADER, verify_signature
from tests.chat import servers
from tests.chat.servers import cli, free_port

SECRET = "crash-test-secret-key-" + "c" * 40
PASSWORD = "correct-horse-battery"
START_TIMEOUT = 180.0  # a loaded 2-core machine takes long to import the app
MARK = re.compile(r"\bcrk-[0-9a-f]{6}-[a-z]+-\d+\b")
WEBHOOK_EVENTS = ["ticket.created", "message.public"]


# --- the SMTP sink ---------------------------------------------------------------------------


@dataclass
class Mail:
    message_id: str
    recipients: list[str]
    markers: list[str]


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps each accepted e-mail's Message-ID and markers."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        content = str(body.get_content()) if body is not None else ""
        mail = Mail(
            message_id=str(parsed["Message-ID"] or "").strip(),
            recipients=list(envelope.rcpt_tos),
            markers=sorted(set(MARK.findall(content))),
        )
        with self._lock:
            self.mails.append(mail)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)


# --- the webhook receiver --------------------------------------------------------------------


@dataclass
class Delivery:
    delivery_id: str
    event_id: int | None
    event_type: str
    signed: bool


class WebhookSink:
    """An HTTP receiver that checks each delivery's signature and keeps its ids."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.secret = ""
        self._lock = threading.Lock()
        sink = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    header = self.headers.get(SIGNATURE_HEADER) or ""
                    verify_signature(sink.secret, header, raw, time.time())
                    signed = True
                except ValueError:
                    signed = False
                payload = json.loads(raw or b"{}")
                delivery = Delivery(
                    delivery_id=str(self.headers.get("Ledgerdesk-Delivery") or ""),
                    event_id=payload.get("event_id"),
                    event_type=str(payload.get("type") or ""),
                    signed=signed,
                )
                with sink._lock:
                    sink.deliveries.append(delivery)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def snapshot(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)


# --- the desk's processes --------------------------------------------------------------------


def desk_environment(
    data_dir: Path, database_url: str, redis_url: str, smtp_port: int
) -> dict[str, str]:
    """A desk process's environment (the chat tests' one) with Redis, external jobs, mail to
    the sink and webhooks to a loopback receiver."""
    return servers.desk_environment(
        data_dir,
        database_url,
        secret_key=SECRET,
        redis_url=redis_url,
        jobs="external",
        smtp_host="127.0.0.1",
        smtp_port=str(smtp_port),
        smtp_starttls="false",
        smtp_timeout="10",
        mail_from="Crash Desk <support@crash.test>",
        public_url="https://support.crash.test",
        webhooks_allow_private="true",
        webhooks_timeout="10",
        # Redis is shared with other runs: the per-visitor limits must not stop the load.
        chat_rate_limit="100000/minute",
        chat_message_rate="100000/10seconds",
    )


class Proc:
    """One desk command in its own process group; ``kill`` is SIGKILL to the whole group
    (uvicorn's supervisor and its workers die together, as on a crashed machine)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                self.args,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.kills += 1

    def kill_child(self) -> bool:
        """SIGKILL one of uvicorn's worker processes only (its supervisor starts another)."""
        if self.process is None:
            return False
        children = _children(self.process.pid)
        if not children:
            return False
        try:
            os.kill(random.choice(children), signal.SIGKILL)
        except ProcessLookupError:
            return False
        self.kills += 1
        return True

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


class Desk:
    """Web (``serve --workers``) and worker processes of one desk, started and killed."""

    def __init__(
        self, env: dict[str, str], logs: Path, web_workers: int = 2, job_workers: int = 1
    ) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        serve = cli("serve", "--host", "127.0.0.1", "--port", str(self.port))
        serve += ["--workers", str(web_workers)]
        self.web = Proc("web", serve, env, logs / "web.log")
        self.workers = [
            Proc(f"worker{n}", cli("worker"), env, logs / f"worker{n}.log")
            for n in range(job_workers)
        ]

    def migrate(self, command: bool = True) -> None:
        """``ledgerdesk migrate``; or (``command=False``, quicker) the same upgrade in this
        process."""
        if not command:
            from ledgerdesk.core.db import make_engine
            from ledgerdesk.core.migrate import upgrade

            engine = make_engine(self.env["LEDGERDESK_DATABASE_URL"])
            try:
                upgrade(engine)
            finally:
                engine.dispose()
            return
        done = subprocess.run(
            cli("migrate"), env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        self.web.start()
        for worker in self.workers:
            worker.start()
        self.wait_ready()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.web.alive():
                raise AssertionError(f"serve exited:\n{self.web.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.url} did not start in {timeout:.0f} s:\n{self.web.tail()}")

    def stop(self) -> None:
        for proc in [self.web, *self.workers]:
            proc.stop()

    @property
    def kills(self) -> dict[str, int]:
        return {p.name: p.kills for p in [self.web, *self.workers]}


def make_admin_token(database_url: str) -> str:
    """An admin agent and its API token (no command makes a token)."""
    from ledgerdesk.accounts.models import Role
    from ledgerdesk.accounts.services import SYSTEM, do_create_agent
    from ledgerdesk.accounts.tokens import do_create_api_token
    from ledgerdesk.core.db import make_engine, make_sessionmaker

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            agent = do_create_agent(
                session,
                SYSTEM,
                email=f"admin-{uuid.uuid4().hex[:6]}@desk.test",
                name="Crash Admin",
                password=PASSWORD,
                role=Role.admin,
            )
            token = do_create_api_token(session, SYSTEM, agent, "crash test")
            session.commit()
    finally:
        engine.dispose()
    return str(token)


def register_webhook(desk: Desk, token: str, sink: WebhookSink) -> None:
    response = httpx.post(
        f"{desk.url}/api/v1/webhooks",
        json={"url": sink.url, "events": WEBHOOK_EVENTS, "description": "crash test"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    sink.secret = str(response.json()["secret"])


# --- load --------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the clients sent and what they were told: marker -> acknowledged or not."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    acked: dict[str, str] = field(default_factory=dict)  # marker -> kind
    unacked: dict[str, str] = field(default_factory=dict)
    tickets: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count: Iterator[int] = field(default_factory=itertools.count)

    def marker(self, kind: str) -> str:
        with self._lock:
            return f"crk-{self.run}-{kind}-{next(self._count)}"

    def answer(self, kind: str, marker: str, ok: bool, why: str = "") -> None:
        with self._lock:
            if ok:
                self.unacked.pop(marker, None)
                self.acked[marker] = kind
            else:
                self.unacked.setdefault(marker, kind)
                self.errors[why[:80]] += 1

    def add_ticket(self, ticket_id: int) -> None:
        with self._lock:
            self.tickets.append(ticket_id)

    def a_ticket(self) -> int | None:
        with self._lock:
            return random.choice(self.tickets) if self.tickets else None


def _outcome(response: httpx.Response) -> tuple[bool, str]:
    if 200 <= response.status_code < 300:
        return True, ""
    return False, f"HTTP {response.status_code}"


class Load:
    """Client threads: an integration creating tickets, agents replying, chat customers."""

    def __init__(self, desk: Desk, token: str, ledger: Ledger, clients: int = 4) -> None:
        self.desk = desk
        self.token = token
        self.ledger = ledger
        self.clients = clients
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        roles: list[Callable[[httpx.Client], None]] = [self._creator, self._agent, self._chat]
        for n in range(self.clients):
            role = roles[n % len(roles)]
            thread = threading.Thread(target=self._loop, args=(role,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _loop(self, role: Callable[[httpx.Client], None]) -> None:
        with httpx.Client(base_url=self.desk.url, timeout=15) as client:
            while not self.stop.is_set():
                try:
                    role(client)
                except httpx.HTTPError:
                    time.sleep(0.2)  # the web process is down; the answer was recorded

    def _post(self, client: httpx.Client, kind: str, path: str, **kwargs: Any) -> Any:
        marker = self.ledger.marker(kind)
        body = kwargs.pop("body_template").format(marker=marker)
        if "json" in kwargs:
            kwargs["json"]["body"] = body
        try:
            response = client.post(path, **kwargs)
        except httpx.HTTPError as exc:
            self.ledger.answer(kind, marker, False, type(exc).__name__)
            raise
        ok, why = _outcome(response)
        self.ledger.answer(kind, marker, ok, why)
        return response.json() if ok else None

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _creator(self, client: httpx.Client) -> None:
        n = random.randrange(1_000_000)
        made = self._post(
            client,
            "create",
            "/api/v1/tickets",
            headers=self._auth(),
            json={
                "subject": f"Withdrawal stuck {n}",
                "requester": {"email": f"cust{n}@example.test", "name": f"Customer {n}"},
            },
            body_template="My USDT withdrawal has not arrived. Reference {marker}.",
        )
        if made is not None:
            self.ledger.add_ticket(int(made["id"]))

    def _agent(self, client: httpx.Client) -> None:
        ticket_id = self.ledger.a_ticket()
        if ticket_id is None:
            time.sleep(0.05)
            return
        self._post(
            client,
            "reply",
            f"/api/v1/tickets/{ticket_id}/messages",
            headers=self._auth(),
            json={"kind": "public"},
            body_template="We are checking the withdrawal for you. Note {marker}.",
        )

    def _chat(self, client: httpx.Client) -> None:
        """One chat customer: identify, open a conversation, send a few messages. A message
        whose answer was lost is sent again with the same client id (the widget's rule)."""
        n = random.randrange(1_000_000)
        who = client.post("/chat/api/identify", json={"email": f"chat{n}@example.test"})
        if who.status_code != 200:
            self.ledger.errors[f"identify HTTP {who.status_code}"] += 1
            return
        headers = {"Authorization": f"Chat {who.json()['visitor_token']}"}
        conversation: int | None = None
        for _ in range(4):
            if self.stop.is_set():
                return
            marker = self.ledger.marker("chat")
            path = (
                "/chat/api/messages"
                if conversation is None
                else f"/chat/api/conversations/{conversation}/messages"
            )
            data = {"client_id": uuid.uuid4().hex, "body": f"Is my deposit safe? {marker}"}
            ack = self._send_with_retries(client, path, headers, data, marker)
            if ack is None:
                return
            conversation = int(ack["conversation"])

    def _send_with_retries(
        self,
        client: httpx.Client,
        path: str,
        headers: dict[str, str],
        data: dict[str, str],
        marker: str,
    ) -> dict[str, Any] | None:
        for _ in range(20):
            try:
                response = client.post(path, headers=headers, data=data)
            except httpx.HTTPError as exc:
                self.ledger.answer("chat", marker, False, type(exc).__name__)
                time.sleep(0.2)
                continue
            ok, why = _outcome(response)
            self.ledger.answer("chat", marker, ok, why)
            if ok:
                return dict(response.json())
            time.sleep(0.2)
        return None


# --- chaos -------------------------------------------------------------------------------------


KINDS = ("worker", "web-child", "web")


class Chaos:
    """Every ``every`` seconds (jittered) SIGKILL a worker, one web process or the whole web
    server (all its processes), and start what died again. ``plan`` fixes the order of kinds;
    without it each is drawn at random (40 % worker, 30 % one web process, 30 % all web)."""

    def __init__(
        self,
        desk: Desk,
        kills: int,
        every: float,
        seed: int | None = None,
        plan: list[str] | None = None,
    ) -> None:
        self.desk = desk
        self.target = len(plan) if plan else kills
        self.plan = plan
        self.every = every
        self.random = random.Random(seed)
        self.done = 0
        self.log: list[str] = []
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.failure: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            while self.done < self.target:
                time.sleep(self.every * self.random.uniform(0.5, 1.5))
                self._one(self._kind())
                self.done += 1
        except BaseException as exc:  # reported by the caller
            self.failure = exc
        finally:
            self.finished.set()

    def _kind(self) -> str:
        if self.plan:
            return self.plan[self.done]
        roll = self.random.random()
        return "worker" if roll < 0.4 else "web-child" if roll < 0.7 else "web"

    def _one(self, kind: str) -> None:
        started = time.monotonic()
        if kind == "web-child" and self.desk.web.kill_child():
            self.log.append("kill -9 one web worker process (uvicorn starts another)")
            return
        if kind == "worker":
            worker = self.random.choice(self.desk.workers)
            worker.kill()
            time.sleep(self.random.uniform(0, 0.5))
            worker.start()  # not waited for: the load goes on while it starts
            self.log.append(f"kill -9 {worker.name}, started again")
            return
        self.desk.web.kill()
        self.desk.web.start()
        self.desk.wait_ready()
        took = time.monotonic() - started
        self.log.append(f"kill -9 web (all processes), serving again after {took:.1f} s")


# --- checks ------------------------------------------------------------------------------------


@dataclass
class Verdict:
    acked: int
    unacked: int
    lost: list[str]  # acknowledged, not stored
    stored_twice: list[str]
    mails: int
    mails_owed: int
    mails_missing: list[str]  # stored agent replies without an e-mail
    mail_copies: int  # the same Message-ID received again (a crash in the SMTP-to-commit window)
    mail_duplicates: list[str]  # one reply e-mailed under two Message-IDs: a real duplicate
    webhooks: int
    webhooks_owed: int
    webhooks_missing: list[int]
    webhook_copies: int  # the same delivery id received again
    webhook_duplicates: list[int]  # one event under two delivery ids
    unsigned: int
    outbox_left: list[str]
    kills: dict[str, int]
    errors: dict[str, int]

    @property
    def problems(self) -> list[str]:
        found: list[str] = []
        for name in (
            "lost",
            "stored_twice",
            "mails_missing",
            "mail_duplicates",
            "webhooks_missing",
            "webhook_duplicates",
            "outbox_left",
        ):
            value = getattr(self, name)
            if value:
                found.append(f"{name}: {len(value)} (e.g. {value[:5]})")
        if self.unsigned:
            found.append(f"unsigned webhook deliveries: {self.unsigned}")
        return found


def stored_markers(database_url: str, run: str) -> tuple[Counter[str], set[str]]:
    """How often each marker of ``run`` is stored, and the markers of public agent replies."""
    engine = create_engine(database_url)
    counts: Counter[str] = Counter()
    replies: set[str] = set()
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT body, kind, author_kind FROM messages WHERE body LIKE :p"),
                {"p": f"%crk-{run}-%"},
            )
            for body, kind, author in rows:
                for marker in set(MARK.findall(body)):
                    counts[marker] += 1
                    if kind == "public" and author == "agent" and "-reply-" in marker:
                        replies.add(marker)
    finally:
        engine.dispose()
    return counts, replies


def owed_webhook_events(database_url: str) -> set[int]:
    """Every event the webhook subscribed to (it was registered before any load)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id FROM events WHERE action = ANY(:actions)"),
                {"actions": WEBHOOK_EVENTS},
            )
            return {int(r[0]) for r in rows}
    finally:
        engine.dispose()


def outbox_waiting(database_url: str, before: float) -> list[str]:
    """Jobs queued before ``before`` (unix time) that have not run, periodic ones aside."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT topic, attempts, last_error FROM outbox "
                    "WHERE created_at <= to_timestamp(:before) AT TIME ZONE 'UTC' "
                    "AND topic NOT IN (SELECT name FROM job_schedules) ORDER BY id"
                ),
                {"before": before},
            )
            return [f"{t} (attempts {a}: {str(e or '')[:120]})" for t, a, e in rows]
    finally:
        engine.dispose()


def _mail_view(sink: SmtpSink) -> tuple[dict[str, set[str]], int]:
    """Each reply marker -> the Message-IDs it came under; and copies of one Message-ID."""
    by_marker: dict[str, set[str]] = defaultdict(set)
    per_id = Counter(m.message_id for m in sink.snapshot())
    for mail in sink.snapshot():
        for marker in mail.markers:
            if "-reply-" in marker:
                by_marker[marker].add(mail.message_id)
    return by_marker, sum(n - 1 for n in per_id.values() if n > 1)


def _webhook_view(sink: WebhookSink) -> tuple[dict[int, set[str]], int, int]:
    by_event: dict[int, set[str]] = defaultdict(set)
    deliveries = sink.snapshot()
    for d in deliveries:
        if d.event_id is not None:
            by_event[int(d.event_id)].add(d.delivery_id)
    per_id = Counter(d.delivery_id for d in deliveries)
    unsigned = sum(1 for d in deliveries if not d.signed)
    return by_event, sum(n - 1 for n in per_id.values() if n > 1), unsigned


def settle_and_check(
    database_url: str,
    ledger: Ledger,
    smtp: SmtpSink,
    hooks: WebhookSink,
    desk: Desk,
    load_ended: float,
    timeout: float = 120.0,
) -> Verdict:
    """Wait (up to ``timeout``) for every owed job to run and its mail and webhook to arrive,
    then compare what the clients were told with what was stored and delivered."""
    counts, replies = stored_markers(database_url, ledger.run)
    owed_events = owed_webhook_events(database_url)
    deadline = time.monotonic() + timeout
    while True:
        waiting = outbox_waiting(database_url, load_ended)
        by_marker, _ = _mail_view(smtp)
        by_event, _, _ = _webhook_view(hooks)
        missing_mail = sorted(m for m in replies if m not in by_marker)
        missing_hooks = sorted(e for e in owed_events if e not in by_event)
        if not (waiting or missing_mail or missing_hooks) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    time.sleep(1.0)  # a late copy would still arrive now
    by_marker, mail_copies = _mail_view(smtp)
    by_event, webhook_copies, unsigned = _webhook_view(hooks)
    return Verdict(
        acked=len(ledger.acked),
        unacked=len(ledger.unacked),
        lost=sorted(m for m in ledger.acked if counts[m] == 0),
        stored_twice=sorted(m for m, n in counts.items() if n > 1),
        mails=len(smtp.snapshot()),
        mails_owed=len(replies),
        mails_missing=missing_mail,
        mail_copies=mail_copies,
        mail_duplicates=sorted(m for m, ids in by_marker.items() if len(ids) > 1),
        webhooks=len(hooks.snapshot()),
        webhooks_owed=len(owed_events),
        webhooks_missing=missing_hooks,
        webhook_copies=webhook_copies,
        webhook_duplicates=sorted(e for e, ids in by_event.items() if len(ids) > 1),
        unsigned=unsigned,
        outbox_left=waiting,
        kills=desk.kills,
        errors=dict(ledger.errors.most_common(8)),
    )


# --- one whole run ---------------------------------------------------------------------------


@dataclass
class RunResult:
    verdict: Verdict
    seconds: float
    requests_acked: dict[str, int]
    chaos_log: list[str]


def crash_run(
    workdir: Path,
    redis_url: str,
    *,
    kills: int,
    every: float,
    clients: int = 4,
    web_workers: int = 2,
    job_workers: int = 1,
    settle_timeout: float = 120.0,
    seed: int | None = None,
    plan: list[str] | None = None,
    migrate_command: bool = True,
) -> RunResult:
    """Start a desk, load it while killing its processes ``kills`` times, then check."""
    smtp, hooks = SmtpSink(), WebhookSink()
    smtp.start()
    hooks.start()
    try:
        with servers.database("postgresql", workdir) as url:
            env = desk_environment(workdir, url, redis_url, smtp.port)
            desk = Desk(env, workdir, web_workers=web_workers, job_workers=job_workers)
            desk.migrate(command=migrate_command)
            token = make_admin_token(url)
            try:
                desk.start()
                register_webhook(desk, token, hooks)
                ledger = Ledger()
                load = Load(desk, token, ledger, clients=clients)
                chaos = Chaos(desk, kills, every, seed, plan)
                started = time.monotonic()
                load.start()
                chaos.start()
                chaos.finished.wait(timeout=chaos.target * (every * 3 + START_TIMEOUT) + 60)
                time.sleep(min(2.0, every))  # load on the restarted processes too
                load.join()
                if chaos.failure is not None:
                    raise chaos.failure
                seconds = time.monotonic() - started
                load_ended = time.time()
                for worker in desk.workers:  # a last kill may have left one down
                    if not worker.alive():
                        worker.start()
                desk.wait_ready()
                verdict = settle_and_check(
                    url, ledger, smtp, hooks, desk, load_ended, timeout=settle_timeout
                )
            finally:
                desk.stop()
            acked = Counter(ledger.acked.values())
            return RunResult(verdict, seconds, dict(acked), chaos.log)
    finally:
        smtp.stop()
        hooks.stop()
