"""The first start of a demo desk: the help center answers from the first page, and searches
made while its index is still being built are not counted as missing articles."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.services import load_default_kb
from ledgerdesk.kb import queries
from ledgerdesk.kb.feedback import do_log_search
from ledgerdesk.kb.importer import import_path
from ledgerdesk.kb.indexing import search_index_ready
from ledgerdesk.kb.models import Article, ArticleStatus, ArticleTranslation, SearchLog, SearchSource
from ledgerdesk.search.models import SearchDocument
from ledgerdesk.search.services import index_article


def _slugs(session: Session, query: str) -> list[str]:
    found = queries.find_articles(session, None, query, lang=None, limit=3)
    return [f.article.slug for f in found]


def test_default_kb_is_searchable_as_soon_as_it_is_loaded(empty_session: Session) -> None:
    session = empty_session
    report = load_default_kb(session)
    session.commit()
    assert report is not None and report.articles_created > 0
    published = session.scalar(
        select(func.count())
        .select_from(ArticleTranslation)
        .join(Article)
        .where(Article.status == ArticleStatus.published)
    )
    documents = session.scalar(select(func.count()).select_from(SearchDocument))
    assert documents == published
    assert search_index_ready(session)
    # No worker has run: the documents were built by the loader itself.
    assert "deposit-not-credited" in _slugs(session, "充值未到账")
    assert "deposit-not-credited" in _slugs(session, "my deposit has not arrived")


def _logs(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SearchLog)) or 0)


def test_empty_searches_while_indexing_are_not_missing_articles(empty_session: Session) -> None:
    session = empty_session
    import_path(session, shipped_data_dir() / "kb", SYSTEM)  # queues indexing, builds nothing
    session.flush()
    assert not search_index_ready(session)
    assert _slugs(session, "充值未到账") == []
    log = do_log_search(
        session, "充值未到账", lang="zh-CN", source=SearchSource.api, article_ids=[]
    )
    assert log is None and _logs(session) == 0
    for article_id in session.scalars(select(Article.id)):
        index_article(session, article_id)
    assert search_index_ready(session)
    do_log_search(session, "qwxzy", lang="en", source=SearchSource.api, article_ids=[])
    assert _logs(session) == 1  # once the index is built, finding nothing is worth knowing
