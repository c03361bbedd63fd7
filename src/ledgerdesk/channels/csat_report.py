"""Satisfaction figures for reports and the console: ``csat_summary`` over a period, the open
low-score reviews, and what a ticket page shows about its survey.

Definitions (docs/csat.md): a survey belongs to the period it was *asked* in
(``requested_at`` in ``[start, end)``); ``answered`` counts those with a score; the response
rate is answered / asked; the average is over the scores; CSAT % is the share of answers
scoring 4 or 5. A figure with nothing to divide by is ``None``, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from ledgerdesk.channels.csat import SCORE_LABELS, SCORES, is_open, survey_of
from ledgerdesk.channels.models import CsatSurvey
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets.models import Ticket

SATISFIED = (4, 5)


def _in_period(start: datetime, end: datetime, team_id: int | None) -> list[Any]:
    """The conditions for surveys asked in ``[start, end)``, of ``team_id``'s tickets."""
    conditions: list[Any] = [CsatSurvey.requested_at >= start, CsatSurvey.requested_at < end]
    if team_id is not None:
        team_tickets = select(Ticket.id).where(Ticket.team_id == team_id)
        conditions.append(CsatSurvey.ticket_id.in_(team_tickets))
    return conditions


def csat_summary(
    session: Session, start: datetime, end: datetime, team_id: int | None = None
) -> dict[str, Any]:
    """The period's figures: ``asked``, ``answered``, ``response_rate`` (0–1), ``average``,
    ``distribution`` {1..5: count}, ``csat_percent`` (0–100, share of 4–5), ``low`` (answers
    at or below the review threshold) and ``open_reviews``."""
    period = _in_period(start, end, team_id)
    counts = session.execute(
        select(CsatSurvey.score, func.count(CsatSurvey.id))
        .where(*period)
        .group_by(CsatSurvey.score)
    ).all()
    distribution = {score: 0 for score in SCORES}
    asked = 0
    for score, count in counts:
        asked += count
        if score in distribution:
            distribution[score] = count
    answered = sum(distribution.values())
    total = sum(score * n for score, n in distribution.items())
    satisfied = sum(distribution[s] for s in SATISFIED)
    low = sum(n for s, n in distribution.items() if s <= get_settings().csat_low_score)
    reviews = select(func.count(CsatSurvey.id)).where(CsatSurvey.review_state == "open", *period)
    return {
        "asked": asked,
        "answered": answered,
        "response_rate": round(answered / asked, 4) if asked else None,
        "average": round(total / answered, 2) if answered else None,
        "distribution": distribution,
        "csat_percent": round(100 * satisfied / answered, 1) if answered else None,
        "low": low,
        "open_reviews": session.scalar(reviews) or 0,
    }


@dataclass(frozen=True)
class ReviewRow:
    survey: CsatSurvey
    ticket: Ticket
    raised: bool  # the customer changed the score above the threshold after the review opened


def reviews(
    session: Session, state: str = "open", team_id: int | None = None, limit: int = 100
) -> list[ReviewRow]:
    """Low-score reviews in ``state`` (open or done), newest answer first."""
    query = (
        select(CsatSurvey, Ticket)
        .join(Ticket, Ticket.id == CsatSurvey.ticket_id)
        .where(CsatSurvey.review_state == state)
        .order_by(CsatSurvey.answered_at.desc(), CsatSurvey.id.desc())
        .limit(limit)
    )
    if team_id is not None:
        query = query.where(Ticket.team_id == team_id)
    low = get_settings().csat_low_score
    return [
        ReviewRow(survey, ticket, raised=(survey.score or 0) > low)
        for survey, ticket in session.execute(query).all()
    ]


@dataclass(frozen=True)
class SurveyView:
    """What a ticket page shows: the survey, and whether its form still takes an answer."""

    survey: CsatSurvey
    open: bool
    labels: dict[int, str] = field(default_factory=lambda: dict(SCORE_LABELS))


def survey_view(ticket: Ticket) -> SurveyView | None:
    """The ticket's survey for a template (``csat_of(ticket)``), or None when never asked."""
    session = object_session(ticket)
    if session is None:
        return None
    survey = survey_of(session, ticket.id)
    if survey is None:
        return None
    return SurveyView(survey=survey, open=is_open(survey))
