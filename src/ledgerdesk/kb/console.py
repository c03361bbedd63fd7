"""The knowledge base in the agent console (/console/kb): article list, editor per language
with preview, properties and status, version history with diffs and restore, feedback, and
search analytics for leads. Forms post, then redirect (PRG); a refused change re-renders the
editor with what the agent typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.types import MAX_ID, PageNumber, PathId
from ledgerdesk.kb import queries
from ledgerdesk.kb import services as svc
from ledgerdesk.kb.models import KB_LANGS, Article, ArticleStatus
from ledgerdesk.kb.render import check_placeholders, render_html, variables
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/kb", include_in_schema=False)
PER_PAGE = 50


def _shell(db: Any, actor: Actor) -> dict[str, Any]:
    return {
        "me": accounts.get_agent(db, actor.id or 0),
        "can_publish": svc.can_edit_status(actor),
        "statuses": list(ArticleStatus),
        "langs": KB_LANGS,
    }


def _status(value: str) -> ArticleStatus | None:
    if not value:
        return None
    try:
        return ArticleStatus(value)
    except ValueError:
        raise InvalidInput(f"'{value[:40]}' is not a valid status", field="status") from None


def _split_tags(value: str) -> list[str]:
    return [t for t in value.replace(",", " ").split() if t]


@router.get("")
def article_list(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    status: str = "",
    category: str = "",
    text: str = "",
    page: PageNumber = 1,
) -> Response:
    page = max(1, min(page, 10_000))
    flt = queries.ArticleFilter(
        status=_status(status[:16]), category=category[:64] or None, text=text[:200] or None
    )
    items, total = queries.list_articles(db, agent_actor, flt, page=page, per_page=PER_PAGE)
    return render(
        request,
        "kb/list.html",
        **_shell(db, agent_actor),
        articles=items,
        total=total,
        page=page,
        per_page=PER_PAGE,
        categories=queries.list_categories(db),
        filters={"status": status, "category": category, "text": text},
    )


def _new_page(
    request: Request,
    db: Any,
    actor: Actor,
    status_code: int = 200,
    error: str | None = None,
    **form: Any,
) -> Response:
    return render(
        request,
        "kb/new.html",
        status_code=status_code,
        **_shell(db, actor),
        sections=queries.list_sections(db),
        intents=INTENTS,
        form=form,
        error=error,
    )


@router.get("/new")
def new_article_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    # A new article starts in the language the agent is using the console in.
    lang = get_locale() if get_locale() in KB_LANGS else "en"
    return _new_page(request, db, agent_actor, lang=lang, chosen=[])


@router.post("/new")
def create_article(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    slug: Annotated[str, Form()] = "",
    lang: Annotated[str, Form(max_length=16)] = "en",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    section_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    intents: Annotated[list[str] | None, Form()] = None,
    tags: Annotated[str, Form()] = "",
) -> Response:
    try:
        article = svc.do_create_article(
            db,
            agent_actor,
            svc.NewArticle(
                slug=slug,
                section_id=section_id,
                lang=lang,
                title=title,
                body=body,
                intents=intents or [],
                tags=_split_tags(tags),
            ),
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _new_page(
            request,
            db,
            agent_actor,
            exc.status_code,
            error=exc.message,
            slug=slug,
            lang=lang,
            title=title,
            body=body,
            section_id=section_id,
            chosen=intents or [],
            tags=tags,
        )
    flash(request, "ok", gettext("Draft created"))
    return RedirectResponse(f"/console/kb/articles/{article.id}?lang={lang}", status_code=303)


def _editor(
    request: Request,
    db: Any,
    actor: Actor,
    article_id: int,
    lang: str,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    article = svc.access_article_id(db, actor, article_id)
    lang = svc.check_lang(lang) if lang else queries.pick_translation(article, "en").lang
    current = svc.translation_of(article, lang)
    return render(
        request,
        "kb/editor.html",
        status_code=status_code,
        **_shell(db, actor),
        article=article,
        lang=lang,
        translation=current,
        draft_title=extra.pop("draft_title", current.title if current else ""),
        draft_body=extra.pop("draft_body", current.body if current else ""),
        sections=queries.list_sections(db),
        intents=INTENTS,
        helpful=queries.helpfulness(db, article.created_at, article_id=article.id),
        **extra,
    )


@router.get("/articles/{article_id}")
def editor_page(
    request: Request, article_id: PathId, db: Db, agent_actor: ConsoleAgent, lang: str = ""
) -> Response:
    return _editor(request, db, agent_actor, article_id, lang[:16])


def _act(
    request: Request,
    db: Any,
    actor: Actor,
    article_id: int,
    lang: str,
    change: Callable[[Article], str],
    **keep: Any,
) -> Response:
    """Apply one change and redirect back to the editor; a refused change re-renders it with
    the reason and whatever the agent typed (``keep``)."""
    try:
        article = svc.access_article_id(db, actor, article_id)
        done = change(article)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _editor(
            request, db, actor, article_id, lang, exc.status_code, error=exc.message, **keep
        )
    flash(request, "ok", done)
    return RedirectResponse(f"/console/kb/articles/{article_id}?lang={lang}", status_code=303)


@router.post("/articles/{article_id}/translations/{lang}")
def save_translation(
    request: Request,
    article_id: PathId,
    lang: str,
    db: Db,
    agent_actor: ConsoleAgent,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    lang = svc.check_lang(lang[:16])

    def change(article: Article) -> str:
        version = svc.do_save_translation(db, agent_actor, article, lang, title, body, note)
        if version is None:
            return gettext("No changes to save")
        return gettext("Saved as version %(number)s") % {"number": version.number}

    return _act(
        request, db, agent_actor, article_id, lang, change, draft_title=title, draft_body=body
    )


@router.post("/articles/{article_id}/properties")
def save_properties(
    request: Request,
    article_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    lang: Annotated[str, Form(max_length=16)] = "en",
    section_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    intents: Annotated[list[str] | None, Form()] = None,
    tags: Annotated[str, Form()] = "",
) -> Response:
    def change(article: Article) -> str:
        changes = svc.ArticleChanges(
            section_id=section_id or None, intents=intents or [], tags=_split_tags(tags)
        )
        changed = svc.do_update_article(db, agent_actor, article, changes)
        return gettext("Article updated") if changed else gettext("No changes to save")

    return _act(request, db, agent_actor, article_id, svc.check_lang(lang), change)


@router.post("/articles/{article_id}/status")
def set_status(
    request: Request,
    article_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    status: Annotated[str, Form(max_length=16)] = "",
    lang: Annotated[str, Form(max_length=16)] = "en",
) -> Response:
    def change(article: Article) -> str:
        wanted = _status(status)
        if wanted is None:
            raise InvalidInput("Choose a status", field="status")
        svc.do_set_status(db, agent_actor, article, wanted)
        return gettext("Status changed")

    return _act(request, db, agent_actor, article_id, svc.check_lang(lang), change)


@router.post("/preview")
def preview(
    request: Request,
    agent_actor: ConsoleAgent,
    body: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    """The body as readers will see it (an htmx fragment), with unknown placeholders named."""
    values = variables(request.app.state.settings)
    return render(
        request,
        "kb/_preview.html",
        html=Markup(render_html(body, values)),  # noqa: S704 - rendered with html disabled
        unknown=check_placeholders(body, values),
    )


def _versions(
    request: Request,
    db: Any,
    actor: Actor,
    article_id: int,
    lang: str,
    a: int = 0,
    b: int = 0,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    article = svc.access_article_id(db, actor, article_id)
    lang = svc.check_lang(lang) if lang else queries.pick_translation(article, "en").lang
    versions = queries.list_versions(db, article, lang)
    if not a and not b and len(versions) > 1:
        a, b = versions[1].id, versions[0].id
    return render(
        request,
        "kb/versions.html",
        status_code=status_code,
        **_shell(db, actor),
        article=article,
        lang=lang,
        versions=versions,
        diff=queries.version_diff(db, article, a, b) if a and b else None,
        authors={agent.id: agent.name for agent in accounts.list_agents(db)},
        **extra,
    )


@router.get("/articles/{article_id}/versions")
def versions_page(
    request: Request,
    article_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    lang: str = "",
    a: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    b: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    return _versions(request, db, agent_actor, article_id, lang[:16], a, b)


@router.post("/articles/{article_id}/versions/{version_id}/restore")
def restore_version(
    request: Request,
    article_id: PathId,
    version_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    lang: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        article = svc.access_article_id(db, agent_actor, article_id)
        restored = svc.do_restore_version(db, agent_actor, article, version_id)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _versions(
            request,
            db,
            agent_actor,
            article_id,
            lang,
            status_code=exc.status_code,
            error=exc.message,
        )
    flash(request, "ok", gettext("Restored as version %(number)s") % {"number": restored.number})
    return RedirectResponse(
        f"/console/kb/articles/{article_id}?lang={restored.lang}", status_code=303
    )


@router.get("/articles/{article_id}/feedback")
def feedback_page(
    request: Request, article_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    article = svc.access_article_id(db, agent_actor, article_id)
    return render(
        request,
        "kb/feedback.html",
        **_shell(db, agent_actor),
        article=article,
        items=queries.article_feedback(db, article),
        helpful=queries.helpfulness(db, article.created_at, article_id=article.id),
    )


@router.get("/analytics")
def analytics_page(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    days: Annotated[int, Query(ge=1, le=3650)] = 30,
) -> Response:
    """Search and help-center health for leads and admins."""
    svc.require_editor(agent_actor)
    days = max(1, min(days, 365))
    since = utcnow() - timedelta(days=days)
    return render(
        request,
        "kb/analytics.html",
        **_shell(db, agent_actor),
        days=days,
        totals=queries.search_totals(db, since),
        top=queries.top_queries(db, since),
        missing=queries.zero_result_queries(db, since),
        helpful=queries.helpfulness(db, since, limit=30),
        deflections=queries.deflection_counts(db, since),
    )
