"""Satisfaction survey pages.

- ``/csat/<token>``: the page an e-mail link opens, without signing in. GET only shows the
  form with the clicked score preselected (mail scanners open links; opening records
  nothing); the POST records. The signed token in the URL is the credential, and the
  site-wide cross-origin check (``web.middleware.CrossOriginProtection``) refuses a POST from
  another site, so the form needs no session or CSRF cookie.
- ``/portal/tickets/<id>/csat``: the same answer from the signed-in customer's ticket page.
- ``/console/csat``: leads and admins see the figures and close low-score reviews.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.channels import csat
from ledgerdesk.channels.csat_report import csat_summary, reviews
from ledgerdesk.channels.models import CsatSurvey
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, InvalidInput, NotFound
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PathId, parse_id
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Ticket
from ledgerdesk.web.deps import ConsoleAgent, Db, PortalCustomer
from ledgerdesk.web.errors import error_response
from ledgerdesk.web.templating import flash, render

router = APIRouter(include_in_schema=False)
PERIODS = (7, 30, 90, 365)

ScoreQuery = Annotated[str, Query(max_length=10)]
Score = Annotated[str, Form(max_length=10)]
Comment = Annotated[str, Form(max_length=50_000)]


def _survey(request: Request, db: Any, token: str) -> CsatSurvey:
    """The survey of a link, and the page in its customer's language unless the visitor
    chose one."""
    try:
        survey = csat.survey_from_token(db, token)
    except csat.SurveyClosed as exc:
        if exc.survey is not None:
            _speak_to(request, db, exc.survey)
        raise
    _speak_to(request, db, survey)
    return survey


def _speak_to(request: Request, db: Any, survey: CsatSurvey) -> None:
    if not request.session.get("lang") and survey.customer_id is not None:
        customer = accounts.find_customer(db, survey.customer_id)
        if customer is not None:
            i18n.set_locale(accounts.mail_locale(customer))


def _page(
    request: Request, db: Any, survey: CsatSurvey, status: int = 200, **extra: Any
) -> Response:
    name = "csat/survey.html" if csat.is_open(survey) else "csat/closed.html"
    return render(
        request,
        name,
        status_code=status if name == "csat/survey.html" else 410,
        survey=survey,
        ticket=db.get(Ticket, survey.ticket_id),
        labels=csat.SCORE_LABELS,
        until=csat.open_until(survey),
        **extra,
    )


def _refused(request: Request, exc: DomainError) -> Response:
    """The error page, rendered in this thread: in the customer's language set above (the
    app's error handlers run outside it)."""
    return error_response(request, exc.status_code, exc.code, exc.message)


@router.get("/csat/{csat_token}")
def survey_page(request: Request, csat_token: str, db: Db, score: ScoreQuery = "") -> Response:
    try:
        survey = _survey(request, db, csat_token)
        chosen = csat.check_score(score) if score else survey.score
    except DomainError as exc:
        return _refused(request, exc)
    return _page(request, db, survey, chosen=chosen, comment=survey.comment or "")


@router.post("/csat/{csat_token}")
def answer_survey(
    request: Request, csat_token: str, db: Db, score: Score = "", comment: Comment = ""
) -> Response:
    try:
        survey = _survey(request, db, csat_token)
    except DomainError as exc:
        return _refused(request, exc)
    if not csat.is_open(survey):
        return _page(request, db, survey)  # the "closed" page, with the answer kept
    try:
        csat.do_answer(db, survey, csat.Answer(csat.check_score(score), comment, "email"))
    except InvalidInput as exc:
        db.rollback()
        chosen = score if score in {"1", "2", "3", "4", "5"} else None
        return _page(request, db, survey, 422, chosen=chosen, comment=comment, error=exc.message)
    db.commit()
    return render(request, "csat/thanks.html", survey=survey)


@router.post("/portal/tickets/{ticket_id}/csat")
def answer_in_portal(
    request: Request,
    ticket_id: PathId,
    db: Db,
    actor: PortalCustomer,
    score: Score = "",
    comment: Comment = "",
) -> Response:
    ticket = tickets.access_ticket(db, actor, ticket_id)
    survey = csat.survey_of(db, ticket.id)
    if survey is None:
        raise NotFound("This request has no satisfaction survey")
    csat.do_answer(db, survey, csat.Answer(csat.check_score(score), comment, "portal"))
    db.commit()
    flash(request, "ok", gettext("Thank you for your feedback!"))
    return RedirectResponse(f"/portal/tickets/{ticket.id}#csat", status_code=303)


# --- the console ----------------------------------------------------------------------------


async def _console_lead(actor: ConsoleAgent) -> Actor:
    accounts.require_role(actor, Role.lead, Role.admin)
    return actor


ConsoleLead = Annotated[Actor, Depends(_console_lead)]


@router.get("/console/csat")
def console_page(
    request: Request,
    db: Db,
    actor: ConsoleLead,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
    team: Annotated[str, Query(alias="team_id", max_length=20)] = "",
) -> Response:
    team_id = parse_id(team) if team else None
    if team and team_id is None:
        raise InvalidInput("Choose a team from the list", field="team_id")
    end = utcnow() + timedelta(seconds=1)
    summary = csat_summary(db, end - timedelta(days=days), end, team_id)
    return render(
        request,
        "csat/console.html",
        me=accounts.get_agent(db, actor.id or 0),
        summary=summary,
        days=days,
        periods=PERIODS,
        team_id=team_id,
        teams=accounts.list_teams(db),
        open_reviews=reviews(db, "open", team_id),
        done_reviews=reviews(db, "done", team_id, limit=20),
        labels=csat.SCORE_LABELS,
    )


@router.post("/console/csat/{survey_id}/review")
def mark_reviewed(
    request: Request,
    survey_id: PathId,
    db: Db,
    actor: ConsoleLead,
    note: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    survey = csat.do_review(db, actor, survey_id, note)
    db.commit()
    flash(
        request,
        "ok",
        gettext("Review of request #%(id)s marked as done") % {"id": survey.ticket_id},
    )
    return RedirectResponse("/console/csat", status_code=303)
