"""The survey pages over HTTP: the e-mail link shows the form and records nothing until the
POST; bad scores, forged and expired links get a clear 4xx page (never a 500); the portal's
ticket page takes the rating; the console page is for leads and admins, and closes reviews."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.channels import csat
from ledgerdesk.channels.models import CsatSurvey
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status
from tests.conftest import make_agent, make_customer, make_team, make_ticket
from tests.tickets.test_api import portal_login
from tests.tickets.test_views import console_login


@pytest.fixture(autouse=True)
def _forget_jobs(app: Any) -> Iterator[None]:
    """The jobs these tests queue (survey requests, mails) are not left for other tests."""
    with app.state.sessionmaker() as session:
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
    yield
    with app.state.sessionmaker() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.id > mark))
        session.commit()


@dataclass
class Asked:
    ticket_id: int
    survey_id: int
    token: str
    customer_email: str
    lead_email: str
    agent_email: str


def asked(app: Any, locale: str = "en") -> Asked:
    """A solved ticket of a new team, with its survey asked."""
    with app.state.sessionmaker() as session:
        team = make_team(session)
        lead = make_agent(session, Role.lead, [team])
        agent = make_agent(session, Role.agent, [team])
        customer = make_customer(session, locale=locale)
        ticket = make_ticket(session, customer)
        ticket.team_id = team.id
        tickets.do_set_status(session, accounts.agent_actor(agent), ticket, Status.solved)
        csat.request_survey(session, {"ticket_id": ticket.id})
        survey = csat.survey_of(session, ticket.id)
        assert survey is not None
        session.commit()
        return Asked(
            ticket.id,
            survey.id,
            csat.survey_token(survey),
            customer.email,
            lead.email,
            agent.email,
        )


def stored(app: Any, survey_id: int) -> CsatSurvey:
    with app.state.sessionmaker() as session:
        survey = session.get(CsatSurvey, survey_id)
        assert survey is not None
        return survey


def test_the_link_shows_the_form_and_only_the_post_records(client: TestClient, app: Any) -> None:
    a = asked(app)
    page = client.get(f"/csat/{a.token}?score=4")
    assert page.status_code == 200
    assert 'id="csat-score-4" required checked' in page.text
    assert "Very satisfied" in page.text and f"#{a.ticket_id}" in page.text
    assert stored(app, a.survey_id).score is None  # a mail scanner opening it records nothing
    done = client.post(f"/csat/{a.token}", data={"score": "4", "comment": "quick, thanks"})
    assert done.status_code == 200 and "Thank you for your feedback!" in done.text
    survey = stored(app, a.survey_id)
    assert (survey.score, survey.comment, survey.answer_channel) == (4, "quick, thanks", "email")
    again = client.get(f"/csat/{a.token}")
    assert 'id="csat-score-4" required checked' in again.text and "quick, thanks" in again.text


def test_bad_scores_get_422_and_keep_what_was_typed(client: TestClient, app: Any) -> None:
    a = asked(app)
    for score in ("9", "0", "x", ""):
        response = client.post(f"/csat/{a.token}", data={"score": score, "comment": "my words"})
        assert response.status_code == 422, score
        assert "Choose a score from 1 to 5" in response.text and "my words" in response.text
    assert client.get(f"/csat/{a.token}?score=7").status_code == 422
    long = client.post(f"/csat/{a.token}", data={"score": "3", "comment": "a" * 2001})
    assert long.status_code == 422 and "too long" in long.text
    assert stored(app, a.survey_id).score is None


def test_forged_and_expired_links_get_a_clear_page(client: TestClient, app: Any) -> None:
    a = asked(app, locale="zh-CN")
    zh = {"Accept-Language": "zh-CN"}  # a forged link names no customer: the browser's language
    # One signature character changed (not the last: its low bits are padding and may not count)
    at = len(a.token) - 5
    bad = a.token[:at] + ("A" if a.token[at] != "A" else "B") + a.token[at + 1 :]
    forged = client.get(f"/csat/{bad}?score=5", headers=zh)
    assert forged.status_code == 404 and "此评价链接无效" in forged.text
    assert client.post(f"/csat/{bad}", data={"score": "5"}).status_code == 404
    assert client.get("/csat/" + "A" * 600).status_code == 404
    with frozen_at(utcnow() + timedelta(days=15)):
        expired = client.get(f"/csat/{a.token}?score=5")
    assert expired.status_code == 410 and "此评价链接已过期" in expired.text
    with frozen_at(utcnow() + timedelta(days=8)):  # link alive, survey past its window
        closed = client.post(f"/csat/{a.token}", data={"score": "5"})
        assert closed.status_code == 410
        assert client.get(f"/csat/{a.token}").status_code == 410
    assert stored(app, a.survey_id).score is None


def test_the_portal_ticket_page_takes_the_rating(client: TestClient, app: Any) -> None:
    a = asked(app)
    portal_login(client, app, a.customer_email)
    page = client.get(f"/portal/tickets/{a.ticket_id}")
    assert page.status_code == 200 and 'id="csat-form"' in page.text
    response = client.post(
        f"/portal/tickets/{a.ticket_id}/csat", data={"score": "5", "comment": "great"}
    )
    assert response.status_code == 200 and "Thank you for your feedback!" in response.text
    assert stored(app, a.survey_id).answer_channel == "portal"
    other = asked(app)  # another customer's ticket
    denied = client.post(f"/portal/tickets/{other.ticket_id}/csat", data={"score": "1"})
    assert denied.status_code == 404
    assert stored(app, other.survey_id).score is None


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_console_page_for_leads_shows_figures_and_closes_reviews(
    client: TestClient, app: Any, lang: str
) -> None:
    a = asked(app)
    client.post(f"/csat/{a.token}", data={"score": "1", "comment": "slow"})
    console_login(client, a.agent_email)
    assert client.get("/console/csat").status_code == 403
    client.post("/console/logout")
    console_login(client, a.lead_email)
    client.post("/lang", data={"lang": lang, "next": "/console"})
    page = client.get("/console/csat?days=30&team_id=")  # the filter form, "all teams"
    assert page.status_code == 200 and f'data-survey="{a.survey_id}"' in page.text
    assert client.get("/console/csat?team_id=abc").status_code == 422
    assert ("Customer satisfaction" if lang == "en" else "客户满意度") in page.text
    ticket_page = client.get(f"/console/tickets/{a.ticket_id}")
    assert 'id="csat-rating"' in ticket_page.text and "slow" in ticket_page.text
    done = client.post(f"/console/csat/{a.survey_id}/review", data={"note": "called back"})
    assert done.status_code == 200 and f'data-survey="{a.survey_id}"' not in done.text
    survey = stored(app, a.survey_id)
    assert survey.review_state == "done" and survey.review_note == "called back"
    assert client.post("/console/csat/999999/review", data={"note": "x"}).status_code == 404
