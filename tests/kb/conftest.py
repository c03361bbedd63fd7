"""Knowledge-base factories: they call the real services, like the ticket factories do."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.models import Article, ArticleStatus, Section
from ledgerdesk.search import services as search
from tests.conftest import unique

EN_BODY = (
    "## Check the network\n\n"
    "1. Open **Assets** and find the deposit.\n"
    "2. Wait for {{ confirmations.BTC }} confirmations.\n\n"
    "Write to {{ support_email }} with your TxID."
)
ZH_BODY = "## 检查网络\n\n1. 打开**资产**页面。\n2. 等待 {{ confirmations.BTC }} 个区块确认。"


def make_section(session: Session) -> Section:
    category = kb.do_upsert_category(
        session, SYSTEM, unique("cat"), name={"en": "Deposits", "zh-CN": "充值"}
    )
    return kb.do_upsert_section(
        session, SYSTEM, category, unique("sec"), name={"en": "Crypto", "zh-CN": "数字资产"}
    )


def make_article(
    session: Session,
    section: Section | None = None,
    actor: Actor = SYSTEM,
    *,
    zh: bool = False,
    **kwargs: Any,
) -> Article:
    """A new article (draft unless ``status`` says otherwise), optionally with Chinese text."""
    kwargs.setdefault("slug", unique("art"))
    kwargs.setdefault("lang", "en")
    kwargs.setdefault("title", "My deposit has not arrived")
    kwargs.setdefault("body", EN_BODY)
    kwargs.setdefault("intents", ["deposit_missing"])
    section = section or make_section(session)
    article = kb.do_create_article(session, actor, kb.NewArticle(section_id=section.id, **kwargs))
    if zh:
        kb.do_save_translation(session, actor, article, "zh-CN", "充值未到账怎么办", ZH_BODY)
    return article


def outbox_for(session: Session, article_id: int) -> int:
    """How many re-index jobs are queued for ``article_id``."""
    session.flush()
    rows = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == kb.INDEX_TOPIC))
    return sum(1 for row in rows if row.payload.get("article_id") == article_id)


@pytest.fixture(autouse=True)
def _archive_committed_articles() -> Iterator[None]:
    yield
    apps = {id(app): app for app, _ in _COMMITTED}
    for app in apps.values():
        with app.state.sessionmaker() as session:
            for owner, article_id in _COMMITTED:
                article = session.get(Article, article_id) if owner is app else None
                if article is not None:
                    kb.do_set_status(session, SYSTEM, article, ArticleStatus.archived)
            session.commit()
        outbox.run_pending(app.state.sessionmaker)
    _COMMITTED.clear()


@pytest.fixture
def section(db_session: Session) -> Section:
    return make_section(db_session)


def nonsense_word() -> str:
    """A word no other article contains (semantic search may still match look-alikes)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


_COMMITTED: list[tuple[Any, int]] = []


def commit_article(
    app: Any, status: ArticleStatus = ArticleStatus.published, **kwargs: Any
) -> Article:
    """A committed article (for API and page tests), created through the services. It is
    archived (and so leaves the search index) when the test ends: the database is shared by
    the whole run, and other tests' searches must not find it."""
    with app.state.sessionmaker() as session:
        article = make_article(session, status=status, **kwargs)
        session.commit()
        _COMMITTED.append((app, article.id))
        session.refresh(article, ["section", "translations"])
        assert article.section.category.slug  # loaded now: the caller gets a detached copy
        return article


def wait_until_found(app: Any, query: str, article_id: int, timeout: float = 90.0) -> None:
    """Run the outbox (the embedded worker may be at it too) until a search finds the article."""
    deadline = time.monotonic() + timeout
    while True:
        outbox.run_pending(app.state.sessionmaker)
        with app.state.sessionmaker() as session:
            hits = search.search_articles(session, query, limit=20, include_internal=True)
        if article_id in {h.article_id for h in hits}:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"article {article_id} was not searchable for {query!r} in {timeout} s")
        time.sleep(0.2)
