"""Articles suggested while a customer writes a ticket, and beside a ticket in the console."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.kb.models import ArticleStatus
from ledgerdesk.kb.queries import find_articles, pick_translation
from ledgerdesk.kb.render import excerpt, substitute, variables
from ledgerdesk.search.services import MAX_QUERY_CHARS


@dataclass(frozen=True)
class Suggestion:
    article_id: int
    slug: str
    title: str
    excerpt: str
    lang: str
    public: bool  # published: a customer can open the link (internal ones are for agents)


def question_text(subject: str, body: str) -> str:
    """One search query from a ticket's subject and opening words, within the query limit."""
    words = " ".join(f"{subject} {body}".split())
    if len(words) <= MAX_QUERY_CHARS:
        return words
    cut = words[:MAX_QUERY_CHARS]
    return cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut


def suggest(
    session: Session,
    actor: Actor | None,
    subject: str,
    body: str,
    *,
    lang: str,
    limit: int = 3,
    include_internal: bool = False,
) -> list[Suggestion]:
    """The best articles for this question, titled in ``lang`` where a translation exists."""
    query = question_text(subject, body)
    if len(query) < 3:
        return []
    values = variables()
    out: list[Suggestion] = []
    for found in find_articles(
        session, actor, query, lang=None, limit=limit, include_internal=include_internal
    ):
        t = pick_translation(found.article, lang)
        out.append(
            Suggestion(
                found.article.id,
                found.article.slug,
                substitute(t.title, values),
                excerpt(t.body, values, 160),
                t.lang,
                found.article.status == ArticleStatus.published,
            )
        )
    return out
