"""``ledgerdesk kb reindex`` and ``ledgerdesk kb search``: added to the ``kb`` command group."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ledgerdesk.core.db import make_engine, make_sessionmaker, transaction
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.terminal import fail as _fail
from ledgerdesk.search.services import ArticleHit, normalise_lang

console = Console(stderr=True)


def reindex() -> None:
    """Re-analyse and re-embed every article, and recompute every ticket's search terms."""
    from ledgerdesk.jobs.outbox import run_pending
    from ledgerdesk.search.services import reindex_articles
    from ledgerdesk.tickets.tasks import backfill_all

    factory = make_sessionmaker(make_engine(get_settings().resolved_database_url))
    try:
        with Progress(console=console) as progress:
            articles = progress.add_task("articles", total=None)
            with transaction(factory) as session:
                count = reindex_articles(
                    session,
                    lambda done, total: progress.update(articles, completed=done, total=total),
                )
            tickets = progress.add_task("tickets", total=None)
            with transaction(factory) as session:
                ticket_count = backfill_all(
                    session,
                    lambda done, total: progress.update(tickets, completed=done, total=total),
                )
        run_pending(factory)
    except SQLAlchemyError as exc:
        raise _fail(
            f"database error ({exc.__class__.__name__}); did you run 'ledgerdesk migrate'?", 1
        ) from None
    console.print(f"Reindexed {count} articles and {ticket_count} tickets.")


def search(
    query: Annotated[str, typer.Argument(help="What a customer would type")],
    lang: Annotated[str | None, typer.Option(help="Match only translations in zh or en")] = None,
    limit: Annotated[int, typer.Option(help="Number of hits (1-50)")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
    internal: Annotated[bool, typer.Option(help="Include agent-only articles")] = False,
) -> None:
    """Search the knowledge base as the help center does (published articles)."""
    from ledgerdesk.search.services import search_articles

    factory = make_sessionmaker(make_engine(get_settings().resolved_database_url))
    try:
        with factory() as session:
            hits = search_articles(
                session, query, lang=lang, limit=limit, include_internal=internal
            )
            titles = _titles(session, hits, normalise_lang(lang))
    except DomainError as exc:
        raise _fail(exc.message, 2) from None
    except SQLAlchemyError as exc:
        raise _fail(
            f"database error ({exc.__class__.__name__}); did you run 'ledgerdesk migrate'?", 1
        ) from None
    for hit, (slug, title) in zip(hits, titles, strict=True):
        if as_json:
            typer.echo(
                json.dumps(
                    {"id": slug, "title": title, "score": round(hit.score, 6)}, ensure_ascii=False
                )
            )
        else:
            typer.echo(f"{hit.score:8.4f}  {slug:<40}  {title}")
    if not hits and not as_json:
        console.print("No article matches.")


def _titles(
    session: Session, hits: Sequence[ArticleHit], lang: str | None
) -> list[tuple[str, str]]:
    """(slug, title) per hit; the title in ``lang`` when there is one, else the matched one."""
    from ledgerdesk.kb.models import Article, ArticleTranslation

    ids = [hit.article_id for hit in hits]
    rows = session.execute(
        select(Article.id, Article.slug, ArticleTranslation.lang, ArticleTranslation.title)
        .join(ArticleTranslation, ArticleTranslation.article_id == Article.id)
        .where(Article.id.in_(ids))
    ).all()
    slugs = {row.id: row.slug for row in rows}
    titles = {(row.id, row.lang): row.title for row in rows}
    return [
        (
            slugs.get(hit.article_id, str(hit.article_id)),
            titles.get((hit.article_id, lang or hit.lang))
            or titles.get((hit.article_id, hit.lang), ""),
        )
        for hit in hits
    ]


def register(kb_app: typer.Typer) -> None:
    kb_app.command("reindex")(reindex)
    kb_app.command("search")(search)
