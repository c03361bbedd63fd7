"""Run every ledgerdesk benchmark on SQLite and PostgreSQL and print the figures.

For each database: a fresh desk (a temp SQLite file, or a throwaway PostgreSQL database
``ledgerdesk_bench_<random>`` created through ``test`` on 127.0.0.1:5432 and dropped after),
``ledgerdesk migrate``, an admin agent with 50 API tokens, then ``ledgerdesk serve`` as a
subprocess on a free loopback port:

1. ticket create, 50 closed-loop clients sharing one token, for each worker count;
2. with the best worker count: create with one token per client, agent replies (shared
   token and one token per client), and an open-loop create at a fixed rate (500/s);
3. seed N tickets (bench/seed.py) and time the inbox (bench/inbox.py).

Every load is bounded by a request count and a time limit and targets loopback only.

    .venv/bin/python bench/run_all.py            # full run (~10-15 min)
    .venv/bin/python bench/run_all.py --quick    # smoke run (< 1 min)
    .venv/bin/python bench/run_all.py --only postgresql --tickets 20000
    .venv/bin/python bench/run_all.py --only search     # bench/search.py (not in the full run)
    .venv/bin/python bench/run_all.py --only chain      # bench/chain_diagnosis.py (not in full)
    .venv/bin/python bench/run_all.py --only chat       # bench/chat_delivery.py (not in full)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import http_load
import httpx
import inbox
import seed
from sqlalchemy import create_engine, text

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, do_create_agent
from ledgerdesk.accounts.tokens import do_create_api_token
from ledgerdesk.core.db import make_engine, make_sessionmaker

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LEDGERDESK = ROOT / ".venv" / "bin" / "ledgerdesk"
PG_ADMIN_URL = os.environ.get(
    "LEDGERDESK_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN_EMAIL = "bench-admin@desk.example"
ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105 - throwaway benchmark account
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
GOAL_CREATE_RPS = 500.0
GOAL_CREATE_P99_MS = 100.0
GOAL_INBOX_P95_MS = 50.0
INBOX_GOAL_CASES = ("mine", "unassigned", "open", "team")
INBOX_WORKERS = 2


@dataclass(frozen=True)
class Plan:
    tickets: int
    create_requests: int
    reply_requests: int
    warmup: int
    load_time_limit: float
    open_loop_rate: float
    open_loop_seconds: float
    workers: dict[str, tuple[int, ...]]
    inbox_requests: int
    inbox_budget_s: float
    quiet_wait_s: float
    inbox_min_samples: int = 3
    concurrency: int = 50


FULL = Plan(
    tickets=100_000,
    create_requests=2000,
    reply_requests=1500,
    warmup=150,
    load_time_limit=45.0,
    open_loop_rate=GOAL_CREATE_RPS,
    open_loop_seconds=8.0,
    workers={"sqlite": (1, 2), "postgresql": (1, 2, 4)},
    inbox_requests=40,
    inbox_budget_s=3.0,
    quiet_wait_s=10.0,
)
QUICK = Plan(
    tickets=1000,
    create_requests=150,
    reply_requests=100,
    warmup=20,
    load_time_limit=8.0,
    open_loop_rate=100.0,
    open_loop_seconds=1.0,
    workers={"sqlite": (2,), "postgresql": (2,)},
    inbox_requests=2,
    inbox_budget_s=0.05,
    quiet_wait_s=0.0,
    inbox_min_samples=2,
)


_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress on stdout, each line stamped with the seconds since the start."""
    stamp = f"[{time.perf_counter() - _T0:6.1f}s] "
    print("\n".join(stamp + line if line else line for line in message.split("\n")), flush=True)


# --- machine and CPU accounting ----------------------------------------------------------------


def busy_over(seconds: float) -> float:
    b0, t0 = http_load.cpu_ticks()
    time.sleep(seconds)
    b1, t1 = http_load.cpu_ticks()
    return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


def wait_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """Wait (bounded) until other work on the machine settles; returns the last busy share."""
    if max_wait <= 0:
        return 0.0
    deadline = time.monotonic() + max_wait
    while True:
        busy = busy_over(1.0)
        if busy < threshold or time.monotonic() >= deadline:
            return busy


def cpu_calibration() -> float:
    """CPU ms for a fixed pure-Python loop: ~230 ms on a quiet run of this 2-core VM. A
    higher figure means the (virtual) CPU itself was slower, and every CPU ms/req with it."""
    t0 = time.process_time()
    acc = 0
    for i in range(3_000_000):
        acc += i * i % 7
    return round((time.process_time() - t0) * 1000 + (acc & 0), 0)


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def machine_info() -> dict[str, Any]:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    pg_version = ""
    with contextlib.suppress(Exception):
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            pg_version = str(conn.scalar(text("SHOW server_version")))
        engine.dispose()
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "sqlite": sqlite3.sqlite_version,
        "packages": {
            name: version(name)
            for name in ("sqlalchemy", "fastapi", "starlette", "uvicorn", "psycopg", "httpx")
        },
        "loadavg_at_start": os.getloadavg(),
    }


# --- database, desk and server ----------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A URL for an empty database of ``kind``; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'ledgerdesk.db'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ledgerdesk_bench_{secrets.token_hex(5)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    env.update(
        LEDGERDESK_DATABASE_URL=url,
        LEDGERDESK_DATA_DIR=str(data_dir),
        LEDGERDESK_SECRET_KEY=secrets.token_urlsafe(48),
    )
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(LEDGERDESK), "migrate"], env=env, check=True, capture_output=True)


def setup_desk(url: str, n_tokens: int) -> list[str]:
    """An admin agent with ``n_tokens`` API tokens."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            admin = do_create_agent(
                session,
                SYSTEM,
                email=ADMIN_EMAIL,
                name="Bench admin",
                password=ADMIN_PASSWORD,
                role=Role.admin,
            )
            tokens = [
                do_create_api_token(session, SYSTEM, admin, f"bench-{k}") for k in range(n_tokens)
            ]
            session.commit()
    finally:
        engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base_url: str
    pid: int
    workers: int

    def pids(self) -> list[int]:
        return descendants(self.pid)


@contextlib.contextmanager
def server(env: dict[str, str], workers: int, log_dir: Path) -> Iterator[Server]:
    """``ledgerdesk serve`` in its own process group, stopped (that group only) afterwards."""
    port = free_port()
    log_path = log_dir / f"server-{workers}w-{port}.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            [
                str(LEDGERDESK),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        srv = Server(f"http://127.0.0.1:{port}", proc.pid, workers)
        try:
            _wait_ready(srv, proc, log_path)
            yield srv
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _wait_ready(srv: Server, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(srv.base_url + "/healthz", timeout=2).status_code == 200:
                # with several workers, wait until each has said it is up
                started = log_path.read_text().count("Application startup complete")
                if srv.workers == 1 or started >= srv.workers:
                    return
        time.sleep(0.2)
    raise SystemExit(f"server not healthy after 60 s:\n{log_path.read_text()[-3000:]}")


# --- loads ------------------------------------------------------------------------------------


@dataclass
class Runner:
    kind: str
    url: str
    plan: Plan
    tokens: list[str]
    results: list[dict[str, Any]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    _tag: int = 0
    _reply_cursor: int = 0

    def _db_backends(self) -> dict[int, float]:
        if self.kind != "postgresql":
            return {}
        name = self.url.rsplit("/", 1)[-1]
        admin = create_engine(PG_ADMIN_URL)
        try:
            with admin.connect() as conn:
                pids = conn.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": name}
                ).scalars()
                return {int(p): proc_cpu(int(p)) for p in pids}
        finally:
            admin.dispose()

    def load(
        self,
        srv: Server,
        scenario: str,
        *,
        total: int,
        tokens: Sequence[str],
        rate: float | None = None,
        time_limit: float | None = None,
        record: bool = True,
    ) -> http_load.LoadResult:
        self._tag += 1
        if scenario == "create":
            factory = http_load.create_ticket_factory(f"{self.kind[:2]}{self._tag}")
        else:
            # the first reply on tickets made by earlier create runs, a fresh slice each time
            start = self._reply_cursor
            ids = self.created_ids[start : start + total] or self.created_ids[-total:]
            self._reply_cursor += len(ids)
            factory = http_load.reply_factory(ids)
        mode = f"open loop {rate:.0f}/s" if rate else "closed loop"
        name = f"{scenario}, {len(tokens)} token{'s' if len(tokens) > 1 else ''}, {mode}"
        background = wait_quiet(self.plan.quiet_wait_s) if record else 0.0
        server_before = {p: proc_cpu(p) for p in srv.pids()}
        db_before = self._db_backends()
        result = asyncio.run(
            http_load.run_load(
                srv.base_url,
                factory,
                tokens=tokens,
                total=total,
                concurrency=self.plan.concurrency,
                time_limit=time_limit or self.plan.load_time_limit,
                rate=rate,
                name=name,
                collect_ids=scenario == "create",
            )
        )
        if scenario == "create":
            self.created_ids.extend(result.ids)
        if not record:
            return result
        server_cpu = sum(proc_cpu(p) - server_before.get(p, 0.0) for p in srv.pids())
        db_cpu = sum(c - db_before.get(p, 0.0) for p, c in self._db_backends().items())
        ok = max(result.ok, 1)
        per_req = (server_cpu + db_cpu + result.client_cpu_s) * 1000 / ok
        row = {
            "db": self.kind,
            "scenario": scenario,
            "workers": srv.workers,
            "tokens": len(tokens),
            "mode": mode,
            **result.summary(),
            "server_cpu_ms_per_req": round(server_cpu * 1000 / ok, 2),
            "db_cpu_ms_per_req": round(db_cpu * 1000 / ok, 2)
            if self.kind == "postgresql"
            else None,
            "background_busy_before": round(background, 2),
            # cores busy with anything but this server, its database backends and the client
            "other_cores": round(
                max(
                    0.0,
                    result.machine_busy * (os.cpu_count() or 1)
                    - (server_cpu + db_cpu + result.client_cpu_s) / max(result.elapsed_s, 1e-9),
                ),
                2,
            ),
            # what the measured CPU per request would allow if the cores did nothing else
            "cpu_ceiling_rps": round((os.cpu_count() or 1) * 1000 / per_req, 0)
            if per_req
            else None,
        }
        self.results.append(row)
        log(
            f"  [{self.kind} w={srv.workers}] {result.line()}; server CPU "
            f"{row['server_cpu_ms_per_req']} ms/req"
            + (f", postgres CPU {row['db_cpu_ms_per_req']} ms/req" if db_cpu else "")
        )
        if result.errors:
            log(f"    first error: {result.first_error}")
        return result

    def warm(self, srv: Server) -> None:
        self.load(srv, "create", total=self.plan.warmup, tokens=self.tokens[:1], record=False)


def run_database(kind: str, plan: Plan, workdir: Path) -> dict[str, Any]:
    log(f"\n== {kind} ==")
    out: dict[str, Any] = {"db": kind, "cpu_calibration_ms": [cpu_calibration()]}
    out["load"], out["best_workers"] = run_loads(kind, plan, workdir / kind / "load")
    out["cpu_calibration_ms"].append(cpu_calibration())
    out.update(run_inbox(kind, plan, workdir / kind / "inbox"))
    out["cpu_calibration_ms"].append(cpu_calibration())
    log(f"  CPU calibration (ms, lower is faster): {out['cpu_calibration_ms']}")
    return out


def run_loads(kind: str, plan: Plan, data_dir: Path) -> tuple[list[dict[str, Any]], int]:
    """Create and reply loads on a fresh desk; returns the rows and the best worker count."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with database(kind, data_dir) as url:
        env = server_env(url, data_dir)
        migrate(env)
        tokens = setup_desk(url, plan.concurrency)
        runner = Runner(kind, url, plan, tokens)
        shared, per_client = tokens[:1], tokens
        workers = plan.workers[kind]
        sweep: dict[int, float] = {}
        if len(workers) > 1:
            for w in workers:
                with server(env, w, data_dir) as srv:
                    runner.warm(srv)
                    sweep[w] = runner.load(
                        srv, "create", total=plan.create_requests, tokens=shared
                    ).rps
            best = max(sweep, key=lambda w: sweep[w])
            log(f"  best worker count for create on {kind}: {best}")
        else:
            best = workers[0]
        with server(env, best, data_dir) as srv:
            runner.warm(srv)
            if best not in sweep:
                runner.load(srv, "create", total=plan.create_requests, tokens=shared)
            runner.load(srv, "create", total=plan.create_requests, tokens=per_client)
            runner.load(srv, "reply", total=plan.reply_requests, tokens=shared)
            runner.load(srv, "reply", total=plan.reply_requests, tokens=per_client)
            total = int(plan.open_loop_rate * plan.open_loop_seconds)
            for toks in (shared, per_client):
                runner.load(
                    srv,
                    "create",
                    total=total,
                    tokens=toks,
                    rate=plan.open_loop_rate,
                    time_limit=plan.open_loop_seconds,
                )
    return runner.results, best


def run_inbox(kind: str, plan: Plan, data_dir: Path) -> dict[str, Any]:
    """A second fresh desk holding exactly ``plan.tickets`` seeded tickets (none left over
    from the loads, which would all be new and unassigned), served by 2 workers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    with database(kind, data_dir) as url:
        env = server_env(url, data_dir)
        migrate(env)
        log(f"  seeding {plan.tickets} tickets …")
        engine = make_engine(url)
        try:
            seeded = seed.seed(engine, plan.tickets)
            log(f"  seeded: {seeded.summary()}")
            out["seed"] = seeded.summary()
            with engine.connect() as conn:
                out["tickets_in_db"] = int(conn.scalar(text("SELECT count(*) FROM tickets")) or 0)
            with server(env, INBOX_WORKERS, data_dir) as srv:
                out["inbox_background_busy"] = round(wait_quiet(plan.quiet_wait_s), 2)
                timings = inbox.bench_inbox(
                    srv.base_url,
                    engine,
                    requests=plan.inbox_requests,
                    budget_s=plan.inbox_budget_s,
                    min_samples=plan.inbox_min_samples,
                    progress=log,
                )
                out["inbox"] = [{"db": kind, **t.summary()} for t in timings]
        finally:
            engine.dispose()
    return out


# --- report -----------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return str(value)


def table(rows: list[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_fmt(r.get(key)) for key, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


LOAD_COLUMNS = (
    ("db", "db"),
    ("scenario", "scenario"),
    ("workers", "workers"),
    ("tokens", "tokens"),
    ("mode", "mode"),
    ("ok", "ok"),
    ("errors", "errors"),
    ("rps", "req/s"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("max_ms", "max ms"),
    ("server_cpu_ms_per_req", "app CPU ms/req"),
    ("db_cpu_ms_per_req", "PG CPU ms/req"),
    ("client_cpu_share", "client CPU (cores)"),
    ("cpu_ceiling_rps", "CPU ceiling req/s"),
    ("other_cores", "other load (cores)"),
)
INBOX_COLUMNS = (
    ("db", "db"),
    ("actor", "actor"),
    ("case", "view"),
    ("surface", "surface"),
    ("total_tickets", "matching"),
    ("n", "n"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("count_p50_ms", "count() p50 ms"),
)


def goals(report: dict[str, Any]) -> list[str]:
    lines = []
    for db in report["databases"]:
        loads = [r for r in db.get("load", []) if r["scenario"] == "create"]
        closed = [r for r in loads if r["mode"] == "closed loop"]
        if closed and db["db"] == "postgresql":
            best = max(closed, key=lambda r: r["rps"])
            met = best["rps"] >= GOAL_CREATE_RPS and best["p99_ms"] < GOAL_CREATE_P99_MS
            lines.append(
                f"- PostgreSQL create, 50 clients (closed loop): best {best['rps']} req/s, "
                f"p99 {best['p99_ms']} ms ({best['workers']} workers, {best['tokens']} token(s))"
                f" -> goal >= {GOAL_CREATE_RPS:.0f}/s with p99 < {GOAL_CREATE_P99_MS:.0f} ms "
                f"{'MET' if met else 'MISSED'}"
            )
            for r in (r for r in loads if r["target_rate"] and r["target_rate"] >= GOAL_CREATE_RPS):
                met = (
                    r["rps"] >= 0.98 * GOAL_CREATE_RPS
                    and r["p99_ms"] < GOAL_CREATE_P99_MS
                    and not r["errors"]
                )
                lines.append(
                    f"- PostgreSQL create, {r['mode']}, {r['tokens']} token(s): achieved "
                    f"{r['rps']} req/s, p99 {r['p99_ms']} ms -> {'MET' if met else 'MISSED'}"
                )
        pages = [
            t
            for t in db.get("inbox", [])
            if t["surface"] == "html" and t["case"] in INBOX_GOAL_CASES
        ]
        if pages:
            worst = max(pages, key=lambda t: t["p95_ms"])
            small = (db.get("tickets_in_db") or 0) < 100_000
            over = [f"{t['actor']}/{t['case']} {t['p95_ms']}" for t in pages if t["p95_ms"] >= 50]
            lines.append(
                f"- {db['db']} inbox page (HTML, views {', '.join(INBOX_GOAL_CASES)}), "
                f"{db.get('tickets_in_db')} tickets: worst p95 {worst['p95_ms']} ms "
                f"({worst['actor']}/{worst['case']}) -> goal p95 < {GOAL_INBOX_P95_MS:.0f} ms "
                f"{'MET' if not over else 'MISSED (' + '; '.join(over) + ')'}"
                + (" [smaller desk than the goal's 100k: indicative only]" if small else "")
            )
    return lines


def render_report(report: dict[str, Any]) -> str:
    m = report["machine"]
    calibration = ", ".join(
        f"{db['db']} {db.get('cpu_calibration_ms')}" for db in report["databases"]
    )
    parts = [
        f"CPU calibration, ms for a fixed Python loop before loads / before inbox / after "
        f"(~230 on a quiet machine): {calibration}",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python "
        f"{m['python']}, PostgreSQL {m['postgresql']}, SQLite {m['sqlite']}; {m['date_utc']}",
        f"Command: {report['command']} ({report['seconds']:.0f} s)",
        "",
        "Write load (50 clients):",
        table([r for db in report["databases"] for r in db.get("load", [])], LOAD_COLUMNS),
        "",
        "Inbox (sequential requests):",
        table([t for db in report["databases"] for t in db.get("inbox", [])], INBOX_COLUMNS),
        "",
        "Goals:",
        *goals(report),
    ]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the ledgerdesk benchmarks.")
    parser.add_argument("--quick", action="store_true", help="small counts, a smoke run")
    parser.add_argument("--tickets", type=int, default=None, help="tickets to seed for the inbox")
    parser.add_argument(
        "--only",
        choices=("sqlite", "postgresql", "search", "chain", "chat"),
        default=None,
        help="one database, the knowledge-base search benchmark (bench/search.py), the "
        "chain diagnosis latency (bench/chain_diagnosis.py) or the live chat delivery "
        "(bench/chat_delivery.py)",
    )
    parser.add_argument("--requests", type=int, default=None, help="requests per load scenario")
    parser.add_argument(
        "--output", type=Path, default=None, help="JSON results (default bench/results/)"
    )
    args = parser.parse_args(argv)
    if args.only == "search":  # in-process search engine, no server or database to set up
        import search

        return search.main(
            (["--quick"] if args.quick else [])
            + (["--json", str(args.output)] if args.output else [])
        )
    if args.only == "chain":  # in-process demo world (local EVM nodes + demo exchange)
        import chain_diagnosis

        return chain_diagnosis.main(
            (["--quick"] if args.quick else [])
            + (["--json", str(args.output)] if args.output else [])
        )
    if args.only == "chat":  # its own servers, databases and Redis
        import chat_delivery

        return chat_delivery.main(
            (["--quick"] if args.quick else [])
            + (["--json", str(args.output)] if args.output else [])
        )
    plan = QUICK if args.quick else FULL
    if args.tickets is not None:
        plan = replace(plan, tickets=args.tickets)
    if args.requests is not None:
        plan = replace(plan, create_requests=args.requests, reply_requests=args.requests)
    if not LEDGERDESK.exists():
        raise SystemExit(f"{LEDGERDESK} not found: install the project into .venv first")
    started = time.perf_counter()
    report: dict[str, Any] = {
        "command": "bench/run_all.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "plan": plan.__dict__,
        "machine": machine_info(),
        "databases": [],
    }
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-bench-") as tmp:
        for kind in kinds:
            report["databases"].append(run_database(kind, plan, Path(tmp)))
    report["seconds"] = time.perf_counter() - started
    output = args.output or BENCH_DIR / "results" / f"{'quick' if args.quick else 'full'}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("\n" + render_report(report))
    print(f"\nJSON: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
