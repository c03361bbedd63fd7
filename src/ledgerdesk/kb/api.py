"""JSON routes for the knowledge base under /api/v1/kb. Reading and searching are public:
customers and anonymous callers see published articles, agents see everything."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from ledgerdesk.core.types import PageNumber
from ledgerdesk.kb import queries
from ledgerdesk.kb import services as svc
from ledgerdesk.kb.feedback import do_log_search, do_record_feedback
from ledgerdesk.kb.models import Article, ArticleStatus, SearchSource
from ledgerdesk.kb.render import render_html, substitute, variables
from ledgerdesk.kb.schemas import (
    ApiLang,
    ArticleDetail,
    ArticlePage,
    ArticleSummary,
    FeedbackCreate,
    FeedbackPublic,
    SearchResult,
    SearchResults,
    TranslationPublic,
)
from ledgerdesk.search.services import language_of
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.openapi import RATE_LIMITED

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge base"])
FEEDBACK_RATE_LIMIT = "30/minute"
Slug = Annotated[str, Path(max_length=80)]


def _summary(article: Article, lang: str, values: dict[str, str]) -> ArticleSummary:
    shown = queries.pick_translation(article, lang)
    return ArticleSummary(
        id=article.id,
        slug=article.slug,
        status=article.status,
        title=substitute(shown.title, values),
        lang=shown.lang,
        languages=[t.lang for t in article.translations],
        category=article.section.category.slug,
        section=article.section.slug,
        intents=list(article.intents),
        tags=list(article.tags),
        url=f"/help/articles/{article.slug}",
        updated_at=article.updated_at,
        published_at=article.published_at,
    )


def _values(request: Request) -> dict[str, str]:
    return variables(request.app.state.settings)


@router.get("/articles")
def list_articles(
    request: Request,
    db: Db,
    actor: OptionalActor,
    status: ArticleStatus | None = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    lang: ApiLang = "en",
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> ArticlePage:
    """Published articles for customers and anonymous callers; every article for agents."""
    flt = queries.ArticleFilter(status=status, category=category, text=q)
    items, total = queries.list_articles(db, actor, flt, page=page, per_page=per_page)
    wanted, values = svc.check_lang(lang), _values(request)
    return ArticlePage(
        items=[_summary(a, wanted, values) for a in items],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/articles/{slug}")
def get_article(
    request: Request, slug: Slug, db: Db, actor: OptionalActor, lang: ApiLang | None = None
) -> ArticleDetail:
    """One article with its translations (only ``lang`` when given), Markdown and HTML."""
    article = svc.access_article(db, actor, slug)
    wanted, values = svc.check_lang(lang) if lang else None, _values(request)
    translations = [
        TranslationPublic(
            lang=t.lang,
            title=substitute(t.title, values),
            body=substitute(t.body, values),
            html=render_html(t.body, values),
            version=t.version,
            updated_at=t.updated_at,
        )
        for t in article.translations
        if wanted is None or t.lang == wanted
    ]
    summary = _summary(article, wanted or "en", values)
    return ArticleDetail(**summary.model_dump(), translations=translations)


@router.get("/search")
def search_articles(
    request: Request,
    db: Db,
    actor: OptionalActor,
    q: str = "",
    lang: ApiLang | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResults:
    """Articles answering ``q``, best first. An empty query answers no results."""
    query = svc.check_query(q)
    wanted = svc.check_lang(lang) if lang else None
    if not query:
        return SearchResults(query="", lang=wanted, search_id=None, items=[])
    found = queries.find_articles(
        db, actor, query, lang=wanted, limit=limit, include_internal=svc.sees_all_articles(actor)
    )
    log = do_log_search(
        db,
        query,
        lang=wanted or language_of(query),
        source=SearchSource.api,
        article_ids=[f.article.id for f in found],
    )
    db.commit()
    values = _values(request)
    items = [
        SearchResult(
            article_id=f.article.id,
            slug=f.article.slug,
            lang=f.lang,
            title=substitute(queries.pick_translation(f.article, f.lang).title, values),
            score=round(f.score, 6),
            url=f"/help/articles/{f.article.slug}",
        )
        for f in found
    ]
    return SearchResults(query=query, lang=wanted, search_id=log.id if log else None, items=items)


@router.post("/articles/{slug}/feedback", status_code=201, responses=RATE_LIMITED)
def add_feedback(
    request: Request, slug: Slug, data: FeedbackCreate, db: Db, actor: OptionalActor
) -> FeedbackPublic:
    """A reader's "was this helpful?" answer (rate-limited per client address)."""
    request.app.state.limiter.hit(FEEDBACK_RATE_LIMIT, "kb-feedback", client_address(request))
    article = svc.access_article(db, actor, slug)
    feedback = do_record_feedback(
        db,
        article,
        lang=data.lang,
        helpful=data.helpful,
        reason=data.reason,
        comment=data.comment,
    )
    db.commit()
    return FeedbackPublic(
        id=feedback.id,
        article_id=article.id,
        lang=feedback.lang,
        helpful=feedback.helpful,
        reason=feedback.reason,
        created_at=feedback.created_at,
    )
