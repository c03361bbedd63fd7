"""How long from an article's commit until a search in another session finds it.

This is the path `make run` uses: the embedded outbox worker (a thread) indexes the article
after the commit wakes it, and the searching session's in-memory index catches up from
``search_documents``. Runs on a temp SQLite file and, if reachable, a throwaway PostgreSQL
database (created through ``test`` on 127.0.0.1:5432 and dropped after).

    .venv/bin/python bench/search_freshness.py [--rounds 30] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from sqlalchemy.orm import Session, sessionmaker
from throwaway_db import database

from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.accounts.services import SYSTEM, agent_actor, do_create_agent
from ledgerdesk.composition import load_handlers
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.jobs.outbox import Worker, run_pending
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.models import ArticleStatus
from ledgerdesk.search import services as search


def _setup(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as session:
        lead = do_create_agent(
            session, SYSTEM, email="lead@bench.test", name="Lead", password="x" * 12, role=Role.lead
        )
        category = kb.do_upsert_category(session, SYSTEM, "bench", name={"en": "Bench"})
        section = kb.do_upsert_section(session, SYSTEM, category, "bench", name={"en": "Bench"})
        session.commit()
        return lead.id, section.id


def _round(factory: sessionmaker[Session], lead_id: int, section_id: int, n: int) -> float:
    word = f"zq{uuid.uuid4().hex[:8]}"
    with factory() as session:
        agent = session.get(Agent, lead_id)
        assert agent is not None
        actor = agent_actor(agent)
        article = kb.do_create_article(
            session,
            actor,
            kb.NewArticle(
                slug=f"fresh-{n}-{word}",
                section_id=section_id,
                lang="en",
                title=f"How {word} transfers work",
                body=f"A {word} transfer settles after confirmations.",
                status=ArticleStatus.draft,
            ),
        )
        kb.do_set_status(session, actor, article, ArticleStatus.published)
        session.commit()
    started = time.perf_counter()
    while time.perf_counter() - started < 30:
        with factory() as session:
            if search.search_articles(session, word):
                return time.perf_counter() - started
        time.sleep(0.005)
    raise RuntimeError("article never became searchable")


def run(kind: str, rounds: int) -> list[float]:
    with database(kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine)
        load_handlers()
        lead_id, section_id = _setup(factory)
        run_pending(factory)  # the migration's backfill job, and the embedder's first load
        worker = Worker(factory)
        worker.start()
        try:
            with factory() as session:
                search.search_articles(session, "warm up")
            times = [_round(factory, lead_id, section_id, n) for n in range(rounds)]
        finally:
            worker.stop()
            search.reset_indexes()
            engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        raw = run(kind, args.rounds)
        print(kind, "rounds (ms):", " ".join(f"{t * 1000:.0f}" for t in raw))
        times = sorted(raw)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{kind:<10} commit -> findable: p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms ({len(times)} rounds)"
        )


if __name__ == "__main__":
    main()
