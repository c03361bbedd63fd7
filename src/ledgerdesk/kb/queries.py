"""Reading the knowledge base: the help-center tree, article lists, search results as cards,
versions and diffs, feedback and analytics. Everything here is read-only."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.text import clean
from ledgerdesk.kb.models import (
    Article,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    Category,
    DeflectionAttempt,
    DeflectionOutcome,
    Feedback,
    SearchClick,
    SearchLog,
    Section,
)
from ledgerdesk.kb.render import substitute
from ledgerdesk.kb.services import access_version, visible_statuses
from ledgerdesk.search import services as search

# --- translations -----------------------------------------------------------------------


def pick_translation(article: Article, lang: str) -> ArticleTranslation:
    """The translation in ``lang``, else English, else whatever exists."""
    by_lang = {t.lang: t for t in article.translations}
    return by_lang.get(lang) or by_lang.get("en") or article.translations[0]


def localized(names: dict[str, str], lang: str) -> str:
    """A ``{lang: text}`` name in ``lang``, falling back to English, then to any."""
    return names.get(lang) or names.get("en") or next(iter(names.values()), "")


@dataclass(frozen=True)
class ArticleCard:
    """What a list shows of an article: its title in the chosen language."""

    id: int
    slug: str
    title: str
    lang: str
    status: ArticleStatus
    section_id: int


def card(article: Article, lang: str, values: dict[str, str]) -> ArticleCard:
    t = pick_translation(article, lang)
    return ArticleCard(
        article.id,
        article.slug,
        substitute(t.title, values),
        t.lang,
        article.status,
        article.section_id,
    )


# --- the help-center tree ---------------------------------------------------------------


def list_categories(session: Session) -> list[Category]:
    return list(
        session.scalars(
            select(Category)
            .options(selectinload(Category.sections))
            .order_by(Category.position, Category.id)
        ).unique()
    )


def get_category(session: Session, slug: str) -> Category | None:
    return session.scalar(
        select(Category).options(selectinload(Category.sections)).where(Category.slug == slug)
    )


def list_sections(session: Session) -> list[Section]:
    return list(
        session.scalars(
            select(Section).join(Category).order_by(Category.position, Section.position)
        ).unique()
    )


def section_articles(
    session: Session, actor: Actor | None, section_ids: Sequence[int]
) -> dict[int, list[Article]]:
    """Visible articles of the given sections, grouped by section, oldest first."""
    grouped: dict[int, list[Article]] = {i: [] for i in section_ids}
    if not section_ids:
        return grouped
    rows = session.scalars(
        select(Article)
        .where(Article.section_id.in_(section_ids), Article.status.in_(visible_statuses(actor)))
        .order_by(Article.id)
    ).unique()
    for article in rows:
        grouped[article.section_id].append(article)
    return grouped


def articles_by_id(
    session: Session, actor: Actor | None, article_ids: Sequence[int]
) -> list[Article]:
    """The visible ones of ``article_ids``, in the given order."""
    if not article_ids:
        return []
    rows = session.scalars(
        select(Article).where(
            Article.id.in_(article_ids), Article.status.in_(visible_statuses(actor))
        )
    ).unique()
    found = {a.id: a for a in rows}
    return [found[i] for i in article_ids if i in found]


def popular_articles(session: Session, limit: int = 5, days: int = 90) -> list[Article]:
    """Published articles readers opened most from search lately; newest to fill up."""
    since = utcnow() - timedelta(days=days)
    clicked = list(
        session.execute(
            select(SearchClick.article_id, func.count())
            .join(Article, Article.id == SearchClick.article_id)
            .where(SearchClick.created_at >= since, Article.status == ArticleStatus.published)
            .group_by(SearchClick.article_id)
            .order_by(func.count().desc(), SearchClick.article_id)
            .limit(limit)
        )
    )
    ids = [int(row[0]) for row in clicked]
    if len(ids) < limit:
        ids += list(
            session.scalars(
                select(Article.id)
                .where(Article.status == ArticleStatus.published, Article.id.not_in(ids or [0]))
                .order_by(Article.published_at.desc(), Article.id.desc())
                .limit(limit - len(ids))
            )
        )
    return articles_by_id(session, None, ids)


# --- search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A search result with its article, ready to show."""

    article: Article
    lang: str
    score: float


def find_articles(
    session: Session,
    actor: Actor | None,
    query: str,
    *,
    lang: str | None,
    limit: int = 10,
    include_internal: bool = False,
) -> list[Found]:
    """Search hits joined to their (visible) articles, best first."""
    hits = search.search_articles(
        session, query, lang=lang, limit=limit, include_internal=include_internal
    )
    articles = {a.id: a for a in articles_by_id(session, actor, [h.article_id for h in hits])}
    return [
        Found(articles[h.article_id], h.lang, h.score) for h in hits if h.article_id in articles
    ]


def related(session: Session, article: Article, lang: str, limit: int = 5) -> list[Article]:
    hits = search.related_articles(session, article.id, lang, limit=limit)
    return articles_by_id(session, None, [h.article_id for h in hits])


# --- console lists ----------------------------------------------------------------------


@dataclass
class ArticleFilter:
    status: ArticleStatus | None = None
    category: str | None = None
    text: str | None = None


def _filtered(actor: Actor | None, f: ArticleFilter) -> Select[Any]:
    query = select(Article).where(Article.status.in_(visible_statuses(actor)))
    if f.status is not None:
        query = query.where(Article.status == f.status)
    if f.category:
        query = query.where(
            Article.section_id.in_(
                select(Section.id).join(Category).where(Category.slug == f.category)
            )
        )
    if f.text:
        text = clean(f.text).strip()[:200]
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Article.slug.ilike(pattern, escape="\\"),
                Article.id.in_(
                    select(ArticleTranslation.article_id).where(
                        ArticleTranslation.title.ilike(pattern, escape="\\")
                    )
                ),
            )
        )
    return query


def list_articles(
    session: Session, actor: Actor | None, f: ArticleFilter, *, page: int = 1, per_page: int = 50
) -> tuple[list[Article], int]:
    """One page of visible articles, most recently updated first, and the total count."""
    if page < 1 or per_page < 1:
        raise InvalidInput("page and per_page start at 1")
    query = _filtered(actor, f)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).unique()
    return list(rows), int(total or 0)


def count_articles(session: Session) -> int:
    return int(session.scalar(select(func.count(Article.id))) or 0)


# --- versions and diffs -----------------------------------------------------------------


def list_versions(
    session: Session, article: Article, lang: str | None = None
) -> list[ArticleVersion]:
    """Newest first; every language unless ``lang`` is given."""
    query = select(ArticleVersion).where(ArticleVersion.article_id == article.id)
    if lang:
        query = query.where(ArticleVersion.lang == lang)
    return list(session.scalars(query.order_by(ArticleVersion.lang, ArticleVersion.number.desc())))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "same" or "hunk"
    text: str


@dataclass(frozen=True)
class VersionDiff:
    old: ArticleVersion
    new: ArticleVersion
    title: list[DiffLine]
    body: list[DiffLine]

    @property
    def unchanged(self) -> bool:
        return not self.title and not self.body


def diff_lines(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """A line-based unified diff; empty when the texts are equal."""
    raw = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context))
    lines: list[DiffLine] = []
    for line in raw[2:]:  # the first two are the ---/+++ file headers
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("del", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines


def version_diff(session: Session, article: Article, old_id: int, new_id: int) -> VersionDiff:
    """What changed from one version to another of the same translation."""
    old = access_version(session, article, old_id)
    new = access_version(session, article, new_id)
    if old.lang != new.lang:
        raise InvalidInput("Compare two versions of the same language", field="b")
    return VersionDiff(
        old, new, diff_lines(old.title, new.title, context=0), diff_lines(old.body, new.body)
    )


# --- feedback and analytics -------------------------------------------------------------


def article_feedback(session: Session, article: Article, limit: int = 200) -> list[Feedback]:
    return list(
        session.scalars(
            select(Feedback)
            .where(Feedback.article_id == article.id)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Helpfulness:
    article_id: int
    slug: str
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def ratio(self) -> float:
        return self.helpful / self.total if self.total else 0.0


def helpfulness(
    session: Session, since: datetime, article_id: int | None = None, limit: int = 50
) -> list[Helpfulness]:
    """Yes/no counts per article, least helpful (with most answers) first."""
    yes = func.count().filter(Feedback.helpful.is_(True))
    no = func.count().filter(Feedback.helpful.is_(False))
    query = (
        select(Feedback.article_id, Article.slug, yes, no)
        .join(Article, Article.id == Feedback.article_id)
        .where(Feedback.created_at >= since)
        .group_by(Feedback.article_id, Article.slug)
    )
    if article_id is not None:
        query = query.where(Feedback.article_id == article_id)
    rows = [Helpfulness(int(r[0]), r[1], int(r[2]), int(r[3])) for r in session.execute(query)]
    rows.sort(key=lambda h: (h.ratio, -h.total, h.slug))
    return rows[:limit]


@dataclass(frozen=True)
class QueryStats:
    query: str
    searches: int
    zero_results: int
    clicks: int

    @property
    def click_through(self) -> float:
        return min(1.0, self.clicks / self.searches) if self.searches else 0.0


def _query_stats(
    session: Session, since: datetime, zero_only: bool, limit: int
) -> list[QueryStats]:
    key = func.lower(SearchLog.query)
    clicks = (
        select(SearchClick.search_log_id, func.count().label("n"))
        .group_by(SearchClick.search_log_id)
        .subquery()
    )
    query = (
        select(
            key,
            func.count(SearchLog.id),
            func.count().filter(SearchLog.result_count == 0),
            func.coalesce(func.sum(clicks.c.n), 0),
        )
        .outerjoin(clicks, clicks.c.search_log_id == SearchLog.id)
        .where(SearchLog.created_at >= since)
        .group_by(key)
        .order_by(func.count(SearchLog.id).desc(), key)
        .limit(limit)
    )
    if zero_only:
        query = query.where(SearchLog.result_count == 0)
    return [QueryStats(r[0], int(r[1]), int(r[2]), int(r[3])) for r in session.execute(query)]


def top_queries(session: Session, since: datetime, limit: int = 20) -> list[QueryStats]:
    """The most searched queries (case-insensitive), with zero-result and click counts."""
    return _query_stats(session, since, zero_only=False, limit=limit)


def zero_result_queries(session: Session, since: datetime, limit: int = 20) -> list[QueryStats]:
    """What readers looked for and did not find: the articles we are missing."""
    return _query_stats(session, since, zero_only=True, limit=limit)


@dataclass(frozen=True)
class SearchTotals:
    searches: int
    zero_results: int
    with_click: int

    @property
    def click_through(self) -> float:
        return self.with_click / self.searches if self.searches else 0.0


def search_totals(session: Session, since: datetime) -> SearchTotals:
    clicked = select(SearchClick.search_log_id).distinct().scalar_subquery()
    row = session.execute(
        select(
            func.count(),
            func.count().filter(SearchLog.result_count == 0),
            func.count().filter(SearchLog.id.in_(clicked)),
        ).where(SearchLog.created_at >= since)
    ).one()
    return SearchTotals(int(row[0]), int(row[1]), int(row[2]))


def deflection_counts(session: Session, since: datetime) -> dict[str, int]:
    """Attempts per outcome (open, deflected, ticket_created) started since ``since``."""
    counts = {o.value: 0 for o in DeflectionOutcome}
    for outcome, n in session.execute(
        select(DeflectionAttempt.outcome, func.count())
        .where(DeflectionAttempt.created_at >= since)
        .group_by(DeflectionAttempt.outcome)
    ):
        counts[DeflectionOutcome(outcome).value] = int(n)
    return counts
