"""Time the reports page over 1,000,000 events and 100,000 tickets on PostgreSQL.

A throwaway PostgreSQL database (bench/throwaway_db.py) is migrated and filled:
``bench/seed.py`` makes the desk (teams, agents, customers, 100k tickets, their messages and
some events), then this script adds the events a real desk would have recorded — one
``message.public``/``message.note`` per seeded message, status round trips (pending and back,
about 8 % of done tickets solved, reopened and solved again), triage, tags, priority and
assignment changes — until the events table holds exactly ``--events`` rows, plus two SLA
clocks per ticket (first reply, resolution). Everything goes in with COPY.

Then, in the same run:

1. ``reports.facts.rebuild`` over the whole history (``ledgerdesk reports rebuild``), and an
   incremental ``refresh`` after 1,000 new events;
2. baselines: the console inbox (``/console/inbox?view=all``), an existing page on the same
   data, and the median first reply time computed straight from ``events`` with one SQL
   statement (what the facts table saves);
3. the reports page ``/console/reports`` as a lead, for several filter sets, and the JSON API,
   each computing its figures (``reports.cache`` off); then two of them again with the cache
   on (the same filters within a minute and no job run in between are served from memory).

Requests go through the ASGI app in this process (Starlette's TestClient, no port), one at a
time, so the numbers are latencies of an idle server including rendering::

    PYTHONPATH=src .venv/bin/python bench/reports.py            # 100k tickets, 1M events
    PYTHONPATH=src .venv/bin/python bench/reports.py --tickets 10000 --events 100000 -n 10
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from http_load import percentile
from seed import BENCH_PASSWORD, INBOX_LEAD_EMAIL, seed
from sqlalchemy import Engine, text
from throwaway_db import database

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings
from ledgerdesk.reports import cache, facts
from ledgerdesk.web.app import create_app

FILLER = (  # (action, before, after) of events the reports do not read
    ("ticket.triaged", None, {"intent": "deposit_missing", "language": "en", "model": "bench"}),
    ("ticket.tagged", None, {"tags": ["bench"]}),
    ("ticket.priority_changed", {"priority": "normal"}, {"priority": "high"}),
    ("ticket.assigned", {"assignee_id": None}, {"assignee_id": None}),
    ("customer.notified", None, {"notice": "reply"}),
)
COLUMNS = ("ticket_id", "actor_kind", "actor_id", "action", "before", "after", "created_at")
INTENTS = ("deposit_missing", "withdrawal_delayed", "kyc", "account_locked", "fees", "other")


def _copy(
    engine: Engine, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _j(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


def fill_history(engine: Engine, target_events: int, rng: random.Random) -> dict[str, int]:
    """Add events (and SLA clocks) until ``events`` holds ``target_events`` rows."""
    with engine.connect() as conn:
        tickets = conn.execute(
            text(
                "SELECT id, status, created_at, updated_at, first_reply_at, assignee_id "
                "FROM tickets ORDER BY id"
            )
        ).all()
        messages = conn.execute(
            text(
                "SELECT ticket_id, kind, author_kind, author_agent_id, author_customer_id, "
                "created_at, id FROM messages ORDER BY ticket_id, id"
            )
        ).all()
        have = int(conn.scalar(text("SELECT count(*) FROM events")) or 0)
        conn.execute(
            text("UPDATE tickets SET intent = (ARRAY[:a,:b,:c,:d,:e,:f])[1 + id % 6]"),
            dict(zip("abcdef", INTENTS, strict=True)),
        )
        conn.commit()
    rows: list[tuple[Any, ...]] = []
    for m in messages:
        actor = m.author_agent_id if m.author_kind == "agent" else m.author_customer_id
        action = "message.note" if m.kind == "note" else "message.public"
        rows.append(
            (
                m.ticket_id,
                m.author_kind,
                actor,
                action,
                None,
                _j({"message_id": m.id}),
                m.created_at,
            )
        )
    done = {"solved", "closed"}
    for t in tickets:
        if t.status in done and rng.random() < 0.08:  # solved, reopened, and solved again
            mid = t.created_at + (t.updated_at - t.created_at) / 3
            later = t.created_at + (t.updated_at - t.created_at) * 2 / 3
            agent = t.assignee_id
            rows.append(
                (
                    t.id,
                    "agent",
                    agent,
                    "ticket.status_changed",
                    _j({"status": "open"}),
                    _j({"status": "solved"}),
                    mid,
                )
            )
            rows.append(
                (
                    t.id,
                    "customer",
                    None,
                    "ticket.status_changed",
                    _j({"status": "solved"}),
                    _j({"status": "open", "reason": "customer_reply"}),
                    later,
                )
            )
    remaining = target_events - have - len(rows)
    if remaining < 0:
        raise SystemExit(f"already {have + len(rows)} events; ask for more than that")
    per, extra = divmod(remaining, len(tickets))
    for n, t in enumerate(tickets):
        span = max((t.updated_at - t.created_at).total_seconds(), 60.0)
        for _ in range(per + (1 if n < extra else 0)):
            action, before, after = rng.choice(FILLER)
            at = t.created_at + timedelta(seconds=rng.uniform(1, span))
            rows.append((t.id, "agent", t.assignee_id, action, _j(before), _j(after), at))
    _copy(engine, "events", COLUMNS, rows)
    sla: list[tuple[Any, ...]] = []
    for t in tickets:
        due = t.created_at + timedelta(hours=1)
        reply = t.first_reply_at
        sla.append(
            (
                t.id,
                "first_reply",
                t.created_at,
                due,
                reply,
                due if (reply or utcnow()) > due else None,
            )
        )
        if t.status in done:
            rdue = t.created_at + timedelta(hours=24)
            sla.append(
                (
                    t.id,
                    "resolution",
                    t.created_at,
                    rdue,
                    t.updated_at,
                    rdue if t.updated_at > rdue else None,
                )
            )
    _copy(
        engine,
        "sla_targets",
        ("ticket_id", "target", "started_at", "due_at", "completed_at", "breached_at"),
        sla,
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        total = int(conn.scalar(text("SELECT count(*) FROM events")) or 0)
    return {"events": total, "sla_targets": len(sla), "tickets": len(tickets)}


NAIVE_FRT = text(
    """
    WITH fr AS (
      SELECT ticket_id, min(created_at) AS at FROM events
      WHERE action = 'message.public' AND actor_kind = 'agent' GROUP BY ticket_id)
    SELECT count(*),
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr.at - t.created_at)),
      percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM fr.at - t.created_at))
    FROM fr JOIN tickets t ON t.id = fr.ticket_id WHERE fr.at >= :since AND fr.at < :until
    """
)


def timed(fn: Callable[[], Any], n: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "n": n,
        "p50_ms": round(percentile(samples, 50), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "max_ms": round(max(samples), 1),
    }


def _get(client: TestClient, path: str, **params: str) -> Callable[[], None]:
    def call() -> None:
        r = client.get(path, params=params)
        if r.status_code != 200:
            raise SystemExit(f"{path} {params}: {r.status_code} {r.text[:300]}")

    return call


def run(n_tickets: int, n_events: int, n: int) -> dict[str, Any]:
    out: dict[str, Any] = {"tickets": n_tickets, "events_goal": n_events}
    rng = random.Random(16)
    with database("postgresql") as url:
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        seeded = seed(engine, n_tickets, analyze=False)
        out["data"] = fill_history(engine, n_events, rng)
        out["load_s"] = round(time.perf_counter() - started, 1)
        factory = make_sessionmaker(engine)
        with factory() as session:
            started = time.perf_counter()
            out["facts_rows"] = facts.rebuild(session)
            session.commit()
            out["rebuild_s"] = round(time.perf_counter() - started, 1)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE report_ticket_facts"))
            new = [
                (tid, "agent", None, "message.public", None, None, utcnow())
                for tid in rng.sample(range(1, n_tickets + 1), 1000)
            ]
        _copy(engine, "events", COLUMNS, new)
        with factory() as session:
            started = time.perf_counter()
            out["refresh_1000_events"] = {"tickets": facts.refresh(session)}
            session.commit()
            out["refresh_1000_events"]["s"] = round(time.perf_counter() - started, 2)

        today = utcnow().date()
        since = datetime.combine(today - timedelta(days=29), datetime.min.time())
        until = datetime.combine(today + timedelta(days=1), datetime.min.time())
        with engine.connect() as conn:
            out["baseline_naive_frt_sql"] = timed(
                lambda: conn.execute(NAIVE_FRT, {"since": since, "until": until}).all(), n
            )
        settings = Settings(
            database_url=url,
            data_dir=Path(tempfile.mkdtemp(prefix="ledgerdesk-bench-reports-")),
            secret_key="b" * 40,
            jobs="external",  # no worker in the measured process
            triage=False,
        )
        app = create_app(settings)
        team = str(seeded.team_ids[0])
        year_start = (today - timedelta(days=364)).isoformat()
        with TestClient(app) as client:
            r = client.post(
                "/console/login",
                data={"email": INBOX_LEAD_EMAIL, "password": BENCH_PASSWORD},
                follow_redirects=False,
            )
            assert r.status_code in (302, 303), r.text[:300]
            cases: dict[str, Callable[[], None]] = {
                "baseline_inbox_all": _get(client, "/console/inbox", view="all"),
                "reports_30d": _get(client, "/console/reports"),
                "reports_30d_team": _get(client, "/console/reports", team_id=team),
                "reports_30d_zh_email": _get(
                    client, "/console/reports", language="zh", channel="email"
                ),
                "reports_365d": _get(client, "/console/reports", start=year_start),
                "api_summary_30d": _get(client, "/api/v1/reports/summary"),
                "csv_agents_365d": _get(
                    client, "/console/reports/export", table="agents", start=year_start
                ),
            }
            cache.TTL_SECONDS = 0  # every request computes its figures
            for name, call in cases.items():
                out[name] = timed(call, n)
            cache.TTL_SECONDS = 60  # as deployed: repeated filters within a minute are cached
            for name in ("reports_30d", "reports_365d"):
                out[name + "_cached"] = timed(cases[name], n)
        app.state.engine.dispose()
        engine.dispose()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=40, help="timed requests per case")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.tickets, args.events, args.n), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
