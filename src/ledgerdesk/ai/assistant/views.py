"""The assistant's pages: the console ticket page's assistant panel (loaded after the page),
the ``/console/assistant`` report for leads and admins, and the help center's
``/help/ask``. Forms post as the rest of the site (cross-origin posts are refused by
``CrossOriginProtection``); a failing assistant is said politely, never a 500."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer, Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.assistant import assist, metrics
from ledgerdesk.ai.assistant.ask import (
    MAX_QUESTION,
    do_answer_question,
    do_record_help_feedback,
)
from ledgerdesk.ai.assistant.summary import article_titles
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.tickets import services as tickets
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import ConsoleAgent, Db, OptionalActor
from ledgerdesk.web.errors import with_retry_after
from ledgerdesk.web.templating import flash, render

router = APIRouter(include_in_schema=False)
ASKED = "assistant_asked"  # the help-center answers this browser was given (signed session)
KEEP_ASKED = 20
DEFAULT_DAYS = 30
MAX_DAYS = 3660


# --- the console ticket page's panel ---------------------------------------------------------


@router.get("/console/tickets/{ticket_id}/assistant")
def assistant_panel(
    request: Request, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    """The suggested reply and, for a long ticket, the summary (an htmx fragment)."""
    ticket = tickets.access_ticket(db, agent_actor, ticket_id)
    context: dict[str, Any] = {"ticket": ticket, "suggestion": None, "problem": None}
    if not request.app.state.settings.assistant_enabled:
        context["problem"] = gettext("The assistant is switched off on this desk")
    else:
        try:
            context["suggestion"] = assist.suggest(db, agent_actor, ticket)
        except assist.AssistantUnavailable:
            db.rollback()  # a database error inside the engine leaves the transaction unusable
            context["problem"] = gettext(
                "The assistant could not suggest a reply just now. Write your reply as usual."
            )
    context["summary"] = assist.summarize(db, ticket, get_locale())
    return render(request, "assistant/_panel.html", **context)


# --- the report -------------------------------------------------------------------------------


async def _console_lead(actor: ConsoleAgent) -> Actor:
    accounts.require_role(actor, Role.lead, Role.admin)
    return actor


ConsoleLead = Annotated[Actor, Depends(_console_lead)]
DateText = Annotated[str, Query(max_length=10)]


def _day(value: str, default: date, field: str) -> date:
    if not value.strip():
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"'{value[:10]}' is not a date; use the form YYYY-MM-DD", field=field
        ) from None


def date_range(start: str, end: str) -> tuple[date, date]:
    """The report's days (both inclusive); the last 30 days by default."""
    today = utcnow().date()
    last = _day(end, today, "end")
    first = _day(start, last - timedelta(days=DEFAULT_DAYS - 1), "start")
    if first > last:
        raise InvalidInput("The start date is after the end date", field="start")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Choose at most {MAX_DAYS} days", field="start")
    return first, last


@router.get("/console/assistant")
def assistant_report(
    request: Request, db: Db, agent_actor: ConsoleLead, start: DateText = "", end: DateText = ""
) -> Response:
    shell: dict[str, Any] = {
        "me": accounts.get_agent(db, agent_actor.id or 0),
        "start": start,
        "end": end,
    }
    try:
        first, last = date_range(start, end)
    except DomainError as exc:
        return render(
            request,
            "assistant/report.html",
            status_code=exc.status_code,
            error=exc.message,
            **shell,
        )
    numbers = metrics.compute(db, first, last)
    slugs = [a.slug for a in numbers.articles]
    shell.update(start=first.isoformat(), end=last.isoformat())
    return render(
        request,
        "assistant/report.html",
        **shell,
        m=numbers,
        titles=dict(zip(slugs, article_titles(db, slugs, get_locale()), strict=True)),
    )


# --- the help center: ask a question ----------------------------------------------------------


def _customer(db: Db, actor: Actor | None) -> Customer | None:
    if actor is not None and actor.is_customer:
        return accounts.get_customer(db, actor.id or 0)
    return None


@router.get("/help/ask")
def ask_page(
    request: Request, actor: OptionalActor, answered: Annotated[str, Query(max_length=8)] = ""
) -> Response:
    """The question form; after a "no" (``answered=no``) it also offers a person."""
    return render(
        request,
        "assistant/ask.html",
        actor=actor,
        max_chars=MAX_QUESTION,
        text="",
        offer_person=answered == "no",
    )


def _remember(request: Request, reply_id: int) -> None:
    kept = [i for i in request.session.get(ASKED, []) if isinstance(i, int)]
    request.session[ASKED] = [*kept[-(KEEP_ASKED - 1) :], reply_id]


@router.post("/help/ask")
def ask(
    request: Request,
    db: Db,
    actor: OptionalActor,
    text: Annotated[str, Form(max_length=MAX_QUESTION * 10)] = "",  # checked by the service
) -> Response:
    """Answer one question; the page shows the answer, its sources and the yes/no buttons, or
    how to reach a person. Refusals keep what was typed."""
    page: dict[str, Any] = {"actor": actor, "max_chars": MAX_QUESTION}
    settings = request.app.state.settings
    try:
        if not settings.assistant_enabled:
            raise assist.AssistantUnavailable("The assistant is switched off on this desk")
        request.app.state.limiter.hit(
            settings.self_service_rate_limit, "help-ask", client_address(request)
        )
        answered = do_answer_question(db, text, _customer(db, actor), get_locale(), settings)
        db.commit()
    except DomainError as exc:
        db.rollback()
        unavailable = isinstance(exc, assist.AssistantUnavailable)
        response = render(
            request,
            "assistant/ask.html",
            # Without the assistant the page still answers: it offers a person instead.
            status_code=200 if unavailable else exc.status_code,
            error=exc.message,
            text=text[: MAX_QUESTION * 2],
            unavailable=unavailable,
            **page,
        )
        return with_retry_after(response, exc)
    _remember(request, answered.row.id)
    return render(request, "assistant/ask.html", answered=answered, text="", **page)


@router.post("/help/ask/{reply_id}/feedback")
def ask_feedback(
    request: Request,
    reply_id: PathId,
    db: Db,
    actor: OptionalActor,
    helpful: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    asked = [i for i in request.session.get(ASKED, []) if isinstance(i, int)]
    try:
        do_record_help_feedback(db, reply_id, helpful, asked)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return render(
            request,
            "assistant/ask.html",
            status_code=exc.status_code,
            error=exc.message,
            actor=actor,
            max_chars=MAX_QUESTION,
            text="",
        )
    if helpful == "yes":
        flash(request, "ok", gettext("Thank you! We are glad it helped."))
        return RedirectResponse("/help/ask?answered=yes", status_code=303)
    flash(request, "ok", gettext("Thank you for telling us. A person can help you further."))
    return RedirectResponse("/help/ask?answered=no", status_code=303)
