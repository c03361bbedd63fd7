"""Live chat delivery (issue 13): agent send -> widget receive with 1,000 widget connections.

For each database (a temp SQLite file, a throwaway PostgreSQL database), a fresh desk
(``ledgerdesk migrate``; admin agents; N customers who each opened a chat conversation
through the chat services, as the widget does, and got a first agent reply the widget has
shown, so that every measured reply is an ordinary one; ``ledgerdesk worker --once`` runs
the seeded replies' e-mail jobs before any server starts), then two setups:

* **1 process**: one ``ledgerdesk serve`` (one uvicorn worker, so every connection is in one
  process). Agents and customers connect to it.
* **2 processes + Redis**: two ``ledgerdesk serve`` processes on one database with a private
  ``redis-server`` (free port, no persistence) as ``LEDGERDESK_REDIS_URL``; the agents are on
  process A, the customers on process B, so every message crosses Redis.

In each setup, the same delivery is measured twice, in this order:

1. **baseline**: 10 customer connections (``--baseline``), each subscribed to its own
   conversation; the agents send public replies round robin over those conversations at a
   fixed total rate (open loop, ``--rate`` per second for ``--seconds``);
2. **load**: the same with 1,000 connections (``--connections``), i.e. each conversation gets
   ``rate * seconds / connections`` replies. Before opening them and once they are all
   subscribed (plus a few seconds), the server's RSS is read: the difference divided by the
   connection count is the memory per connection. The server's CPU with every connection
   open and nothing sent (pings, the 10 s re-check) is measured for 10 s.

Delivery latency is from the agent client's ``send`` call to the customer client reading the
item (one asyncio process, one monotonic clock); ack latency from the same send to the ack
(the commit). Like the widget, every customer answers each item with ``received`` (a stored
mark; ``--no-marks`` to leave it out) and pings every heartbeat. The client is checked not to
be the bottleneck: its CPU share and the lateness of its own 10 ms timer (loop lag) are
reported with each row. Like the widget and the console, a connection the server closes is
reopened (customers resubscribe from their last seq, agents resend what is unacknowledged);
such closes are counted. Chat limits are raised for the bench (one client address holds
every connection; agents send faster than a person).

    .venv/bin/python bench/chat_delivery.py                 # SQLite and PostgreSQL (~15 min)
    .venv/bin/python bench/chat_delivery.py --quick         # 100 connections, short rounds
    .venv/bin/python bench/chat_delivery.py --only sqlite --connections 2000 --rate 50
    .venv/bin/python bench/chat_delivery.py --only postgresql --profile   # + py-spy
    .venv/bin/python bench/run_all.py --only chat           # the same through run_all
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))  # this checkout's code, also for the servers (PYTHONPATH)

import http_load  # noqa: E402
import httpx  # noqa: E402
import profile_server  # noqa: E402
import run_all  # noqa: E402
from chat_load import Agents, Customer, Fleet, LoopLag, LoopProbe, Round, percentile  # noqa: E402
from run_all import log  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from ledgerdesk.accounts.models import Role  # noqa: E402
from ledgerdesk.accounts.services import SYSTEM, agent_actor, do_create_agent  # noqa: E402
from ledgerdesk.chat import services as chat  # noqa: E402
from ledgerdesk.core.db import make_engine, make_sessionmaker  # noqa: E402
from ledgerdesk.core.settings import get_settings  # noqa: E402

GOAL_P99_MS = 200.0
SLOW_MS = 100.0  # deliveries slower than this are listed by when they were sent
AGENT_PASSWORD = "bench-agent-password"  # noqa: S105 - throwaway benchmark accounts
BENCH_SETTINGS = {
    # every connection comes from 127.0.0.1, and the bench's agents type faster than people
    "LEDGERDESK_CHAT_MAX_CONNECTIONS_PER_IP": "100000",
    "LEDGERDESK_CHAT_MESSAGE_RATE": "1000/second",
    "LEDGERDESK_LOGIN_RATE_LIMIT": "1000/minute",
    "LEDGERDESK_ACCOUNT_LOGIN_RATE_LIMIT": "1000/minute",
    # triage of the seeded conversations would run in the server during the measurement
    "LEDGERDESK_TRIAGE": "false",
    # and so would the assistant's answers (measured on their own: bench/assistant_latency.py)
    "LEDGERDESK_ASSISTANT_ENABLED": "false",
}


@dataclass(frozen=True)
class Plan:
    connections: int = 1000
    baseline: int = 10
    agents: int = 5
    rate: float = 25.0
    seconds: float = 40.0
    warmup_messages: int = 50
    settle_seconds: float = 5.0
    idle_seconds: float = 10.0
    grace_seconds: float = 15.0
    quiet_wait_seconds: float = 20.0
    setups: str = "both"
    variant: tuple[str, ...] = ()  # bench/chat_server_variant.py switches, for the analysis
    py_spy: str = ""  # path of py-spy: profile the servers during each load round
    marks: bool = True


QUICK = Plan(
    connections=100,
    baseline=10,
    agents=2,
    rate=20.0,
    seconds=5.0,
    idle_seconds=3.0,
    quiet_wait_seconds=0.0,
)


# --- desk, servers, Redis ---------------------------------------------------------------------


def chat_env(url: str, data_dir: Path) -> dict[str, str]:
    env = run_all.server_env(url, data_dir)
    env.update(BENCH_SETTINGS)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
    )
    return env


def seed_desk(url: str, env: dict[str, str], plan: Plan) -> list[Customer]:
    """Admin agents, and one customer per connection with a conversation they opened."""
    for key, value in env.items():  # the services read the same settings as the server
        if key.startswith("LEDGERDESK_"):
            os.environ[key] = value
    get_settings.cache_clear()
    engine = make_engine(url)
    customers: list[Customer] = []
    try:
        with make_sessionmaker(engine)() as session:
            agents = [
                do_create_agent(
                    session,
                    SYSTEM,
                    email=agent_email(k),
                    name=f"Bench agent {k}",
                    password=AGENT_PASSWORD,
                    role=Role.admin,
                )
                for k in range(plan.agents)
            ]
            session.commit()
            agent = agent_actor(agents[0])
            for k in range(max(plan.connections, plan.baseline) + 1):  # + the loop probe
                visitor, token = chat.identify_email(
                    session, f"bench-customer-{k}@chat.example", name=f"Customer {k}", locale="en"
                )
                opened = chat.send_customer_message(
                    session, visitor, None, f"bench-open-{k:06d}", f"Withdrawal {k} is pending"
                )
                # The first answer is already there, so every measured reply is an ordinary
                # one (a first reply also stamps the ticket's first-reply time and status).
                first = chat.send_agent_message(
                    session, agent, opened.conversation, f"bench-first-{k:06d}", "Checking now."
                )
                # ... and the customer's widget has shown it: no e-mail copy is due two
                # minutes later (a thousand of them would land in the middle of a round)
                chat.mark(session, opened.conversation, "customer", "read", first.seq)
                session.commit()
                customers.append(Customer(opened.conversation, token, first.seq))
    finally:
        engine.dispose()
    return customers


def agent_email(k: int) -> str:
    return f"bench-agent-{k}@desk.example"


def login(base_url: str, email: str) -> str:
    """A console session cookie for ``email`` (the agents' websocket authenticates with it)."""
    with httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=30) as client:
        answer = client.post(
            "/console/login",
            data={"email": email, "password": AGENT_PASSWORD, "next": "/console"},
        )
        cookie = client.cookies.get("ledgerdesk_session")
    if answer.status_code >= 400 or not cookie:
        raise SystemExit(f"agent sign-in failed ({answer.status_code}): {answer.text[:300]}")
    return f"ledgerdesk_session={cookie}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[tuple[str, int] | None]:
    """A private redis-server on a free loopback port (so no other Redis user's channels or
    keys meet the bench's), or None when there is no redis-server binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(workdir)]
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), 1) as s,
            ):
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def rss_mib(pids: Sequence[int]) -> float:
    total_kib = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def cpu_seconds(pids: Sequence[int]) -> float:
    return sum(run_all.proc_cpu(p) for p in pids)


def db_backends(url: str) -> list[int]:
    """PostgreSQL backend processes serving the bench's database (none for SQLite)."""
    if not url.startswith("postgresql"):
        return []
    admin = create_engine(run_all.PG_ADMIN_URL)
    try:
        with admin.connect() as conn:
            rows = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                {"d": url.rsplit("/", 1)[-1]},
            ).scalars()
            return [int(p) for p in rows]
    finally:
        admin.dispose()


def ws_url(srv: run_all.Server) -> str:
    return srv.base_url.replace("http://", "ws://", 1) + "/chat/ws"


# --- measurement ------------------------------------------------------------------------------


@dataclass
class Setup:
    name: str
    db_url: str
    agent_srv: run_all.Server
    customer_srv: run_all.Server
    extra_pids: tuple[int, ...] = ()  # redis-server

    def server_pids(self) -> list[int]:
        pids = self.agent_srv.pids()
        if self.customer_srv is not self.agent_srv:
            pids += self.customer_srv.pids()
        return pids + list(self.extra_pids)


async def measure(
    setup: Setup,
    fleet: Fleet,
    agents: Agents,
    conversations: Sequence[int],
    plan: Plan,
    total: int | None = None,
    probe: LoopProbe | None = None,
) -> dict[str, Any]:
    """One open-loop round: ``total`` (default rate x seconds) replies at ``plan.rate``/s;
    the figures of what arrived."""
    rate = plan.rate
    total = int(plan.rate * plan.seconds) if total is None else total
    rnd = Round()
    fleet.round = rnd
    for side in (fleet, agents):  # closes and reopens are counted per round
        side.closed_early.clear()
        side.reconnects = 0
    # in a thread: the loop must go on serving every open connection meanwhile
    background = await asyncio.to_thread(run_all.wait_quiet, plan.quiet_wait_seconds)
    lag = LoopLag()
    lag.start()
    pids = setup.server_pids()
    backends = {p: run_all.proc_cpu(p) for p in db_backends(setup.db_url)}
    machine0 = http_load.cpu_ticks()
    cpu0, client0, wall0 = cpu_seconds(pids), time.process_time(), time.perf_counter()
    await agents.send_at_rate(rnd, conversations, rate=rate, total=total, tag=next_tag())
    deadline = time.perf_counter() + plan.grace_seconds
    while not rnd.complete() and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    wall = time.perf_counter() - wall0
    pongs = probe.window(wall0, wall0 + wall) if probe else []
    pong_ms = [ms for _, ms in pongs]
    server_cpu, client_cpu = cpu_seconds(pids) - cpu0, time.process_time() - client0
    # backends that appeared during the round count whole (they did their work in it)
    db_cpu = sum(
        max(0.0, run_all.proc_cpu(p) - backends.get(p, 0.0)) for p in db_backends(setup.db_url)
    )
    machine1 = http_load.cpu_ticks()
    busy = (machine1[0] - machine0[0]) / max(machine1[1] - machine0[1], 1) * (os.cpu_count() or 1)
    await lag.stop()
    delivery, acks, fanout = rnd.delivery_ms(), rnd.ack_ms(), rnd.fanout_ms()
    return {
        "setup": setup.name,
        "connections": len(fleet.conns),
        "rate": rate,
        "sent": len(rnd.sent),
        "acked": len(rnd.acked),
        "delivered": len(rnd.received),
        "missing": len(rnd.sent) - len(rnd.received),
        "duplicates": rnd.duplicates + rnd.duplicate_acks,
        "reordered": rnd.reordered,
        "errors": dict(rnd.errors),
        "closed_early": dict(fleet.closed_early + agents.closed_early),
        "reconnects": fleet.reconnects + agents.reconnects,
        "p50_ms": round(percentile(delivery, 50), 1),
        "p95_ms": round(percentile(delivery, 95), 1),
        "p99_ms": round(percentile(delivery, 99), 1),
        "max_ms": round(max(delivery, default=0.0), 1),
        "ack_p50_ms": round(percentile(acks, 50), 1),
        "ack_p99_ms": round(percentile(acks, 99), 1),
        "slow_sent_at_s": rnd.slow_sends(SLOW_MS),
        # the customers' server's event loop, pinged every 20 ms from outside
        "server_loop_p50_ms": round(percentile(pong_ms, 50), 1),
        "server_loop_p99_ms": round(percentile(pong_ms, 99), 1),
        "server_loop_max_ms": round(max(pong_ms, default=0.0), 1),
        "server_loop_stalls_at_s": [round(t, 1) for t, ms in pongs if ms > SLOW_MS][:40],
        "fanout_p50_ms": round(percentile(fanout, 50), 1),
        "fanout_p99_ms": round(percentile(fanout, 99), 1),
        "server_cpu_cores": round(server_cpu / wall, 2),
        "server_cpu_ms_per_msg": round(server_cpu * 1000 / max(len(rnd.received), 1), 2),
        "db_cpu_cores": round(db_cpu / wall, 2) if setup.db_url.startswith("postgresql") else None,
        # cores busy with anything but the servers, their database backends and this client
        "other_cores": round(max(0.0, busy - (server_cpu + db_cpu + client_cpu) / wall), 2),
        "background_busy_before": round(background, 2),
        "client_cpu_cores": round(client_cpu / wall, 2),
        "loop_lag_p99_ms": round(percentile(lag.samples, 99), 1),
        "send_late_p99_ms": round(percentile(rnd.send_lateness, 99) * 1000, 1),
    }


_ROUNDS = itertools.count(1)
_RUN = secrets.token_hex(3)


def next_tag() -> str:
    """A prefix no earlier round used: client ids must be new to the conversation, or the
    server rightly answers them as duplicates."""
    return f"r{_RUN}-{next(_ROUNDS)}"


async def run_setup(setup: Setup, customers: list[Customer], plan: Plan) -> list[dict[str, Any]]:
    """Baseline then load, on one setup; the customers' last seqs carry over (they resume)."""
    cookies = [login(setup.agent_srv.base_url, agent_email(k)) for k in range(plan.agents)]
    agents = Agents(ws_url(setup.agent_srv), setup.agent_srv.base_url, cookies)
    await agents.open()
    probe_customer = customers[-1]  # seeded for it; no agent writes to its conversation
    try:
        baseline = await baseline_round(
            setup, agents, customers[: plan.baseline], probe_customer, plan
        )
        await asyncio.sleep(2)
        load = await load_round(setup, agents, customers[: plan.connections], probe_customer, plan)
    finally:
        await agents.close()
    return [baseline, load]


def new_fleet(srv: run_all.Server, plan: Plan) -> Fleet:
    return Fleet(ws_url(srv), srv.base_url, marks=plan.marks)


async def baseline_round(
    setup: Setup, agents: Agents, customers: list[Customer], probe_customer: Customer, plan: Plan
) -> dict[str, Any]:
    fleet = new_fleet(setup.customer_srv, plan)
    await fleet.open(customers)
    probe = LoopProbe(fleet, probe_customer)
    await probe.start()
    convs = [c.conversation for c in customers]
    try:
        # warm-up, not recorded: first use of every code path in the server
        await measure(setup, fleet, agents, convs, plan, total=plan.warmup_messages)
        log(f"  [{setup.name}] baseline: {len(customers)} connections …")
        row = await measure(setup, fleet, agents, convs, plan, probe=probe)
    finally:
        await probe.stop()
        await fleet.close()
    log("    " + line(row))
    return {**row, "round": "baseline"}


async def load_round(
    setup: Setup, agents: Agents, customers: list[Customer], probe_customer: Customer, plan: Plan
) -> dict[str, Any]:
    target = setup.customer_srv
    rss_before = rss_mib(target.pids())
    fleet = new_fleet(target, plan)
    log(f"  [{setup.name}] opening {len(customers)} connections …")
    probe = LoopProbe(fleet, probe_customer)
    try:
        open_s = await fleet.open(customers)
        await probe.start()
        await asyncio.sleep(plan.settle_seconds)
        rss_after = rss_mib(target.pids())
        pids = setup.server_pids()
        cpu0 = cpu_seconds(pids)
        await asyncio.sleep(plan.idle_seconds)
        idle = (cpu_seconds(pids) - cpu0) / plan.idle_seconds
        log(f"  [{setup.name}] load: {len(fleet.conns)} connections …")
        with profiled(setup, plan) as profile:
            convs = [c.conversation for c in customers]
            row = await measure(setup, fleet, agents, convs, plan, probe=probe)
    finally:
        await probe.stop()
        await fleet.close()
    row.update(
        round="load",
        open_seconds=round(open_s, 1),
        rss_before_mib=round(rss_before, 1),
        rss_after_mib=round(rss_after, 1),
        kib_per_connection=round((rss_after - rss_before) * 1024 / max(len(customers), 1), 1),
        idle_server_cpu_cores=round(idle, 3),
    )
    if profile:
        row["profile"] = profile
    log("    " + line(row))
    return row


def line(row: dict[str, Any]) -> str:
    text = (
        f"{row['delivered']}/{row['sent']} delivered, p50 {row['p50_ms']} p95 {row['p95_ms']} "
        f"p99 {row['p99_ms']} max {row['max_ms']} ms; ack p99 {row['ack_p99_ms']} ms, ack→widget "
        f"p99 {row['fanout_p99_ms']} ms; server "
        f"{row['server_cpu_cores']} cores; client {row['client_cpu_cores']} cores, loop lag "
        f"p99 {row['loop_lag_p99_ms']} ms; other load {row['other_cores']} cores; server loop "
        f"(pong) p99 {row['server_loop_p99_ms']} max {row['server_loop_max_ms']} ms"
    )
    if "kib_per_connection" in row:
        text += (
            f"; RSS {row['rss_before_mib']} -> {row['rss_after_mib']} MiB "
            f"({row['kib_per_connection']} KiB/connection), idle {row['idle_server_cpu_cores']} "
            f"cores, opened in {row['open_seconds']} s"
        )
    if row["missing"] or row["duplicates"] or row["reordered"] or row["errors"]:
        text += (
            f"; MISSING {row['missing']} DUPLICATES {row['duplicates']} REORDERED "
            f"{row['reordered']} errors {row['errors']} closed {row['closed_early']}"
        )
    return text


# --- runs per database ------------------------------------------------------------------------


def run_kind(kind: str, plan: Plan, workdir: Path) -> dict[str, Any]:
    log(f"\n== {kind} ==")
    data_dir = workdir / kind
    data_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"db": kind, "cpu_calibration_ms": [run_all.cpu_calibration()]}
    rows: list[dict[str, Any]] = []
    with run_all.database(kind, data_dir) as url:
        env = chat_env(url, data_dir)
        run_all.migrate(env)
        started = time.perf_counter()
        customers = seed_desk(url, env, plan)
        # the seeded replies' e-mail notices, sent now rather than during the measurement
        subprocess.run(
            [str(run_all.LEDGERDESK), "worker", "--once"], env=env, check=True, capture_output=True
        )
        log(f"  seeded {len(customers)} conversations in {time.perf_counter() - started:.0f} s")
        launcher = variant_launcher(plan)
        if plan.setups in ("both", "one"):
            with run_all.server(env, 1, data_dir, launcher) as srv:
                setup = Setup("1 process", url, srv, srv)
                rows += run_async(run_setup(setup, customers, plan))
        with redis_server(data_dir) as redis:
            if plan.setups == "one":
                pass
            elif redis is None:
                log("  no redis-server on PATH: the two-process setup is skipped")
            else:
                env2 = {**env, "LEDGERDESK_REDIS_URL": redis[0]}
                with (
                    run_all.server(env2, 1, data_dir, launcher) as a,
                    run_all.server(env2, 1, data_dir, launcher) as b,
                ):
                    setup = Setup("2 processes + Redis", url, a, b, (redis[1],))
                    rows += run_async(run_setup(setup, customers, plan))
    out["rows"] = [{"db": kind, **r} for r in rows]
    out["cpu_calibration_ms"].append(run_all.cpu_calibration())
    log(f"  CPU calibration (ms, lower is faster): {out['cpu_calibration_ms']}")
    return out


def variant_launcher(plan: Plan) -> list[str]:
    """The server command for ``--variant`` (empty: the ordinary ``ledgerdesk``)."""
    if not plan.variant:
        return []
    flags = [f"--{name}" for name in plan.variant]
    return [sys.executable, str(BENCH_DIR / "chat_server_variant.py"), *flags]


def run_async(work: Any) -> list[dict[str, Any]]:
    """Run one setup's rounds on a uvloop loop when uvloop is there (a cheaper client)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)  # type: ignore[no-any-return]
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        rows: list[dict[str, Any]] = runner.run(work)
    return rows


@contextlib.contextmanager
def profiled(setup: Setup, plan: Plan) -> Iterator[dict[str, str]]:
    """py-spy (``--gil``) on each server process while the block runs, when ``--profile``;
    the summaries by layer and function land in the dict given out."""
    summaries: dict[str, str] = {}
    if not plan.py_spy:
        yield summaries
        return
    seconds = plan.seconds + plan.grace_seconds + plan.quiet_wait_seconds + 5
    servers = {setup.agent_srv.pid: "agent side", setup.customer_srv.pid: "customer side"}
    if setup.agent_srv is setup.customer_srv:
        servers = {setup.agent_srv.pid: "the one process"}
    spies = []
    for pid, side in servers.items():
        raw = Path(tempfile.mkstemp(prefix="chat-spy-", suffix=".txt")[1])
        spies.append((side, raw, profile_server._spy(plan.py_spy, pid, seconds, raw)))
    try:
        yield summaries
    finally:
        for side, raw, proc in spies:
            proc.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
            summaries[side] = profile_server.summarise(raw)
            log(f"\n  py-spy, {setup.name}, {side}, load round:\n{summaries[side]}")
            raw.unlink(missing_ok=True)


# --- report -----------------------------------------------------------------------------------

COLUMNS = (
    ("db", "db"),
    ("setup", "setup"),
    ("round", "round"),
    ("connections", "connections"),
    ("rate", "replies/s"),
    ("delivered", "delivered"),
    ("missing", "missing"),
    ("duplicates", "dup"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("max_ms", "max ms"),
    ("ack_p99_ms", "ack p99 ms"),
    ("fanout_p99_ms", "ack→widget p99 ms"),
    ("server_cpu_cores", "server CPU (cores)"),
    ("idle_server_cpu_cores", "idle server CPU (cores)"),
    ("kib_per_connection", "KiB/connection"),
    ("db_cpu_cores", "PG CPU (cores)"),
    ("client_cpu_cores", "client CPU (cores)"),
    ("loop_lag_p99_ms", "client loop lag p99 ms"),
    ("other_cores", "other load (cores)"),
)


def goals(rows: Sequence[dict[str, Any]], plan: Plan) -> list[str]:
    lines = []
    for row in rows:
        if row["round"] != "load":
            continue
        met = row["p99_ms"] < GOAL_P99_MS and not row["missing"] and not row["duplicates"]
        lines.append(
            f"- {row['db']}, {row['setup']}, {row['connections']} connections: delivery p99 "
            f"{row['p99_ms']} ms, {row['missing']} missing, {row['duplicates']} duplicated "
            f"-> goal p99 < {GOAL_P99_MS:.0f} ms, every message once: "
            f"{'MET' if met else 'MISSED'}"
            + ("" if row["connections"] >= plan.connections else " (fewer connections than asked)")
        )
    return lines


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    rows = [r for db in report["databases"] for r in db["rows"]]
    calibration = ", ".join(f"{db['db']} {db['cpu_calibration_ms']}" for db in report["databases"])
    return "\n".join(
        [
            f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python "
            f"{m['python']}, PostgreSQL {m['postgresql']}, SQLite {m['sqlite']}; {m['date_utc']}",
            f"CPU calibration, ms before / after (~230 on a quiet machine): {calibration}",
            f"Command: {report['command']} ({report['seconds']:.0f} s)",
            "",
            run_all.table(rows, COLUMNS),
            "",
            "Goals:",
            *goals(rows, Plan(**report["plan"])),
        ]
    )


def raise_fd_limit(connections: int) -> None:
    """Room for every connection on both ends (the servers inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 3 * connections + 1024
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < want:
            log(f"fd limit {new} (hard limit) is below the {want} wanted: expect failures")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Live chat delivery latency and memory.")
    parser.add_argument("--quick", action="store_true", help="100 connections, short rounds")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument(
        "--setups", choices=("both", "one", "two"), default="both", help="one process, two, both"
    )
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--baseline", type=int, default=None, help="connections of the baseline")
    parser.add_argument("--agents", type=int, default=None, help="agent connections")
    parser.add_argument("--rate", type=float, default=None, help="agent replies per second")
    parser.add_argument("--seconds", type=float, default=None, help="length of each round")
    parser.add_argument("--no-marks", action="store_true", help="customers send no 'received'")
    parser.add_argument(
        "--variant",
        default="",
        help="comma-separated switches of bench/chat_server_variant.py for the servers "
        "(gc-log, gc-freeze, no-recheck): analysis only",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy on the server processes")
    parser.add_argument("--py-spy", default=None, help="path of py-spy (with --profile)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results" / "chat_delivery.json")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    for name in ("connections", "baseline", "agents", "rate", "seconds"):
        if getattr(args, name) is not None:
            plan = replace(plan, **{name: getattr(args, name)})
    variant = tuple(v.strip() for v in args.variant.split(",") if v.strip())
    unknown = set(variant) - {"gc-log", "gc-freeze", "no-recheck"}
    if unknown:
        parser.error(f"unknown --variant {', '.join(sorted(unknown))}")
    plan = replace(plan, marks=not args.no_marks, setups=args.setups, variant=variant)
    if plan.connections < 1 or plan.baseline < 1 or plan.agents < 1 or plan.rate <= 0:
        parser.error("connections, baseline, agents and rate must be positive")
    if plan.connections > 20_000 or plan.rate > 2000 or plan.seconds > 600:
        parser.error("at most 20000 connections, 2000 replies/s and 600 s per round")
    if not run_all.LEDGERDESK.exists():
        raise SystemExit(f"{run_all.LEDGERDESK} not found: install the project into .venv first")
    if args.profile:
        plan = replace(plan, py_spy=profile_server.find_py_spy(args.py_spy))
    raise_fd_limit(max(plan.connections, plan.baseline))
    started = time.perf_counter()
    report: dict[str, Any] = {
        "command": "bench/chat_delivery.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "plan": asdict(plan),
        "machine": run_all.machine_info(),
        "databases": [],
    }
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    with contextlib.ExitStack() as stack:
        if args.keep:  # server logs (and the SQLite file) stay for a look afterwards
            tmp = tempfile.mkdtemp(prefix="ledgerdesk-chat-bench-")
            log(f"work directory (kept): {tmp}")
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="ledgerdesk-chat-bench-"))
        for kind in kinds:
            report["databases"].append(run_kind(kind, plan, Path(tmp)))
    report["seconds"] = time.perf_counter() - started
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("\n" + render(report))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
