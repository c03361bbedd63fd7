"""The public help center under /help: no sign-in, published articles only, in the reader's
language (with a note when an article falls back to the other one). Searches are logged when
they finish (the results page, or a click on an instant result), never per keystroke."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import DomainError, InvalidInput, NotFound
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import parse_id
from ledgerdesk.kb import presenters, queries
from ledgerdesk.kb import services as svc
from ledgerdesk.kb.feedback import do_log_search, do_record_feedback, do_record_search_click
from ledgerdesk.kb.models import Article, FeedbackReason, SearchSource
from ledgerdesk.kb.render import render_html, substitute, variables
from ledgerdesk.search.services import language_of
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/help", include_in_schema=False)
SUGGEST_LIMIT = 6
RESULTS_LIMIT = 20
RELATED_LIMIT = 5


def _values(request: Request) -> dict[str, str]:
    return variables(request.app.state.settings)


def _number(value: str, limit: int = 10**9) -> int | None:
    """A positive id from a link, or ``None``: stale or hand-made links never fail a page."""
    number = parse_id(value)
    return number if number is not None and number <= limit else None


@router.get("")
def help_home(request: Request, db: Db, actor: OptionalActor) -> Response:
    lang, values = i18n.get_locale(), _values(request)
    return render(
        request,
        "help/home.html",
        actor=actor,
        categories=presenters.category_views(db, queries.list_categories(db), lang, values),
        popular=presenters.cards(queries.popular_articles(db), lang, values),
    )


@router.get("/categories/{slug}")
def category_page(request: Request, slug: str, db: Db, actor: OptionalActor) -> Response:
    lang, values = i18n.get_locale(), _values(request)
    category = queries.get_category(db, slug[:64])
    if category is None:
        raise NotFound(gettext("This help category does not exist"))
    (view,) = presenters.category_views(db, [category], lang, values, keep_empty=True)
    return render(request, "help/category.html", actor=actor, category=view, title=view.name)


def _related(db: Any, article: Article, lang: str) -> list[Article]:
    """Nearest in meaning first, then neighbours from the same section."""
    found = [a for a in queries.related(db, article, lang, RELATED_LIMIT) if a.id != article.id]
    if len(found) < RELATED_LIMIT:
        same = queries.section_articles(db, None, [article.section_id])[article.section_id]
        found += [a for a in same if a.id != article.id and a not in found]
    return found[:RELATED_LIMIT]


@router.get("/articles/{slug}")
def article_page(
    request: Request, slug: str, db: Db, actor: OptionalActor, sq: str = "", pos: str = ""
) -> Response:
    article = svc.access_article(db, actor, slug[:80])
    search_id, position = _number(sq), _number(pos, 1000)
    if search_id and position and do_record_search_click(db, search_id, article.id, position):
        db.commit()
    return _article(request, db, actor, article)


def _article(
    request: Request, db: Any, actor: Actor | None, article: Article, **extra: Any
) -> Response:
    lang, values = i18n.get_locale(), _values(request)
    shown = queries.pick_translation(article, lang)
    return render(
        request,
        "help/article.html",
        status_code=extra.pop("status_code", 200),
        actor=actor,
        article=article,
        translation=shown,
        title=substitute(shown.title, values),
        html=Markup(render_html(shown.body, values)),  # noqa: S704 - rendered with html disabled
        fallback=shown.lang != lang,
        language_names=i18n.LOCALE_NAMES,
        crumbs=presenters.breadcrumbs(article, lang, gettext("Help center")),
        related=presenters.cards(_related(db, article, shown.lang), lang, values),
        reasons=list(FeedbackReason),
        **extra,
    )


@router.post("/articles/{slug}/feedback")
def feedback(
    request: Request,
    slug: str,
    db: Db,
    actor: OptionalActor,
    lang: Annotated[str, Form(max_length=16)] = "en",
    helpful: Annotated[str, Form(max_length=8)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    article = svc.access_article(db, actor, slug[:80])
    htmx = bool(request.headers.get("hx-request"))
    try:
        request.app.state.limiter.hit("30/minute", "kb-feedback", client_address(request))
        do_record_feedback(
            db,
            article,
            lang=lang,
            helpful=_helpful(helpful),
            reason=_reason(reason),
            comment=comment,
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        if htmx:
            return render(
                request,
                "help/_feedback.html",
                status_code=exc.status_code,
                article=article,
                translation=queries.pick_translation(article, lang),
                reasons=list(FeedbackReason),
                error=exc.message,
                comment=comment,
            )
        return _article(request, db, actor, article, status_code=exc.status_code, error=exc.message)
    if htmx:
        return render(request, "help/_feedback_thanks.html", article=article)
    flash(request, "ok", gettext("Thank you for your feedback!"))
    return RedirectResponse(f"/help/articles/{article.slug}#feedback", status_code=303)


def _helpful(value: str) -> bool:
    if value not in ("yes", "no"):
        raise InvalidInput(gettext("Choose whether the article helped"), field="helpful")
    return value == "yes"


def _reason(value: str) -> FeedbackReason | None:
    if not value:
        return None
    try:
        return FeedbackReason(value)
    except ValueError:
        raise InvalidInput(gettext("Choose one of the listed reasons"), field="reason") from None


# --- search -----------------------------------------------------------------------------


def _search(db: Any, query: str, limit: int) -> list[queries.Found]:
    """Every translation competes and each article's best one counts, so a Chinese question
    finds articles while the page is in English (titles are shown in the page's language)."""
    return queries.find_articles(db, None, query, lang=None, limit=limit)


@router.get("/search")
def search_page(request: Request, db: Db, actor: OptionalActor, q: str = "") -> Response:
    """The results page; every finished search is logged (source ``help``)."""
    lang, values = i18n.get_locale(), _values(request)
    try:
        query = svc.check_query(q)
    except DomainError as exc:
        return render(
            request,
            "help/search.html",
            status_code=exc.status_code,
            actor=actor,
            q=q[:500],
            results=[],
            popular=[],
            error=exc.message,
            search_id=None,
        )
    found = _search(db, query, RESULTS_LIMIT) if query else []
    log = do_log_search(
        db,
        query,
        lang=language_of(query),
        source=SearchSource.help,
        article_ids=[f.article.id for f in found],
    )
    db.commit()
    return render(
        request,
        "help/search.html",
        actor=actor,
        q=query,
        results=presenters.cards([f.article for f in found], lang, values),
        popular=[] if found else presenters.cards(queries.popular_articles(db), lang, values),
        search_id=log.id if log else None,
    )


@router.get("/search/suggest")
def suggest(request: Request, db: Db, q: str = "") -> Response:
    """Instant results while typing (an htmx fragment). Not logged: see ``search_go``."""
    lang, values = i18n.get_locale(), _values(request)
    try:
        query = svc.check_query(q)
    except DomainError as exc:
        return render(
            request,
            "help/_suggest.html",
            status_code=exc.status_code,
            q=q,
            results=[],
            error=exc.message,
        )
    found = _search(db, query, SUGGEST_LIMIT) if query else []
    return render(
        request,
        "help/_suggest.html",
        q=query,
        results=presenters.cards([f.article for f in found], lang, values),
    )


@router.get("/search/go")
def search_go(request: Request, db: Db, q: str = "", article: str = "") -> Response:
    """A click on an instant result: log the search and the click, then open the article."""
    article_id = _number(article)
    query = svc.check_query(q)
    found = _search(db, query, SUGGEST_LIMIT) if query else []
    ids = [f.article.id for f in found]
    log = do_log_search(
        db, query, lang=language_of(query), source=SearchSource.help, article_ids=ids
    )
    target = next((f.article for f in found if f.article.id == article_id), None)
    if target is None and article_id is not None:
        target = svc.access_article_id(db, None, article_id)
    if target is None:
        db.commit()
        return RedirectResponse("/help/search?" + urlencode({"q": query}), status_code=303)
    if log is not None and target.id in ids:
        do_record_search_click(db, log.id, target.id, ids.index(target.id) + 1)
    db.commit()
    return RedirectResponse(f"/help/articles/{target.slug}", status_code=303)
