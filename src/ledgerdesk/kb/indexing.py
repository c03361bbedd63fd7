"""The knowledge base as the search indexer sees it: one plain-text document per translation,
placeholders filled in, with the visibility its article's status gives it; and whether every
published translation is indexed yet. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.kb.models import Article, ArticleStatus, ArticleTranslation
from ledgerdesk.kb.render import render_text, substitute, variables
from ledgerdesk.search.models import SearchDocument

Visibility = Literal["public", "internal", "hidden"]


@dataclass(frozen=True)
class SearchableDoc:
    """One translation as the search index sees it: plain text, values filled in."""

    article_id: int
    slug: str
    lang: str
    title: str
    text: str
    visibility: Visibility
    category: str
    section: str
    intents: tuple[str, ...]


def visibility_of(status: ArticleStatus) -> Visibility:
    if status == ArticleStatus.published:
        return "public"
    if status == ArticleStatus.internal:
        return "internal"
    return "hidden"


def searchable_documents(session: Session, article_id: int) -> list[SearchableDoc]:
    """One document per translation of the article; ``[]`` when the article is gone."""
    article = session.get(Article, article_id)
    if article is None:
        return []
    values = variables()
    return [
        SearchableDoc(
            article_id=article.id,
            slug=article.slug,
            lang=t.lang,
            title=substitute(t.title, values),
            text=render_text(t.body, values),
            visibility=visibility_of(article.status),
            category=article.section.category.slug,
            section=article.section.slug,
            intents=tuple(article.intents),
        )
        for t in article.translations
    ]


def all_article_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Article.id).order_by(Article.id)))


def search_index_ready(session: Session) -> bool:
    """True when every published translation has its search document."""
    indexed = select(SearchDocument.id).where(
        SearchDocument.kind == "article",
        SearchDocument.ref_id == ArticleTranslation.article_id,
        SearchDocument.lang == ArticleTranslation.lang,
        SearchDocument.deleted.is_(False),
    )
    missing = (
        select(ArticleTranslation.id)
        .join(Article, Article.id == ArticleTranslation.article_id)
        .where(Article.status == ArticleStatus.published, ~indexed.exists())
        .limit(1)
    )
    return session.scalar(missing) is None
