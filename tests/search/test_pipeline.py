"""Search end to end: the default knowledge base, ranked on our labelled queries; the outbox
keeping the index current; tickets found by analysed text on both databases."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.importer import import_path
from ledgerdesk.kb.models import Article, ArticleStatus, Section
from ledgerdesk.search import services as search
from ledgerdesk.search.evaluation import LabelledQuery, Quality, load_queries, measure
from ledgerdesk.tickets import queries as ticket_queries
from ledgerdesk.tickets.models import Ticket
from ledgerdesk.tickets.tasks import backfill_search_text
from tests.conftest import actor_of, make_agent, make_ticket, unique

QUERY_DIR = Path(__file__).parent / "queries"


@pytest.fixture(scope="module")
def kb_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    """A SQLite desk holding the shipped knowledge base, indexed through the outbox."""
    path = tmp_path_factory.mktemp("kb") / "kb.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with factory() as session:
        report = import_path(session, shipped_data_dir() / "kb", SYSTEM)
        assert not report.errors, report.errors
        session.commit()
    outbox.run_pending(factory)
    yield factory
    engine.dispose()


def _quality(factory: sessionmaker[Session], queries: list[LabelledQuery], mode: str) -> Quality:
    with factory() as session:
        slugs = dict(session.execute(select(Article.id, Article.slug)).all())

        def ranked(query: LabelledQuery) -> list[str]:
            hits = search.search_articles(session, query.q, limit=10, mode=mode)
            return [slugs[h.article_id] for h in hits]

        return measure(queries, ranked)


def test_labelled_query_set_is_large_and_points_at_real_articles(
    kb_factory: sessionmaker[Session],
) -> None:
    queries = load_queries(sorted(QUERY_DIR.glob("*.jsonl")))
    with kb_factory() as session:
        slugs = set(session.scalars(select(Article.slug)))
    assert len(slugs) >= 60
    assert sum(q.lang == "zh" for q in queries) >= 100
    assert sum(q.lang == "en" for q in queries) >= 100
    assert {q.expected for q in queries} <= slugs


def test_ranking_quality_on_labelled_queries(
    kb_factory: sessionmaker[Session], record_property: Any
) -> None:
    """MRR@10 and recall@3 of each ranking; the floors sit a little under what we measured
    (bench/RESULTS.md), so a regression fails here."""
    queries = load_queries(sorted(QUERY_DIR.glob("*.jsonl")))
    results = {
        mode: _quality(kb_factory, queries, mode) for mode in ("lexical", "semantic", "hybrid")
    }
    for lang in ("zh", "en"):
        subset = [q for q in queries if q.lang == lang]
        results[f"hybrid-{lang}"] = _quality(kb_factory, subset, "hybrid")
    for name, quality in results.items():
        record_property(name, quality.as_dict())
        print(name, quality.as_dict())
    hybrid = results["hybrid"]
    assert hybrid.mrr10 >= 0.80 and hybrid.recall3 >= 0.88
    assert results["hybrid-zh"].recall3 >= 0.85 and results["hybrid-en"].recall3 >= 0.85
    assert hybrid.mrr10 > results["lexical"].mrr10
    assert hybrid.mrr10 > results["semantic"].mrr10


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("充值沒到賬", "deposit-not-credited"),  # traditional characters
        ("USDT 充值 pending 好久", "deposit-not-credited"),  # mixed script
        ("lost my google authenticater", "2fa-lost-authenticator-reset"),  # typo
        (
            "someone on telegram says he is support and wants my seed phrase",
            "scam-fake-customer-support",
        ),
    ],
)
def test_typical_questions_find_their_article(
    kb_factory: sessionmaker[Session], query: str, expected: str
) -> None:
    with kb_factory() as session:
        slugs = dict(session.execute(select(Article.id, Article.slug)).all())
        hits = search.search_articles(session, query, limit=3)
    assert expected in [slugs[h.article_id] for h in hits]


def test_nonsense_finds_nothing_and_bad_queries_are_refused(
    kb_factory: sessionmaker[Session],
) -> None:
    with kb_factory() as session:
        assert search.search_articles(session, "") == []
        assert search.search_articles(session, "   \x00\x07  ") == []
        assert search.search_articles(session, "qwxzv plorth glimby") == []
        with pytest.raises(search.InvalidInput, match="limit is 500"):
            search.search_articles(session, "x" * 10_240)
        with pytest.raises(search.InvalidInput, match="unknown language"):
            search.search_articles(session, "deposit", lang="klingon")
        with pytest.raises(search.InvalidInput, match="limit"):
            search.search_articles(session, "deposit", limit=0)
        assert all(h.lang == "zh-CN" for h in search.search_articles(session, "充值", lang="zh"))


# ---- the outbox keeps the index current --------------------------------------------------


def _new_article(session: Session, title: str, body: str) -> Article:
    lead = make_agent(session, Role.lead)
    section = session.scalars(select(Section)).first()
    if section is None:
        category = kb.do_upsert_category(session, SYSTEM, unique("cat"), name={"en": "General"})
        section = kb.do_upsert_section(
            session, SYSTEM, category, unique("sec"), name={"en": "General"}
        )
    article = kb.do_create_article(
        session,
        actor_of(lead),
        kb.NewArticle(slug=unique("art"), section_id=section.id, lang="en", title=title, body=body),
    )
    kb.do_set_status(session, actor_of(lead), article, ArticleStatus.published)
    return article


def test_published_article_becomes_findable_without_any_manual_step(
    app: Any, client: Any, record_property: Any
) -> None:
    """With the embedded worker running (as under `make run`): commit, then a search hit."""
    factory = app.state.sessionmaker
    word = "zorbital" + unique("")[-6:].replace("-", "")
    with factory() as session:
        article = _new_article(session, f"How {word} transfers work", f"A {word} transfer.")
        session.commit()
        article_id = article.id
    started = time.monotonic()
    found: list[search.ArticleHit] = []
    while time.monotonic() - started < 30 and not found:
        with factory() as session:
            found = search.search_articles(session, word)
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    assert found and found[0].article_id == article_id, "never indexed by the embedded worker"
    # The one-second goal is measured in bench/ (timing on a shared CI machine is not a test).
    record_property("findable_after_seconds", round(elapsed, 3))
    with factory() as session:
        lead = make_agent(session, Role.lead)
        kb.do_set_status(
            session, actor_of(lead), session.get(Article, article_id), ArticleStatus.draft
        )
        session.commit()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and found:
        with factory() as session:
            found = search.search_articles(session, word)
        time.sleep(0.05)
    assert found == [], "an unpublished article left the public index"


_failures = {"left": 0}


@outbox.handler("test.flaky")
def _flaky(session: Session, payload: dict[str, Any]) -> None:
    if _failures["left"] > 0:
        _failures["left"] -= 1
        raise RuntimeError("worker died mid-job")
    session.execute(text("UPDATE tickets SET subject = :s WHERE id = :i"), payload)


def test_outbox_keeps_jobs_until_they_succeed(engine: Any) -> None:
    factory = make_sessionmaker(engine)
    with factory() as session:
        ticket_id = make_ticket(session).id
        session.commit()
    with factory() as session:  # rolled back: the job never existed
        outbox.enqueue(session, "test.flaky", {"s": "never", "i": ticket_id})
        session.rollback()
    with factory() as session:
        outbox.enqueue(session, "test.flaky", {"s": "done", "i": ticket_id})
        session.commit()
    _failures["left"] = 1
    assert outbox.run_pending(factory) == 0  # the job failed: kept, with the error, for later
    with factory() as session:
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == "test.flaky")).one()
        assert entry.attempts == 1 and "worker died" in (entry.last_error or "")
        assert session.get(Ticket, ticket_id).subject != "done"  # type: ignore[union-attr]
        entry.available_at = entry.created_at  # due again now
        session.commit()
    assert outbox.run_pending(factory) >= 1
    with factory() as session:
        assert session.get(Ticket, ticket_id).subject == "done"  # type: ignore[union-attr]
        assert not session.scalars(
            select(OutboxEntry).where(OutboxEntry.topic == "test.flaky")
        ).all()


def test_postgresql_workers_skip_a_job_another_worker_holds(engine: Any) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer)")
    factory = make_sessionmaker(engine)
    with factory() as session:
        ticket_id = make_ticket(session).id
        outbox.enqueue(session, "test.flaky", {"s": "locked", "i": ticket_id})
        session.commit()
    _failures["left"] = 0
    holder = factory()
    held = holder.scalars(
        select(OutboxEntry).where(OutboxEntry.topic == "test.flaky").with_for_update()
    ).all()
    assert held
    assert outbox.run_pending(factory) == 0
    holder.rollback()
    holder.close()
    assert outbox.run_pending(factory) >= 1


# ---- tickets ----------------------------------------------------------------------------


def test_tickets_are_found_by_analysed_text(db_session: Session) -> None:
    lead = actor_of(make_agent(db_session, Role.lead))
    zh = make_ticket(db_session, subject="提币审核", body="我的USDT提币一直在审核中，已经两天了")
    en = make_ticket(db_session, subject="Card", body="My card payments were declined twice")
    db_session.flush()

    def found(query: str) -> set[int]:
        rows, _ = ticket_queries.list_tickets(
            db_session, lead, ticket_queries.TicketFilter(text=query)
        )
        return {t.id for t in rows}

    assert zh.id in found("提幣 審核")  # traditional query, simplified ticket
    assert zh.id in found("usdt 提币")
    assert en.id in found("declined card payment")  # stemmed: payments/declined
    assert en.id not in found("提币")
    tickets_reply = make_ticket(db_session, subject="Hi", body="hello")
    from ledgerdesk.tickets import services as tickets

    tickets.do_add_message(db_session, lead, tickets_reply, "请提供交易哈希 TxID")
    assert tickets_reply.id in found("交易哈希")
    # The backfill job recomputes lost terms (after the 0004 migration, for example).
    db_session.execute(update(Ticket).where(Ticket.id == zh.id).values(search_text=" "))
    db_session.expire_all()
    assert zh.id not in found("审核")
    backfill_search_text(db_session, {"after_id": zh.id - 1})
    db_session.flush()
    assert zh.id in found("审核")
