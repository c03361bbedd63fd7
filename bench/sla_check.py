"""The SLA check (``sla.tasks.run_check``) over 100k open tickets on PostgreSQL. Goal: < 5 s.

A throwaway database gets ``--tickets`` tickets (bench/seed.py), all made open, and two
running clocks each (first_reply and resolution: 200k rows of ``sla_targets``) due over the
next week. Then, timed, each in one transaction as the job runs it:

1. steady: ``--due`` clocks are past due and as many are inside their warning window (one
   30-second period's worth on a busy desk, generously);
2. idle: the same check again (everything due was recorded: nothing to do);
3. catch-up: ``--backlog`` clocks past due at once (the worker was down for a while).

Each breach writes an event and a notification (the assignee, else the team's leads).

    PYTHONPATH=src .venv/bin/python bench/sla_check.py [--tickets 100000] [--due 1000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from seed import seed
from sqlalchemy import Engine, func, select, text
from throwaway_db import database

from ledgerdesk.channels.models import Notification
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.sla.tasks import run_check


def _clocks(engine: Engine, now: datetime) -> int:
    """Two running clocks per ticket, due 1 h to 7 days ahead, warned 30 min before."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE tickets SET status = 'open', solved_at = NULL, closed_at = NULL"))
        for target, spread in (("first_reply", 7919), ("resolution", 104729)):
            conn.execute(
                text(
                    "INSERT INTO sla_targets (ticket_id, policy_id, target, started_at, due_at,"
                    " warn_at, paused_seconds)"
                    " SELECT id, 1, :target, :now - interval '1 hour',"
                    " :now + make_interval(mins => (60 + (id::bigint * :spread) % 10000)::int),"
                    " :now + make_interval(mins => (30 + (id::bigint * :spread) % 10000)::int), 0"
                    " FROM tickets"
                ),
                {"target": target, "now": now, "spread": spread},
            )
        conn.execute(text("ANALYZE sla_targets"))
        return int(conn.scalar(select(func.count()).select_from(SlaTarget)) or 0)


def _make_due(engine: Engine, now: datetime, every: int, offset: int, warn_only: bool) -> int:
    """Every ``every``-th clock (by id) comes due (or, ``warn_only``, into its warning)."""
    column = "warn_at" if warn_only else "due_at"
    with engine.begin() as conn:
        result = conn.execute(
            text(
                f"UPDATE sla_targets SET {column} = :moment"  # noqa: S608 - fixed names
                " WHERE id % :every = :offset AND completed_at IS NULL AND breached_at IS NULL"
                " AND warned_at IS NULL"
            ),
            {"moment": now.replace(microsecond=0), "every": every, "offset": offset},
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _timed(engine: Engine, now: datetime) -> tuple[float, int, int]:
    factory = make_sessionmaker(engine)
    with factory() as session, frozen_at(now):
        started = time.perf_counter()
        warned, breached = run_check(session)
        session.commit()
        return time.perf_counter() - started, warned, breached


def run(tickets: int, due: int, backlog: int) -> None:
    with database("postgresql") as url:
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        seed(engine, tickets)
        now = utcnow().replace(microsecond=0)
        rows = _clocks(engine, now)
        print(f"seeded {tickets} open tickets, {rows} running clocks in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        every = max(2, rows // max(1, due))
        due_rows = _make_due(engine, now, every, 0, warn_only=False)
        warn_rows = _make_due(engine, now, every, 1, warn_only=True)
        later = now + timedelta(seconds=1)
        seconds, warned, breached = _timed(engine, later)
        print(f"steady:   {seconds:6.2f} s  ({warned} warnings, {breached} breaches; "
              f"{warn_rows} warn / {due_rows} due prepared)")  # fmt: skip
        seconds, warned, breached = _timed(engine, later)
        print(f"idle:     {seconds:6.2f} s  ({warned} warnings, {breached} breaches)")
        every = max(2, rows // max(1, backlog))
        backlog_rows = _make_due(engine, now, every, 3, warn_only=False)
        seconds, warned, breached = _timed(engine, later)
        print(f"catch-up: {seconds:6.2f} s  ({warned} warnings, {breached} breaches; "
              f"{backlog_rows} due prepared)")  # fmt: skip
        with engine.connect() as conn:
            notes = conn.scalar(select(func.count()).select_from(Notification))
        print(f"notifications written: {notes}")
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--backlog", type=int, default=10_000)
    args = parser.parse_args(argv)
    run(args.tickets, args.due, args.backlog)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
