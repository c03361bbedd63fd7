"""What readers tell the knowledge base: answers to "Was this helpful?", finished searches and
the results clicked from them. Readers need no account; a secret pasted into a comment or a
search box is removed before it is stored. ``kb.queries`` reads these back as analytics."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.ai.guard import redact
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.text import clean
from ledgerdesk.kb.indexing import search_index_ready
from ledgerdesk.kb.models import (
    Article,
    Feedback,
    FeedbackReason,
    SearchClick,
    SearchLog,
    SearchSource,
)
from ledgerdesk.kb.services import MAX_LOGGED_IDS, MAX_QUERY, check_lang, check_query

MAX_COMMENT = 1000


def check_comment(value: str) -> str:
    comment = clean(value.replace("\r\n", "\n")).strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(f"Comment is longer than {MAX_COMMENT} characters", field="comment")
    return comment


def do_record_feedback(
    session: Session,
    article: Article,
    *,
    lang: str,
    helpful: bool,
    reason: FeedbackReason | None = None,
    comment: str = "",
) -> Feedback:
    """A reader's answer to "Was this helpful?". The caller checked the article is visible."""
    lang = check_lang(lang)
    if helpful and reason is not None:
        raise InvalidInput("A reason is only given when the article did not help", field="reason")
    feedback = Feedback(
        article_id=article.id,
        lang=lang,
        helpful=helpful,
        reason=reason,
        comment=redact(check_comment(comment)),  # a pasted secret never reaches the table
        created_at=utcnow(),
    )
    session.add(feedback)
    session.flush()
    return feedback


def do_log_search(
    session: Session,
    query: str,
    *,
    lang: str,
    source: SearchSource,
    article_ids: Sequence[int],
) -> SearchLog | None:
    """Record a finished search (not every keystroke); an empty query is not logged. A secret
    pasted into the search box is removed before the query is stored."""
    query = check_query(query)
    if not query or (not article_ids and not search_index_ready(session)):
        # A search that finds nothing because the index is still being built (the first
        # seconds of a new desk) says nothing about missing articles.
        return None
    query = redact(query)[:MAX_QUERY]
    log = SearchLog(
        query=query,
        lang=check_lang(lang),
        source=source,
        result_count=len(article_ids),
        top_article_ids=[int(i) for i in article_ids[:MAX_LOGGED_IDS]],
        created_at=utcnow(),
    )
    session.add(log)
    session.flush()
    return log


def do_record_search_click(
    session: Session, search_log_id: int, article_id: int, position: int
) -> SearchClick | None:
    """Count a click on a result, once per search and article. Clicks that do not match the
    logged results (a stale or hand-made link) are ignored: navigation must never fail."""
    log = session.get(SearchLog, search_log_id)
    ids = list(log.top_article_ids) if log is not None else []
    if article_id not in ids or not 1 <= position <= len(ids):
        return None
    seen = session.scalar(
        select(SearchClick.id).where(
            SearchClick.search_log_id == search_log_id, SearchClick.article_id == article_id
        )
    )
    if seen is not None:
        return None
    click = SearchClick(
        search_log_id=search_log_id, article_id=article_id, position=position, created_at=utcnow()
    )
    session.add(click)
    session.flush()
    return click
