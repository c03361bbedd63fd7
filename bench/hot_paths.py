"""The write hot paths, this tree against a baseline tree, in one run.

For each database (SQLite, PostgreSQL) and each code tree (``--baseline-src``, e.g. an
older commit unpacked with ``git archive REV src data | tar -x -C /tmp/base``, then this
tree's ``src``): a fresh desk, ``ledgerdesk serve --workers N`` with
``LEDGERDESK_JOBS=external`` (jobs wait in the outbox for a ``worker``, as in production, so
the server's CPU is the request's own), then closed-loop loads with 50 clients:

* ``create``: ``POST /api/v1/tickets`` (one API token per client, 1,000 requesters);
* ``reply``: agent replies, ``POST /api/v1/tickets/{id}/messages`` on the tickets created;
* ``chat``: customers' live chat messages over HTTP, ``POST /chat/api/conversations/{id}/
  messages`` (each client is one visitor identified by e-mail with its own conversation).

Reported per load: requests/s, latency percentiles, the server's CPU per request (user +
system from ``/proc/<pid>/stat`` of every server process, before and after), PostgreSQL's
backends' CPU per request, and the database connections opened during the load
(``pg_stat_database.sessions``). PostgreSQL's own ceiling is measured in the same run:
``pgbench -i`` on a throwaway database, then ``pgbench -N`` (simple writes) with 50 clients;
the report gives creates/s ÷ pgbench tps.

    .venv/bin/python bench/hot_paths.py --quick            # ~2 min: this tree, both databases
    .venv/bin/python bench/hot_paths.py --only postgresql  # full counts, PostgreSQL only
    .venv/bin/python bench/hot_paths.py --baseline-src /tmp/base/src   # and a baseline tree

Only loopback servers are loaded; every load is bounded by a count and a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import http_load
import httpx
import profile_server
import run_all
from sqlalchemy import create_engine, text

BENCH_DIR = Path(__file__).resolve().parent
THIS_SRC = BENCH_DIR.parent / "src"
CLIENTS = 50


@dataclass(frozen=True)
class Plan:
    requests: int
    time_limit: float
    warmup: int
    pgbench_seconds: int
    workers: int


FULL = Plan(requests=3000, time_limit=40.0, warmup=300, pgbench_seconds=15, workers=2)
QUICK = Plan(requests=400, time_limit=10.0, warmup=100, pgbench_seconds=5, workers=2)


def log(message: str) -> None:
    run_all.log(message)


# --- load -----------------------------------------------------------------------------------


async def closed_loop(
    base_url: str,
    headers: Sequence[dict[str, str]],
    factory: http_load.RequestFactory,
    *,
    total: int,
    time_limit: float,
    name: str,
) -> http_load.LoadResult:
    """``len(headers)`` clients, one keep-alive connection each, each sending its next
    request when the previous answer came; client ``k`` sends with ``headers[k]``."""
    return await http_load.run_load(
        base_url,
        factory,
        headers=headers,
        total=total,
        time_limit=time_limit,
        name=name,
        collect_ids=name.startswith("create"),
        timeout=60.0,
    )


def chat_factory(conversations: Sequence[int], tag: str) -> http_load.RequestFactory:
    def factory(i: int, k: int = 0) -> http_load.RequestSpec:
        body = http_load.BODY.format(n=i % 48 + 1, h=f"{i * 2654435761 % 2**64:016x}")
        form = {"client_id": f"hp{tag}{i:08d}", "body": body}
        path = f"/chat/api/conversations/{conversations[k]}/messages"
        return http_load.RequestSpec("POST", path, data=form)

    return factory


async def open_chats(base_url: str, tag: str) -> tuple[list[dict[str, str]], list[int]]:
    """``CLIENTS`` visitors identified by e-mail, each with a conversation opened."""
    headers: list[dict[str, str]] = []
    conversations: list[int] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for k in range(CLIENTS):
            who = await client.post(
                "/chat/api/identify",
                json={"email": f"chat-{tag}-{k}@customers.example", "name": f"V {k}"},
            )
            who.raise_for_status()
            header = {"authorization": f"Chat {who.json()['visitor_token']}"}
            opened = await client.post(
                "/chat/api/messages",
                headers=header,
                data={"client_id": f"open{tag}{k:06d}", "body": "Hello, I need help."},
            )
            opened.raise_for_status()
            headers.append(header)
            conversations.append(int(opened.json()["conversation"]))
    return headers, conversations


# --- measurement -----------------------------------------------------------------------------


def _pg_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def pg_backends(url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database."""
    admin = create_engine(run_all.PG_ADMIN_URL)
    try:
        with admin.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": _pg_name(url)}
            ).scalars()
            return {int(p): run_all.proc_cpu(int(p)) for p in pids}
    finally:
        admin.dispose()


def pg_sessions(url: str) -> int:
    """Connections ever opened to this database (pg_stat_database.sessions, PostgreSQL 14+)."""
    admin = create_engine(run_all.PG_ADMIN_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            value = conn.scalar(
                text("SELECT sessions FROM pg_stat_database WHERE datname = :d"),
                {"d": _pg_name(url)},
            )
            return int(value or 0)
    finally:
        admin.dispose()


def measured(
    kind: str,
    url: str,
    srv: run_all.Server,
    run: Callable[[], http_load.LoadResult],
) -> tuple[http_load.LoadResult, dict[str, Any]]:
    """Run a load; the server's and PostgreSQL's CPU per request, connections opened."""
    pg = kind == "postgresql"
    server0 = {p: run_all.proc_cpu(p) for p in srv.pids()}
    db0 = pg_backends(url) if pg else {}
    sessions0 = pg_sessions(url) if pg else 0
    result = run()
    server_cpu = sum(run_all.proc_cpu(p) - server0.get(p, 0.0) for p in srv.pids())
    db_cpu = sum(c - db0.get(p, 0.0) for p, c in pg_backends(url).items()) if pg else 0.0
    if pg:
        time.sleep(1.2)  # backends report their statistics at most once a second
    ok = max(result.ok, 1)
    row = {
        **result.summary(),
        "server_cpu_ms_per_req": round(server_cpu * 1000 / ok, 2),
        "db_cpu_ms_per_req": round(db_cpu * 1000 / ok, 2) if pg else None,
        "connections_opened": pg_sessions(url) - sessions0 if pg else None,
    }
    return result, row


# --- one tree on one database ------------------------------------------------------------------


def run_tree(
    kind: str, src: Path, label: str, plan: Plan, workdir: Path, spy: Path | None = None
) -> list[dict[str, Any]]:
    """The three loads against a fresh desk served by the code in ``src``; with ``spy``, each
    load is sampled by py-spy (one worker's process) and summarised there."""
    rows: list[dict[str, Any]] = []
    data_dir = workdir / f"{kind}-{label}"
    data_dir.mkdir(parents=True, exist_ok=True)
    with run_all.database(kind, data_dir) as url:
        env = run_all.server_env(url, data_dir)
        env.update(
            PYTHONPATH=str(src),
            LEDGERDESK_JOBS="external",
            LEDGERDESK_CHAT_RATE_LIMIT="1000000/minute",
        )
        run_all.migrate(env)
        tokens = run_all.setup_desk(url, CLIENTS)
        bearer = [{"authorization": f"Bearer {t}"} for t in tokens]
        tag = f"{kind[:2]}{label}{secrets.token_hex(2)}"
        with run_all.server(env, plan.workers, data_dir) as srv:
            warm = asyncio.run(
                closed_loop(
                    srv.base_url,
                    bearer,
                    http_load.create_ticket_factory(tag + "w"),
                    total=plan.warmup,
                    time_limit=plan.time_limit,
                    name="create (warm-up)",
                )
            )
            loads: list[tuple[str, Callable[[], http_load.LoadResult]]] = []
            created: list[int] = list(warm.ids)

            def create() -> http_load.LoadResult:
                res = asyncio.run(
                    closed_loop(
                        srv.base_url,
                        bearer,
                        http_load.create_ticket_factory(tag),
                        total=plan.requests,
                        time_limit=plan.time_limit,
                        name="create",
                    )
                )
                created.extend(res.ids)
                return res

            def reply() -> http_load.LoadResult:
                return asyncio.run(
                    closed_loop(
                        srv.base_url,
                        bearer,
                        http_load.reply_factory(created),
                        total=plan.requests,
                        time_limit=plan.time_limit,
                        name="reply",
                    )
                )

            chat_headers, conversations = asyncio.run(open_chats(srv.base_url, tag))

            def chat() -> http_load.LoadResult:
                return asyncio.run(
                    closed_loop(
                        srv.base_url,
                        chat_headers,
                        chat_factory(conversations, tag),
                        total=plan.requests,
                        time_limit=plan.time_limit,
                        name="chat",
                    )
                )

            loads = [("create", create), ("reply", reply), ("chat", chat)]
            for scenario, run in loads:
                sampler = None
                if spy is not None:
                    spy.mkdir(parents=True, exist_ok=True)
                    raw = spy / f"{kind}-{label}-{scenario}.raw"
                    target = max(srv.pids())  # the newest process: a worker, not the supervisor
                    sampler = profile_server._spy(
                        profile_server.find_py_spy(None), target, plan.time_limit, raw
                    )
                result, row = measured(kind, url, srv, run)
                if sampler is not None:
                    sampler.wait(timeout=plan.time_limit + 60)
                    summary = profile_server.summarise(raw, top=30)
                    (spy / f"{kind}-{label}-{scenario}.txt").write_text(summary + "\n")
                row.update(db=kind, code=label, scenario=scenario, workers=plan.workers)
                rows.append(row)
                log(
                    f"  [{kind} {label}] {result.line()}; server CPU "
                    f"{row['server_cpu_ms_per_req']} ms/req"
                    + (
                        f", postgres CPU {row['db_cpu_ms_per_req']} ms/req, "
                        f"{row['connections_opened']} connections opened"
                        if kind == "postgresql"
                        else ""
                    )
                )
                if result.errors:
                    log(f"    first error: {result.first_error}")
    return rows


# --- pgbench -----------------------------------------------------------------------------------


def pgbench_ceiling(seconds: int, workdir: Path) -> dict[str, Any]:
    """pgbench's simple-write (``-N``) tps with 50 clients on a throwaway database."""
    with run_all.database("postgresql", workdir) as url:
        name = _pg_name(url)
        base = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        subprocess.run(["pgbench", *base, "-i", "-q", name], check=True, capture_output=True)
        out = subprocess.run(
            ["pgbench", *base, "-N", "-c", str(CLIENTS), "-j", "2", "-T", str(seconds), name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    match = re.search(r"tps = ([0-9.]+)", out)
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    return {
        "tps": round(float(match.group(1)), 0) if match else None,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "seconds": seconds,
        "clients": CLIENTS,
    }


# --- report -------------------------------------------------------------------------------------

COLUMNS = (
    ("db", "db"),
    ("code", "code"),
    ("scenario", "scenario"),
    ("ok", "ok"),
    ("errors", "err"),
    ("rps", "req/s"),
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("server_cpu_ms_per_req", "server CPU ms/req"),
    ("db_cpu_ms_per_req", "PG CPU ms/req"),
    ("connections_opened", "PG connections opened"),
    ("machine_busy", "machine busy"),
)


def render(report: dict[str, Any]) -> str:
    lines = [
        f"Machine: {report['machine']['nproc']} CPUs, {report['machine']['date_utc']}, "
        f"load average at start {report['machine']['loadavg_at_start']}; "
        f"CPU calibration (ms, ~230 quiet): {report['calibration_ms']}",
        f"Command: {report['command']} ({report['seconds']:.0f} s)",
        "",
        run_all.table(report["rows"], COLUMNS),
    ]
    pgb = report.get("pgbench")
    if pgb and pgb.get("tps"):
        lines += ["", f"pgbench -N, {pgb['clients']} clients, {pgb['seconds']} s: {pgb['tps']} tps"]
        for row in report["rows"]:
            if row["db"] == "postgresql":
                lines.append(
                    f"- {row['code']} {row['scenario']}: {row['rps']} req/s = "
                    f"{row['rps'] / pgb['tps']:.3f} of pgbench's tps"
                )
    by_key = {(r["db"], r["code"], r["scenario"]): r for r in report["rows"]}
    lines.append("")
    for (db, code, scenario), row in by_key.items():
        base = by_key.get((db, "baseline", scenario))
        if code == "this" and base and base["server_cpu_ms_per_req"]:
            lines.append(
                f"- {db} {scenario}: server CPU {base['server_cpu_ms_per_req']} -> "
                f"{row['server_cpu_ms_per_req']} ms/req "
                f"({row['server_cpu_ms_per_req'] / base['server_cpu_ms_per_req']:.2f}x), "
                f"{base['rps']} -> {row['rps']} req/s"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ticket create, reply and chat message loads.")
    parser.add_argument("--quick", action="store_true", help="small counts (~3 min)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--baseline-src",
        default="",
        help="the src directory of the code to compare with (default: none)",
    )
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--spy", type=Path, default=None, help="py-spy each load into this folder (slows it)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.requests:
        plan = Plan(args.requests, plan.time_limit, plan.warmup, plan.pgbench_seconds, plan.workers)
    if args.workers:
        plan = Plan(plan.requests, plan.time_limit, plan.warmup, plan.pgbench_seconds, args.workers)
    trees = [("this", THIS_SRC)]
    if args.baseline_src:
        baseline = Path(args.baseline_src).resolve()
        if not (baseline / "ledgerdesk").is_dir():
            raise SystemExit(f"{baseline} holds no ledgerdesk package")
        trees.insert(0, ("baseline", baseline))
    started = time.perf_counter()
    report: dict[str, Any] = {
        "command": "bench/hot_paths.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "plan": plan.__dict__,
        "trees": {label: str(src) for label, src in trees},
        "machine": run_all.machine_info(),
        "calibration_ms": [run_all.cpu_calibration()],
        "rows": [],
    }
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-hot-") as tmp:
        workdir = Path(tmp)
        if "postgresql" in kinds:
            report["pgbench"] = pgbench_ceiling(plan.pgbench_seconds, workdir)
            log(f"pgbench: {report['pgbench']}")
        for kind in kinds:
            # Alternate the trees per database, so a change in the machine's load hits both.
            for label, src in trees:
                log(f"== {kind}, {label} ({src}) ==")
                report["rows"] += run_tree(kind, src, label, plan, workdir, args.spy)
        report["calibration_ms"].append(run_all.cpu_calibration())
        if "postgresql" in kinds:
            report["pgbench_after"] = pgbench_ceiling(plan.pgbench_seconds, workdir)
            log(f"pgbench again: {report['pgbench_after']}")
    report["seconds"] = time.perf_counter() - started
    name = "hot_paths-quick.json" if args.quick else "hot_paths.json"
    output = args.output or BENCH_DIR / "results" / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("\n" + render(report))
    print(f"\nJSON: {output}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
