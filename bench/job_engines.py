"""Which task queue for ledgerdesk's jobs, measured in one run on this machine.

Engines (bench/job_engines_adapters.py): Dramatiq on Redis, Dramatiq on RabbitMQ, Celery on
Redis, procrastinate on PostgreSQL, and our own outbox style (a PostgreSQL table claimed with
``SELECT ... FOR UPDATE SKIP LOCKED``, polled every 0.5 s; and the same woken by LISTEN/NOTIFY).

For each engine, with 2 worker subprocesses x ``--threads`` threads:

1. enqueue throughput: one producer thread sends no-op jobs as fast as it can (workers stopped);
2. drain throughput: that backlog (no-op jobs, then 5 ms jobs) as the 2 workers empty it;
3. pickup latency (producer's send -> job start) p50/p99 at a fixed open-loop rate, and at a
   low rate (an idle queue is where polling consumers show their back-off);
4. kill -9: 5 s jobs, one worker's process group is killed 1 s into its first job and started
   again at once (as systemd would); which jobs in its hands ran again, how long after the kill,
   which were lost, which ran twice.

Services (loopback): Redis db 14 (keys prefixed ``enginebench-<run>``, deleted after),
RabbitMQ queues ``enginebench_<run>`` (deleted after), a PostgreSQL database
``enginebench_<random>`` created through ``test`` and dropped after.

    .venv/bin/python bench/job_engines.py --quick
    .venv/bin/python bench/job_engines.py [--engines dramatiq-redis,pg-outbox-poll] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from job_engines_adapters import (
    ENGINES,
    RECOVERY_SECONDS,
    REDIS_URL,
    REPORT_NOTES,
    make_engine,
)

PG_ADMIN = os.environ.get("ENGINEBENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
HERE = Path(__file__).resolve().parent


@dataclass
class Sizes:
    enqueue: int
    enqueue_5ms: int
    rate: float
    rate_seconds: float
    low_rate: float
    low_rate_seconds: float
    kill_jobs_per_thread: int


QUICK = Sizes(2000, 1000, 200, 5, 10, 3, 1)
FULL = Sizes(20000, 5000, 200, 30, 10, 15, 2)


@contextlib.contextmanager
def throwaway_pg() -> Iterator[str]:
    name = f"enginebench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Events:
    """Start/end lines from every worker's file, read incrementally."""

    folder: Path
    offsets: dict[Path, int] = field(default_factory=dict)
    starts: dict[int, list[tuple[float, float, int]]] = field(default_factory=dict)
    ends: dict[int, list[tuple[float, int]]] = field(default_factory=dict)
    ready: set[int] = field(default_factory=set)
    resent: int = 0

    def read(self) -> None:
        for path in self.folder.glob("*.log"):
            with path.open() as handle:
                handle.seek(self.offsets.get(path, 0))
                data = handle.read()
            complete = data[: data.rfind("\n") + 1]
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            for line in complete.splitlines():
                part = line.split()
                if part[0] == "S":
                    self.starts.setdefault(int(part[1]), []).append(
                        (float(part[2]), float(part[3]), int(part[4]))
                    )
                elif part[0] == "E":
                    self.ends.setdefault(int(part[1]), []).append((float(part[2]), int(part[3])))
                elif part[0] == "X":
                    self.resent += int(part[1])
                elif part[0] == "R":
                    self.ready.add(int(part[1]))

    def wait_ended(self, ids: range, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            if all(i in self.ends for i in ids):
                return True
            time.sleep(0.1)
        return False


class Workers:
    """The worker subprocesses of one engine, each in its own process group."""

    def __init__(self, engine: str, run_id: str, pg_url: str, threads: int, folder: Path) -> None:
        self.args = [engine, run_id, pg_url, str(threads)]
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []
        self.count = 0

    def start(self) -> subprocess.Popen[bytes]:
        self.count += 1
        env = {**os.environ, "ENGINEBENCH_OUT": str(self.folder / f"worker-{self.count}.log")}
        with open(self.folder / f"worker-{self.count}.err", "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, str(HERE / "job_engines.py"), "--worker", *self.args],
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        self.procs.append(proc)
        return proc

    def kill(self, pid: int) -> None:
        os.killpg(pid, signal.SIGKILL)
        for proc in self.procs:
            if proc.pid == pid:
                proc.wait()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _drain_rate(events: Events, ids: range) -> float:
    first = min(events.starts[i][0][1] for i in ids)
    last = max(events.ends[i][0][0] for i in ids)
    return len(ids) / max(last - first, 1e-9)


def _open_loop(producer: Any, first_id: int, rate: float, seconds: float) -> tuple[range, float]:
    """Send at ``rate`` for ``seconds``; returns the ids and the worst lag behind schedule."""
    count = int(rate * seconds)
    start = time.perf_counter()
    worst = 0.0
    for n in range(count):
        due = start + n / rate
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        else:
            worst = max(worst, now - due)
        producer.send(first_id + n, 0)
    return range(first_id, first_id + count), worst


def _latency(events: Events, ids: range) -> dict[str, float]:
    waits = [(events.starts[i][0][1] - events.starts[i][0][0]) * 1000 for i in ids]
    return {
        "p50_ms": round(_pct(waits, 0.50), 2),
        "p99_ms": round(_pct(waits, 0.99), 2),
        "max_ms": round(max(waits), 2),
        "mean_ms": round(statistics.fmean(waits), 2),
        "n": len(waits),
    }


def _kill_round(
    workers: Workers, producer: Any, events: Events, first_id: int, jobs: int, wait: float | None
) -> dict[str, Any]:
    ids = range(first_id, first_id + jobs)
    for i in ids:
        producer.send(i, 5000)
    deadline = time.monotonic() + 60
    victim = 0
    while time.monotonic() < deadline and not victim:
        events.read()
        started = [events.starts[i][0] for i in ids if i in events.starts]
        if started:
            victim = min(started, key=lambda s: s[1])[2]
        time.sleep(0.05)
    if not victim:
        return {"error": "no job started within 60 s"}
    time.sleep(1.0)
    events.read()
    killed_at = time.time()
    workers.kill(victim)
    workers.start()
    in_hand = [
        i
        for i in ids
        if any(s[2] == victim for s in events.starts.get(i, []))
        and not any(e[1] == victim for e in events.ends.get(i, []))
    ]
    waited = wait or RECOVERY_SECONDS * 3 + 5 * jobs + 30
    events.wait_ended(ids, waited)
    events.read()
    reruns = []
    for i in in_hand:
        later = [s[1] for s in events.starts.get(i, []) if s[1] > killed_at]
        reruns.append(round(min(later) - killed_at, 2) if later else None)
    done = [i for i in ids if i in events.ends]
    twice = [i for i in ids if len(events.ends.get(i, [])) > 1]
    all_done = max((events.ends[i][0][0] for i in done), default=killed_at)
    return {
        "jobs": jobs,
        "in_hand_at_kill": len(in_hand),
        "rerun_after_s": reruns,
        "waited_s": waited,
        "not_done": len(ids) - len(done),
        "ran_twice": len(twice),
        "started_twice_not_in_hand": len(
            [i for i in ids if i not in in_hand and len(events.starts.get(i, [])) > 1]
        ),
        "all_done_after_kill_s": round(all_done - killed_at, 2),
    }


def _reference(pg_url: str) -> dict[str, int]:
    """What the machine gives right now: PostgreSQL one-row commits/s and Redis round trips/s,
    each for 1 s just before an engine's run (the machine is shared; read each row with these)."""
    import redis

    out = {}
    with psycopg.connect(pg_url) as conn:
        # A logged table: its commits wait for the WAL flush, like every job row's.
        conn.execute("CREATE TABLE enginebench_ref (x int)")
        conn.commit()
        began, n = time.perf_counter(), 0
        while time.perf_counter() - began < 1.0:
            with conn.transaction():
                conn.execute("INSERT INTO enginebench_ref VALUES (1)")
            n += 1
        out["pg_commits_per_s"] = round(n / (time.perf_counter() - began))
        conn.execute("DROP TABLE enginebench_ref")
        conn.commit()
    client = redis.Redis.from_url(REDIS_URL)
    began, n = time.perf_counter(), 0
    while time.perf_counter() - began < 1.0:
        client.ping()
        n += 1
    out["redis_round_trips_per_s"] = round(n / (time.perf_counter() - began))
    client.close()
    return out


def measure(
    name: str, pg_url: str, sizes: Sizes, threads: int, kill_wait: float | None = None
) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    engine = make_engine(name, run_id, pg_url)
    result: dict[str, Any] = {
        "engine": name,
        "joins_db_transaction": engine.joins_db_transaction,
        "on_worker_death": REPORT_NOTES[name],
        "reference": _reference(pg_url),
    }
    with tempfile.TemporaryDirectory(prefix="enginebench-") as tmp:
        folder = Path(tmp)
        events = Events(folder)
        workers = Workers(name, run_id, pg_url, threads, folder)
        engine.setup()
        producer = engine.producer()
        try:
            producer.send(0, 0)  # connect and declare outside the timing
            noop = range(1, 1 + sizes.enqueue)
            began = time.perf_counter()
            for i in noop:
                producer.send(i, 0)
            result["enqueue_per_s"] = round(sizes.enqueue / (time.perf_counter() - began))
            slow = range(noop.stop, noop.stop + sizes.enqueue_5ms)
            for i in slow:
                producer.send(i, 5)
            workers.start()
            workers.start()
            if not events.wait_ended(range(0, slow.stop), 300):
                raise RuntimeError(f"{name}: backlog not drained in 300 s; see {folder}")
            result["drain_noop_per_s"] = round(_drain_rate(events, noop))
            result["drain_5ms_per_s"] = round(_drain_rate(events, slow))
            for label, rate, seconds, first in (
                ("latency", sizes.rate, sizes.rate_seconds, 1_000_000),
                ("latency_low", sizes.low_rate, sizes.low_rate_seconds, 2_000_000),
            ):
                ids, lag = _open_loop(producer, first, rate, seconds)
                if not events.wait_ended(ids, 120):
                    raise RuntimeError(f"{name}: open-loop jobs not done in 120 s")
                result[label] = {"rate": rate, **_latency(events, ids), "send_lag_ms": lag * 1000}
            result["resent_by_sweeper_before_kill"] = events.resent
            result["kill9"] = _kill_round(
                workers,
                producer,
                events,
                3_000_000,
                sizes.kill_jobs_per_thread * 2 * threads,
                kill_wait,
            )
        finally:
            producer.close()
            workers.stop()
            engine.cleanup()
    return result


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| engine | enqueue/s | drain no-op/s | drain 5 ms/s | p50 / p99 ms at 200/s |"
        " p50 / p99 ms at 10/s | kill -9: in hand -> re-run after s; not done (of all); twice |"
        " ref: PG commits/s, Redis RTT/s |",
        "|---|---:|---:|---:|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['engine']} | error: {r['error']} | | | | | | |")
            continue
        k = r["kill9"]
        rerun = ", ".join("never" if s is None else f"{s}" for s in k.get("rerun_after_s", []))
        kill = f"{k.get('in_hand_at_kill')} -> [{rerun}], not done {k.get('not_done')}, "
        kill += f"twice {k.get('ran_twice')}"
        lat, low = r["latency"], r["latency_low"]
        lines.append(
            f"| {r['engine']} | {r['enqueue_per_s']} | {r['drain_noop_per_s']} |"
            f" {r['drain_5ms_per_s']} | {lat['p50_ms']} / {lat['p99_ms']} |"
            f" {low['p50_ms']} / {low['p99_ms']} | {kill} |"
            f" {r['reference']['pg_commits_per_s']}, {r['reference']['redis_round_trips_per_s']} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        name, run_id, pg_url, threads = sys.argv[2:6]
        make_engine(name, run_id, pg_url).worker_main(int(threads))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, about 5 minutes")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument(
        "--kill-wait", type=float, help="seconds to wait after the kill (default: by job count)"
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    results = []
    with throwaway_pg() as pg_url:
        for name in args.engines.split(","):
            print(f"== {name}", flush=True)
            try:
                results.append(measure(name, pg_url, sizes, args.threads, args.kill_wait))
            except Exception as exc:  # one broken engine must not hide the others
                results.append({"engine": name, "error": repr(exc)})
            print(json.dumps(results[-1]), flush=True)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_avg_at_end": os.getloadavg(),
        "quick": args.quick,
        "threads_per_worker": args.threads,
        "workers": 2,
        "results": results,
    }
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
