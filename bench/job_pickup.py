"""Job pickup latency and drain throughput: the DB-polling worker against Dramatiq on Redis.

Both run the same no-op job through the same outbox on a throwaway PostgreSQL database, with
the worker in its own process (as in production: the web process commits, a ``ledgerdesk
worker`` runs), N threads each:

- pickup: one job per transaction at a fixed rate; the time from the enqueuing commit to the
  handler's start, p50/p99;
- drain: a backlog of jobs committed in batches of 100; jobs per second until the outbox
  is empty.

Needs PostgreSQL on 127.0.0.1:5432 (trust, database ``test``) and Redis on 127.0.0.1:6379
(db 14 by default, keys under a random prefix, deleted after).

    .venv/bin/python bench/job_pickup.py [--quick] [--rate 100] [--seconds 10]
        [--backlog 3000] [--threads 4] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from throwaway_db import database

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry

TOPIC = "bench.noop"
HERE = Path(__file__).resolve().parent


# --- the worker process ----------------------------------------------------------------


def _serve(mode: str, url: str, redis_url: str, namespace: str, threads: int) -> None:
    """Run workers until SIGTERM, then print the pickup latencies (seconds) as JSON."""
    from ledgerdesk.composition import load_handlers
    from ledgerdesk.jobs import schedule
    from ledgerdesk.jobs.delivery import Delivery, Relay
    from ledgerdesk.jobs.outbox import Worker

    load_handlers()
    schedule.PERIODIC.clear()  # only the benchmark's jobs
    pickups: list[float] = []
    lock = threading.Lock()

    def noop(_session: Session, payload: dict[str, Any]) -> None:
        started = time.time()
        with lock:
            pickups.append(started - payload["t"])

    outbox.HANDLERS[TOPIC] = noop
    factory = make_sessionmaker(make_engine(url))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    if mode == "poll":
        workers = [Worker(factory, poll_seconds=0.5) for _ in range(threads)]
        for each in workers:
            each.start()
        print("ready", flush=True)
        done.wait()
        for each in workers:
            each.stop()
    else:
        delivery = Delivery(redis_url, factory, namespace=namespace)
        delivery.install()
        worker = delivery.make_worker(threads)
        worker.start()
        relay = Relay(factory, delivery)
        relay.start()
        print("ready", flush=True)
        done.wait()
        relay.stop()
        worker.stop(timeout=30_000)
        delivery.close()
    with lock:
        print(json.dumps(pickups), flush=True)


# --- the producer (this process) ---------------------------------------------------------


def _left(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry)) or 0


def _wait_empty(factory: sessionmaker[Session], timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while _left(factory):
        if time.monotonic() > deadline:
            raise TimeoutError("the outbox did not drain")
        time.sleep(0.01)
    return time.monotonic()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run_mode(mode: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    factory = make_sessionmaker(make_engine(url))
    namespace = f"bench-jobs-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), str(HERE)])}
    cmd = [sys.executable, __file__, "--serve", mode, url, args.redis, namespace]
    proc = subprocess.Popen([*cmd, str(args.threads)], env=env, stdout=subprocess.PIPE, text=True)
    sender = None
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        if mode == "dramatiq":
            from ledgerdesk.jobs.delivery import Delivery

            sender = Delivery(args.redis, namespace=namespace)
            sender.install()
        # 1. pickup at a fixed rate, one job per transaction
        total = int(args.rate * args.seconds)
        start = time.monotonic()
        for n in range(total):
            pause = start + n / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            with factory() as session:
                outbox.enqueue(session, TOPIC, {"t": time.time()})
                session.commit()
        _wait_empty(factory, 120)
        # 2. drain a backlog
        begun = time.monotonic()
        for first in range(0, args.backlog, 100):
            with factory() as session:
                for _ in range(min(100, args.backlog - first)):
                    outbox.enqueue(session, TOPIC, {"t": time.time()})
                session.commit()
        drained = _wait_empty(factory, 600) - begun
    finally:
        if sender is not None:
            sender.close()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
        factory.kw["bind"].dispose()
        if mode == "dramatiq":
            client = redis.Redis.from_url(args.redis)
            for key in client.scan_iter(namespace + "*"):
                client.delete(key)
    pickups = json.loads(out.strip().splitlines()[-1])[:total]
    return {
        "mode": mode,
        "threads": args.threads,
        "rate_per_s": args.rate,
        "jobs_timed": len(pickups),
        "pickup_p50_ms": round(statistics.median(pickups) * 1000, 1),
        "pickup_p99_ms": round(_pct(pickups, 0.99) * 1000, 1),
        "pickup_max_ms": round(max(pickups) * 1000, 1),
        "backlog": args.backlog,
        "drain_jobs_per_s": round(args.backlog / drained, 1),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        mode, url, redis_url, namespace, threads = sys.argv[2:7]
        _serve(mode, url, redis_url, namespace, int(threads))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (~1 minute)")
    parser.add_argument("--rate", type=float, default=100.0, help="jobs per second (pickup)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the pickup run")
    parser.add_argument("--backlog", type=int, default=5000, help="jobs in the drain run")
    parser.add_argument("--threads", type=int, default=4, help="worker threads")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.backlog = 5.0, 1000
    results = []
    with database("postgresql") as url:
        engine = make_engine(url)
        upgrade(engine)
        with make_sessionmaker(engine)() as session:  # the migrations' one-off jobs
            session.execute(delete(OutboxEntry))
            session.commit()
        engine.dispose()
        for mode in ("poll", "dramatiq"):
            print(f"{mode}...", file=sys.stderr, flush=True)
            results.append(_run_mode(mode, url, args))
    keys = list(results[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in results:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
