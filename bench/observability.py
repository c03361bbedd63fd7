"""What operability costs: the request-id and metrics middleware per request, and a /metrics
scrape with the database figures on a large desk.

1. Middleware: the same tiny ASGI endpoint called directly and through
   ``RequestObservability`` (request id parsed and bound, response header added, latency
   observed by route template), in one process, ``--calls`` times each; the difference is the
   cost per request. Both in single-process and in multiprocess (``PROMETHEUS_MULTIPROC_DIR``)
   mode, which writes the histogram to a memory-mapped file.
2. Scrape: a throwaway PostgreSQL database with ``--tickets`` tickets (bench/seed.py), two
   SLA clocks per ticket (a tenth breached), a guard finding per ticket and ``--jobs`` queued
   jobs; the time of a cold scrape (every query runs) and of a warm one (cached).

    PYTHONPATH=src .venv/bin/python bench/observability.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from starlette.types import Message, Receive, Scope, Send

ROUTE = type("Route", (), {"path": "/api/v1/tickets/{ticket_id}"})()


async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = ROUTE  # what the router does
    await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"b")]})
    await send({"type": "http.response.body", "body": b"{}"})


def _scope() -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/tickets/123",
        "headers": [
            (b"host", b"desk"),
            (b"user-agent", b"bench"),
            (b"accept", b"application/json"),
            (b"authorization", b"Bearer x"),
            (b"x-request-id", b"edge-1234567890abcdef"),
        ],
    }


async def _calls(app: object, n: int) -> float:
    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    started = time.perf_counter()
    for _ in range(n):
        await app(_scope(), receive, send)  # type: ignore[operator]
    return (time.perf_counter() - started) / n


def middleware_cost(calls: int) -> dict[str, float]:
    from ledgerdesk.web.observability import RequestObservability

    wrapped = RequestObservability(endpoint)
    bare_runs, wrapped_runs = [], []
    for _ in range(5):  # interleaved, best of five: the machine is shared
        bare_runs.append(asyncio.run(_calls(endpoint, calls)))
        wrapped_runs.append(asyncio.run(_calls(wrapped, calls)))
    bare, full = min(bare_runs), min(wrapped_runs)
    return {"bare_us": bare * 1e6, "wrapped_us": full * 1e6, "overhead_us": (full - bare) * 1e6}


def _multiprocess_cost(calls: int) -> dict[str, float]:
    """The same, in a fresh interpreter with PROMETHEUS_MULTIPROC_DIR set before import."""
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory}
        code = (
            "import json, sys; sys.path.insert(0, 'bench'); import observability as o; "
            f"print(json.dumps(o.middleware_cost({calls})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
    import json

    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def scrape_cost(tickets: int, jobs: int) -> dict[str, float]:
    from seed import seed
    from sqlalchemy import text
    from throwaway_db import database

    from ledgerdesk.core.db import make_engine
    from ledgerdesk.core.migrate import upgrade
    from ledgerdesk.web.dbmetrics import DatabaseCollector

    with database("postgresql") as url:
        engine = make_engine(url)
        upgrade(engine)
        seed(engine, tickets)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sla_targets (ticket_id, target, started_at, breached_at, "
                    "paused_seconds) SELECT id, t, now(), CASE WHEN id % 10 = 0 THEN now() END, 0 "
                    "FROM tickets, (VALUES ('first_reply'), ('resolution')) AS v(t)"
                )
            )
            conn.execute(
                text(
                    'INSERT INTO guard_findings (ticket_id, field, kind, start, "end", '
                    "created_at) SELECT id, 'body', CASE WHEN id % 3 = 0 THEN 'seed_phrase' "
                    "ELSE 'private_key' END, 0, 10, now() FROM tickets"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO outbox (topic, payload, created_at, available_at, attempts) "
                    "SELECT 'bench.' || (g % 7), '{}', now(), now() - interval '5 seconds', "
                    "g % 2 FROM generate_series(1, :n) g"
                ),
                {"n": jobs},
            )
            conn.execute(text("ANALYZE"))
        cold, warm = [], []
        for _ in range(5):
            collector = DatabaseCollector(engine)
            started = time.perf_counter()
            families = list(collector.collect())
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            list(collector.collect())
            warm.append(time.perf_counter() - started)
        engine.dispose()
    assert len(families) >= 7
    return {
        "cold_ms_median": statistics.median(cold) * 1000,
        "warm_ms_median": statistics.median(warm) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, a smoke run")
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    calls = args.calls or (20_000 if args.quick else 200_000)
    tickets = args.tickets or (2_000 if args.quick else 100_000)
    jobs = args.jobs or (1_000 if args.quick else 10_000)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    single = middleware_cost(calls)
    print(
        f"middleware, one process: bare {single['bare_us']:.1f} µs, with request id + metrics "
        f"{single['wrapped_us']:.1f} µs: +{single['overhead_us']:.1f} µs per request"
    )
    multi = _multiprocess_cost(calls)
    print(
        f"middleware, multiprocess files: bare {multi['bare_us']:.1f} µs, wrapped "
        f"{multi['wrapped_us']:.1f} µs: +{multi['overhead_us']:.1f} µs per request"
    )
    scrape = scrape_cost(tickets, jobs)
    print(
        f"/metrics database figures, PostgreSQL, {tickets} tickets, {2 * tickets} SLA clocks, "
        f"{tickets} guard findings, {jobs} queued jobs: cold {scrape['cold_ms_median']:.1f} ms, "
        f"cached {scrape['warm_ms_median']:.3f} ms (median of 5)"
    )


if __name__ == "__main__":
    main()
