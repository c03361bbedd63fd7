"""The transparency log (issue 18): append throughput, proofs at 10 million leaves, and what
the appender job costs a ticket create. Goals: >= 5,000 events/s appended; inclusion and
consistency proofs p95 < 10 ms at 10M leaves; no measurable latency added to ticket create.

1. **append**: ``--append-rows`` event rows are inserted into a throwaway database (the
   baseline: the same rows without the log, in batches of 5,000 as one bulk INSERT each), then
   ``trust.log.append_pending`` logs them as the job does (reading, canonical JSON, hashing,
   leaves and nodes written), timed on its own; then ``ledgerdesk verify log``'s check over
   the result. SQLite and PostgreSQL.
2. **proofs**: a log of ``--leaves`` leaves (default 10,000,000) is built directly in a
   dedicated database: leaf hashes ``H(0x00 || i)`` and every complete subtree above them in
   one streaming pass (the nodes of a tree are determined by its leaves), bulk-loaded
   (SQLite: executemany in one transaction; PostgreSQL: COPY, primary key added after); the
   ``log_leaves`` rows with generate_series / a recursive CTE. Then ``trust.log``'s
   ``inclusion_proof`` for random leaves and ``consistency_proof`` from random sizes to the
   full tree are timed (``--proofs`` each, after a warm-up), a sample verified against the
   root computed while building. Also a few proof-by-hash look-ups (the API's
   ``leaf_index_of``).
3. **ticket create**: tickets created through the service (``do_create_ticket`` + commit),
   one after another, in alternating phases with the job ``trust.log_append`` running every 3 s
   in a second thread (as a worker runs it: SQLite takes the write lock first) and not
   running.

    PYTHONPATH=src .venv/bin/python bench/trust_log.py                 # everything
    PYTHONPATH=src .venv/bin/python bench/trust_log.py --only proofs --leaves 1000000
    PYTHONPATH=src .venv/bin/python bench/trust_log.py --quick         # small sizes
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("LEDGERDESK_DATA_DIR", tempfile.mkdtemp(prefix="ledgerdesk-bench-log-"))
os.environ.setdefault("LEDGERDESK_TRIAGE", "false")  # enqueue-only either way; kept out

from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session, sessionmaker
from throwaway_db import database

from ledgerdesk.accounts import services as accounts
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import ActorKind, Channel, Event
from ledgerdesk.trust import log, merkle
from ledgerdesk.trust.verify_log import verify_log

DIALECTS = ("sqlite", "postgresql")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 3),
        "p95_ms": round(percentile(values, 95) * 1000, 3),
        "p99_ms": round(percentile(values, 99) * 1000, 3),
        "max_ms": round(max(values) * 1000, 3),
        "n": len(values),
    }


def _migrated(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


# -- 1. append throughput -----------------------------------------------------------------


def _event_rows(n: int, start: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return [
        {
            "ticket_id": None,
            "actor_kind": ActorKind.agent,
            "actor_id": 1 + (i % 40),
            "action": "ticket.status_changed",
            "before": {"status": "open"},
            "after": {"status": "pending", "note": f"bench {start + i}"},
            "created_at": now,
        }
        for i in range(n)
    ]


def bench_append(kind: str, rows: int) -> dict[str, Any]:
    """Baseline insert of ``rows`` events, then the appender over them, on a fresh database."""
    with database(kind) as url:
        engine = _migrated(url)
        factory = make_sessionmaker(engine)
        started = time.perf_counter()
        for start in range(0, rows, 5000):
            with factory() as session:
                session.execute(insert(Event), _event_rows(min(5000, rows - start), start))
                session.commit()
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        logged = 0
        with factory() as session:
            while added := log.append_pending(session):
                logged += added
                session.commit()
            log.sign_head(session)
            session.commit()
        appended = time.perf_counter() - started
        started = time.perf_counter()
        with factory() as session:
            report = verify_log(session)
        verified = time.perf_counter() - started
        engine.dispose()
    assert logged == rows, (logged, rows)
    assert report.ok and report.leaves == rows, report.problems[:5]
    return {
        "rows": rows,
        "baseline_insert_s": round(inserted, 2),
        "baseline_insert_per_s": round(rows / inserted),
        "append_s": round(appended, 2),
        "append_per_s": round(rows / appended),
        "verify_log_s": round(verified, 2),
        "verify_log_per_s": round(rows / verified),
    }


# -- 2. proofs at 10M leaves --------------------------------------------------------------


def leaf_of(i: int) -> bytes:
    return merkle.leaf_hash(i.to_bytes(8, "big"))


def tree_nodes(size: int, root_out: list[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Every stored node of a log of ``size`` leaves, (level, idx, hash), in one pass with a
    stack of complete subtrees; the root lands in ``root_out``."""
    stack: list[tuple[int, bytes]] = []
    node_hash, sha = merkle.node_hash, hashlib.sha256
    for i in range(size):
        value = sha(b"\x00" + i.to_bytes(8, "big")).digest()
        yield 0, i, value
        level, count = 0, i + 1
        while stack and stack[-1][0] == level:
            value = node_hash(stack.pop()[1], value)
            level += 1
            yield level, (count >> level) - 1, value
        stack.append((level, value))
    acc = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        acc = node_hash(left, acc)
    root_out.append(acc)


def build_sqlite(url: str, size: int) -> bytes:
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    root: list[bytes] = []
    with conn:
        conn.executemany(
            "INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)", tree_nodes(size, root)
        )
        conn.execute(
            "INSERT INTO log_leaves (idx, source, source_id, salt, appended_at) "
            "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
            "SELECT i, 'event', i + 1, NULL, '2026-12-07 00:00:00' FROM c",
            (size - 1,),
        )
    conn.execute("ANALYZE")
    conn.close()
    return root[0]


def build_postgresql(engine: Engine, size: int) -> bytes:
    root: list[bytes] = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("ALTER TABLE log_nodes DROP CONSTRAINT pk_log_nodes")
        with cur.copy("COPY log_nodes (level, idx, hash) FROM STDIN") as copy:
            for row in tree_nodes(size, root):
                copy.write_row(row)
        cur.execute("ALTER TABLE log_nodes ADD CONSTRAINT pk_log_nodes PRIMARY KEY (level, idx)")
        cur.execute(
            "INSERT INTO log_leaves (idx, source, source_id, salt, appended_at) "
            "SELECT i, 'event', i + 1, NULL, now() FROM generate_series(0, %s) AS i",
            (size - 1,),
        )
        raw.commit()
        cur.execute("ANALYZE log_nodes")
        cur.execute("ANALYZE log_leaves")
        raw.commit()
    finally:
        raw.close()
    return root[0]


def _timed(fn: Callable[[], Any], count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def time_proofs(
    factory: sessionmaker[Session], size: int, root: bytes, count: int
) -> dict[str, Any]:
    rng = random.Random(18)
    with factory() as session:
        assert log.root_at(session, size) == root, "the stored tree does not give the root"
        for _ in range(20):  # warm-up: connection, statement cache, first pages
            log.inclusion_proof(session, rng.randrange(size), size)
        indexes = [rng.randrange(size) for _ in range(count)]
        firsts = [rng.randrange(1, size) for _ in range(count)]
        it_inc, it_con = iter(indexes), iter(firsts)
        inclusion = _timed(lambda: log.inclusion_proof(session, next(it_inc), size), count)
        consistency = _timed(lambda: log.consistency_proof(session, next(it_con), size), count)
        verified = _verify_sample(session, size, root, indexes[:100], firsts[:100])
        by_hash = _timed(lambda: log.leaf_index_of(session, leaf_of(rng.randrange(size))), 3)
    return {
        "inclusion": _ms(inclusion),
        "consistency": _ms(consistency),
        "verified": verified,
        "proof_by_hash_lookup": _ms(by_hash),
    }


def _verify_sample(
    session: Session, size: int, root: bytes, indexes: list[int], firsts: list[int]
) -> int:
    for i in indexes:
        proof = log.inclusion_proof(session, i, size)
        assert merkle.verify_inclusion(i, size, leaf_of(i), proof, root), i
    for m in firsts:
        proof = log.consistency_proof(session, m, size)
        assert merkle.verify_consistency(m, size, log.root_at(session, m), root, proof), m
    return len(indexes) + len(firsts)


def bench_proofs(kind: str, size: int, count: int) -> dict[str, Any]:
    with database(kind) as url:
        engine = _migrated(url)
        engine.dispose()  # SQLite: the bulk load takes the file alone
        started = time.perf_counter()
        root = build_sqlite(url, size) if kind == "sqlite" else build_postgresql(engine, size)
        built = time.perf_counter() - started
        result = time_proofs(make_sessionmaker(engine), size, root, count)
        engine.dispose()
    return {"leaves": size, "build_s": round(built, 1), "root": root.hex(), **result}


# -- 3. ticket create with and without the appender ---------------------------------------


def _run_job(factory: sessionmaker[Session]) -> tuple[float, bool]:
    """One run of the job's handler as a worker runs it (SQLite: the write lock first); and
    whether it queued a follow-up run for a backlog (taken off the queue here: the loops below
    run it after ``log.FOLLOW_UP_SECONDS``, as a worker would)."""
    started = time.perf_counter()
    with factory() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        log.run_append(session, {})
        queued = delete(OutboxEntry).where(OutboxEntry.topic == log.TOPIC)
        follow_up = bool(session.execute(queued).rowcount)  # type: ignore[attr-defined]
        session.commit()
    return time.perf_counter() - started, follow_up


class Appender(threading.Thread):
    """Runs the job every ``every`` seconds in this process (embedded mode: the web process's
    own worker thread, sharing its interpreter lock)."""

    def __init__(self, factory: sessionmaker[Session], every: float) -> None:
        super().__init__(daemon=True)
        self.factory, self.every = factory, every
        self.stop = threading.Event()
        self.runs: list[float] = []

    def run(self) -> None:
        wait = self.every
        while not self.stop.wait(wait):
            took, follow_up = _run_job(self.factory)
            self.runs.append(took)
            wait = log.FOLLOW_UP_SECONDS if follow_up else self.every

    def finish(self) -> list[float]:
        self.stop.set()
        self.join()
        return self.runs


def _worker_loop(url: str, every: float, stop: Any, runs: Any) -> None:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    wait = every
    while not stop.wait(wait):
        took, follow_up = _run_job(factory)
        runs.put(took)
        wait = log.FOLLOW_UP_SECONDS if follow_up else every
    engine.dispose()


class WorkerProcess:
    """Runs the job every ``every`` seconds in another process (``ledgerdesk worker``)."""

    def __init__(self, url: str, every: float) -> None:
        ctx = multiprocessing.get_context("fork")
        self.stop, self.queue = ctx.Event(), ctx.Queue()
        self.process = ctx.Process(target=_worker_loop, args=(url, every, self.stop, self.queue))

    def start(self) -> None:
        self.process.start()

    def finish(self) -> list[float]:
        self.stop.set()
        self.process.join()
        runs = []
        while not self.queue.empty():
            runs.append(self.queue.get())
        return runs


def _create_for(factory: sessionmaker[Session], seconds: float, rate: float) -> list[float]:
    """Create tickets for ``seconds``, ``rate`` per second (open loop; 0: back to back), and
    return each create's time."""
    gap = 1 / rate if rate else 0.0
    with factory() as session:
        customer = accounts.do_upsert_customer(session, email="bench@example.com", name="Bench")
        session.commit()
        actor = accounts.customer_actor(customer)
        out: list[float] = []
        end = time.monotonic() + seconds
        n = 0
        due = time.monotonic()
        while time.monotonic() < end:
            if gap:
                due += gap
                time.sleep(max(0.0, due - time.monotonic()))
            started = time.perf_counter()
            new = tickets.NewTicket(
                subject=f"Deposit {n} not credited",
                body="I sent 500 USDT on TRC20 an hour ago and it is not in my account.",
                channel=Channel.portal,
            )
            tickets.do_create_ticket(session, actor, customer, new)
            session.commit()
            out.append(time.perf_counter() - started)
            n += 1
    return out


def bench_create(
    kind: str, phase_seconds: float, rounds: int, rate: float, mode: str
) -> dict[str, Any]:
    with database(kind) as url:
        engine = _migrated(url)
        factory = make_sessionmaker(engine)
        _create_for(factory, 3, rate)  # warm-up
        with factory() as session:  # the warm-up's rows are logged before timing
            log.run_append(session, {})
            session.commit()
        off: list[float] = []
        on: list[float] = []
        runs: list[float] = []
        for _ in range(rounds):
            off += _create_for(factory, phase_seconds, rate)
            appender: Appender | WorkerProcess = (
                Appender(factory, log.EVERY_SECONDS)
                if mode == "thread"
                else WorkerProcess(url, log.EVERY_SECONDS)
            )
            appender.start()
            on += _create_for(factory, phase_seconds, rate)
            runs += appender.finish()
        engine.dispose()
    return {
        "rate_per_s": rate or "back to back",
        "appender": "worker process" if mode == "process" else "thread of this process",
        "appender_off": {**_ms(off), "per_s": round(len(off) / (phase_seconds * rounds), 1)},
        "appender_on": {**_ms(on), "per_s": round(len(on) / (phase_seconds * rounds), 1)},
        "job_runs": _ms(runs) if runs else {},
    }


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["append", "proofs", "create"], action="append")
    parser.add_argument("--dialect", choices=DIALECTS, action="append")
    parser.add_argument("--append-rows", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--phase-seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--create-rate",
        type=float,
        action="append",
        help="ticket creates per second (0: back to back); default 50 and 0",
    )
    parser.add_argument(
        "--appender",
        choices=["process", "thread"],
        default="process",
        help="the job in a worker process (production) or a thread of this one (embedded)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--output", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.append_rows, args.leaves, args.proofs = 5000, 20_000, 100
        args.phase_seconds, args.rounds = 4.0, 1
    parts = args.only or ["append", "proofs", "create"]
    kinds = args.dialect or list(DIALECTS)
    results: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "python": sys.version.split()[0],
    }
    for part in parts:
        for kind in kinds:
            print(f"{part} on {kind} …", file=sys.stderr, flush=True)
            if part == "append":
                value = bench_append(kind, args.append_rows)
            elif part == "proofs":
                value = bench_proofs(kind, args.leaves, args.proofs)
            else:
                for rate in args.create_rate or [50.0, 0.0]:
                    value = bench_create(kind, args.phase_seconds, args.rounds, rate, args.appender)
                    name = f"create_{kind}_{'paced' if rate else 'saturated'}_{args.appender}"
                    results[name] = value
                    print(json.dumps({name: value}), flush=True)
                continue
            results[f"{part}_{kind}"] = value
            print(json.dumps({f"{part}_{kind}": value}), flush=True)
    results["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.output:
        with open(args.output, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
