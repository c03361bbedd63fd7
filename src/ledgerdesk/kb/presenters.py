"""Shape knowledge-base rows for pages: names and titles in the reader's language, values
filled in, so templates only lay things out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledgerdesk.kb import queries
from ledgerdesk.kb.models import Article, Category
from ledgerdesk.kb.queries import ArticleCard, card, localized


@dataclass(frozen=True)
class SectionView:
    slug: str
    name: str
    articles: list[ArticleCard]


@dataclass(frozen=True)
class CategoryView:
    slug: str
    name: str
    description: str
    sections: list[SectionView]

    @property
    def article_count(self) -> int:
        return sum(len(s.articles) for s in self.sections)


def category_views(
    session: Session,
    categories: list[Category],
    lang: str,
    values: dict[str, str],
    *,
    keep_empty: bool = False,
) -> list[CategoryView]:
    """Categories with their sections and published articles; sections (and categories)
    without articles are left out unless ``keep_empty``."""
    grouped = queries.section_articles(
        session, None, [s.id for c in categories for s in c.sections]
    )
    views = []
    for category in categories:
        sections = [
            SectionView(
                s.slug, localized(s.name, lang), [card(a, lang, values) for a in grouped[s.id]]
            )
            for s in category.sections
        ]
        views.append(
            CategoryView(
                category.slug,
                localized(category.name, lang),
                localized(category.description, lang),
                [s for s in sections if s.articles],
            )
        )
    return [v for v in views if v.sections or keep_empty]


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str


def breadcrumbs(article: Article, lang: str, home: str) -> list[Crumb]:
    section = article.section
    category = section.category
    return [
        Crumb(home, "/help"),
        Crumb(localized(category.name, lang), f"/help/categories/{category.slug}"),
        Crumb(localized(section.name, lang), f"/help/categories/{category.slug}#{section.slug}"),
    ]


def cards(articles: list[Article], lang: str, values: dict[str, str]) -> list[ArticleCard]:
    return [card(a, lang, values) for a in articles]
