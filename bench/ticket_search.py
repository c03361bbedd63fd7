"""Ticket text search at scale: the console's search box on N seeded tickets.

Seeds a throwaway PostgreSQL database (or a temp SQLite file) with ``bench/seed.py``, whose
tickets carry the analysed ``search_text`` the services would store, then times
``queries.list_tickets`` with a text filter (count + first page, as the console runs it) for
an agent (team-scoped) and a lead (everything), for an English and a Chinese query.

    .venv/bin/python bench/ticket_search.py [--tickets 100000] [--only postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import time

from seed import INBOX_AGENT_EMAIL, INBOX_LEAD_EMAIL, seed
from sqlalchemy import select
from throwaway_db import database

from ledgerdesk.accounts.models import Agent
from ledgerdesk.accounts.services import agent_actor
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.tickets import queries

QUERIES = ["liquidated", "withdrawal pending", "提現 未到賬", "实名认证"]


def run(kind: str, tickets: int, repeats: int) -> None:
    with database(kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        seed(engine, tickets)
        print(f"{kind}: seeded {tickets} tickets in {time.perf_counter() - started:.0f} s")
        factory = make_sessionmaker(engine)
        with factory() as session:
            for email in (INBOX_AGENT_EMAIL, INBOX_LEAD_EMAIL):
                agent = session.scalars(select(Agent).where(Agent.email == email)).one()
                actor = agent_actor(agent)
                for query in QUERIES:
                    times: list[float] = []
                    total = 0
                    for _ in range(repeats):
                        t0 = time.perf_counter()
                        _, total = queries.list_tickets(
                            session, actor, queries.TicketFilter(text=query)
                        )
                        times.append(time.perf_counter() - t0)
                    times.sort()
                    print(
                        f"  {agent.role.value:<5} {query!r:<22} {total:>6} found  "
                        f"p50 {statistics.median(times) * 1000:7.1f} ms  "
                        f"max {times[-1] * 1000:7.1f} ms"
                    )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for kind in [args.only] if args.only else ["postgresql", "sqlite"]:
        run(kind, args.tickets, args.repeats)


if __name__ == "__main__":
    main()
