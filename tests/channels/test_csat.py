"""Satisfaction surveys: asked once per ticket after it is solved (never again after a reopen,
never twice for a job run twice), by e-mail through a real SMTP server with the anti-phishing
line and five signed links; answers and their edit window; low scores open a review and notify
the team's leads; the summary's figures; the guard on comments; ratings read from chat text."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.anti_phishing import do_set_anti_phishing_code
from ledgerdesk.accounts.models import Agent, Role, Team
from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.channels import csat
from ledgerdesk.channels.csat_report import csat_summary, reviews
from ledgerdesk.channels.csat_text import answer_from_text, parse_answer, survey_prompt
from ledgerdesk.channels.mail import text_of
from ledgerdesk.channels.models import CsatSurvey, Notification
from ledgerdesk.channels.outgoing import recording_history
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.core.errors import InvalidInput, NotPermitted
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, Status, Ticket
from tests.channels.smtp import PUBLIC_URL, SmtpServer, first_line
from tests.conftest import make_agent, make_customer, make_team, make_ticket

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
REPLIES = json.loads((Path(__file__).parent / "csat_replies.json").read_text(encoding="utf-8"))
LINK = re.compile(re.escape(PUBLIC_URL) + r"/csat/([A-Za-z0-9_.\-]+)\?score=([1-5])")


@dataclass
class Desk:
    factory: sessionmaker[Session]
    agent: Actor
    team_id: int

    def ticket(self, locale: str = "en", code: str | None = None, **extra: Any) -> int:
        with self.factory() as session:
            email = f"c-{uuid.uuid4().hex[:10]}@example.com"
            who = make_customer(session, email=email, locale=locale)
            session.flush()
            if code:
                do_set_anti_phishing_code(session, SYSTEM, who, code)
            ticket = make_ticket(session, who, subject="提币卡住 withdrawal stuck", **extra)
            ticket.team_id = self.team_id
            session.commit()
            return ticket.id

    def solve(self, ticket_id: int) -> None:
        with self.factory() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            tickets.do_set_status(session, self.agent, ticket, Status.solved)
            session.commit()

    def reopen(self, ticket_id: int) -> None:
        with self.factory() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            who = accounts.customer_actor(ticket.requester)
            tickets.do_customer_reply(session, who, ticket, "still not there")
            session.commit()

    def run_later(self, minutes: int = 61) -> None:
        with frozen_at(utcnow() + timedelta(minutes=minutes)):
            run_pending(self.factory)
            run_pending(self.factory)  # the mails the first pass queued

    def surveys(self, ticket_id: int) -> list[CsatSurvey]:
        with self.factory() as session:
            found = select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id)
            return list(session.scalars(found))

    def requests_queued(self, ticket_id: int) -> int:
        with self.factory() as session:
            found = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == csat.TOPIC))
            return len([job for job in found if job.payload == {"ticket_id": ticket_id}])

    def email_of(self, ticket_id: int) -> str:
        with self.factory() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            return ticket.requester.email


@pytest.fixture
def desk(engine: Engine) -> Iterator[Desk]:
    factory = make_sessionmaker(engine)
    with factory() as session:
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
        team = make_team(session)
        agent = make_agent(session, Role.agent, [team])
        session.commit()
        actor, team_id = accounts.agent_actor(agent), team.id
    yield Desk(factory, actor, team_id)
    with engine.begin() as connection:
        connection.execute(delete(OutboxEntry).where(OutboxEntry.id > mark))


def survey_mails(smtp: SmtpServer, email: str) -> list[Any]:
    return [m for m in smtp.inbox.to(email) if LINK.search(text_of(m))]


def test_asked_once_after_solve_reopen_and_solve_again(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id = desk.ticket(code="Quiet-Lake-7")
    desk.solve(ticket_id)
    assert desk.requests_queued(ticket_id) == 1
    run_pending(desk.factory)  # not yet: the survey waits csat_delay_minutes
    assert desk.surveys(ticket_id) == []
    desk.run_later()
    (survey,) = desk.surveys(ticket_id)
    assert survey.channel == "portal" and survey.score is None
    email = desk.email_of(ticket_id)
    smtp_server.inbox.wait_for(email, count=2)  # the solved notice and the survey
    desk.reopen(ticket_id)
    desk.solve(ticket_id)
    assert desk.requests_queued(ticket_id) == 0  # a survey exists: nothing is queued
    desk.run_later()
    assert len(desk.surveys(ticket_id)) == 1
    (mail,) = survey_mails(smtp_server, email)
    assert first_line(mail) == "Anti-phishing code: Quiet-Lake-7"
    assert mail["Subject"] == f"[#{ticket_id}] How did we do? 提币卡住 withdrawal stuck"
    links = LINK.findall(text_of(mail))
    assert sorted(int(score) for _, score in links) == [1, 2, 3, 4, 5]
    with desk.factory() as session, frozen_at(utcnow() + timedelta(hours=3)):  # sent at +61 min
        assert {csat.survey_from_token(session, token).id for token, _ in links} == {survey.id}


def test_reopened_before_asking_then_solved_again_asks_once(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id = desk.ticket()
    desk.solve(ticket_id)
    desk.reopen(ticket_id)
    desk.run_later()  # the first request finds the ticket open: nothing yet
    assert desk.surveys(ticket_id) == []
    desk.solve(ticket_id)
    desk.run_later()
    assert len(desk.surveys(ticket_id)) == 1
    assert len(survey_mails(smtp_server, desk.email_of(ticket_id))) == 1


def test_the_job_run_twice_sends_one_mail(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id = desk.ticket(locale="zh-CN")
    desk.solve(ticket_id)
    for _ in range(2):
        with desk.factory() as session:
            csat.request_survey(session, {"ticket_id": ticket_id})
            session.commit()
    desk.run_later()
    (mail,) = survey_mails(smtp_server, desk.email_of(ticket_id))
    assert first_line(mail).startswith("提示：")
    assert mail["Subject"].startswith(f"[#{ticket_id}] 请为我们的服务评分：")
    assert "5 – 非常满意: " in text_of(mail) and "1 – 非常不满意: " in text_of(mail)
    assert len(desk.surveys(ticket_id)) == 1


def test_history_and_merged_tickets_are_not_asked(desk: Desk) -> None:
    ticket_id = desk.ticket()
    with desk.factory() as session, recording_history(session):
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        tickets.do_set_status(session, desk.agent, ticket, Status.solved)
        session.commit()
    assert desk.requests_queued(ticket_id) == 0
    other = desk.ticket()
    with desk.factory() as session:
        ticket = session.get(Ticket, other)
        assert ticket is not None
        ticket.merged_into_id = ticket_id
        ticket.status = Status.solved
        session.commit()
        csat.request_survey(session, {"ticket_id": other})
    assert desk.surveys(other) == []


def _asked(desk: Desk, **extra: Any) -> tuple[int, int]:
    ticket_id = desk.ticket(**extra)
    desk.solve(ticket_id)
    with desk.factory() as session:
        csat.request_survey(session, {"ticket_id": ticket_id})
        session.commit()
    (survey,) = desk.surveys(ticket_id)
    return ticket_id, survey.id


def _answer(desk: Desk, survey_id: int, score: int, comment: str = "") -> CsatSurvey:
    with desk.factory() as session:
        survey = session.get(CsatSurvey, survey_id)
        assert survey is not None
        csat.do_answer(session, survey, csat.Answer(score, comment, "email"))
        session.commit()
        return survey


def test_tampered_forged_and_expired_links_are_refused(desk: Desk) -> None:
    _, survey_id = _asked(desk)
    with desk.factory() as session:
        survey = session.get(CsatSurvey, survey_id)
        assert survey is not None
        token = csat.survey_token(survey)
        assert csat.survey_from_token(session, token).id == survey_id
        flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
        for bad in (flipped, "not-a-token", token + "x", ""):
            with pytest.raises(csat.SurveyLinkInvalid):
                csat.survey_from_token(session, bad)
        from itsdangerous import URLSafeTimedSerializer

        forged = URLSafeTimedSerializer("another-desk-key" * 4, salt="ledgerdesk.csat-link.v1")
        with pytest.raises(csat.SurveyLinkInvalid):
            csat.survey_from_token(session, forged.dumps({"s": survey_id, "t": survey.ticket_id}))
        with pytest.raises(csat.SurveyLinkInvalid):  # well signed, but names another ticket
            other = csat._serializer().dumps({"s": survey_id, "t": survey.ticket_id + 1})
            csat.survey_from_token(session, other)
        with frozen_at(utcnow() + timedelta(days=15)), pytest.raises(csat.SurveyClosed):
            csat.survey_from_token(session, token)


def test_answer_is_editable_for_the_window_then_closed(desk: Desk) -> None:
    _, survey_id = _asked(desk)
    first = _answer(desk, survey_id, 3, "ok")
    assert first.answered_at is not None and first.updated_at is None
    with frozen_at(first.answered_at + timedelta(days=6)):
        changed = _answer(desk, survey_id, 5, "fixed after all")
    assert changed.score == 5 and changed.answered_at == first.answered_at
    assert changed.updated_at is not None
    with frozen_at(first.answered_at + timedelta(days=7, minutes=1)):
        with pytest.raises(csat.SurveyClosed):
            _answer(desk, survey_id, 1)
    assert desk.surveys(changed.ticket_id)[0].score == 5
    _, late = _asked(desk)  # never answered: open for 7 days after asking
    with frozen_at(utcnow() + timedelta(days=8)), pytest.raises(csat.SurveyClosed):
        _answer(desk, late, 4)


def test_bad_scores_and_long_comments_are_refused(desk: Desk) -> None:
    _, survey_id = _asked(desk)
    for bad in ("0", "6", "x", "", "4.5", "٣"):
        with pytest.raises(InvalidInput):
            csat.check_score(bad)
    with pytest.raises(InvalidInput, match="too long"):
        _answer(desk, survey_id, 4, "a" * (csat.MAX_COMMENT + 1))
    with desk.factory() as session:
        survey = session.get(CsatSurvey, survey_id)
        assert survey is not None and survey.score is None and survey.answered_at is None


def test_low_score_opens_a_review_and_notifies_the_leads(desk: Desk) -> None:
    with desk.factory() as session:
        lead = make_agent(session, Role.lead, [session.get(Team, desk.team_id)])
        other_lead = make_agent(session, Role.lead, [make_team(session)])
        admin = make_agent(session, Role.admin)
        session.commit()
        lead_id, other_id, admin_id = lead.id, other_lead.id, admin.id
    ticket_id, survey_id = _asked(desk)
    _answer(desk, survey_id, 1, "nobody answered for two days")
    _answer(desk, survey_id, 2, "still bad")  # an edit does not notify again
    with desk.factory() as session:
        rows = session.scalars(select(Notification).where(Notification.ticket_id == ticket_id))
        notified = {(n.agent_id, n.kind) for n in rows}
        assert (lead_id, "csat_low") in notified and (admin_id, "csat_low") in notified
        assert other_id not in {agent for agent, _ in notified}
        assert len([n for n in notified if n[1] == "csat_low"]) == len(notified)
        survey = session.get(CsatSurvey, survey_id)
        assert survey is not None and survey.review_state == "open"
    raised = _answer(desk, survey_id, 5, "they called me back")
    assert raised.review_state == "open"  # the review stays, marked as raised
    with desk.factory() as session:
        (row,) = [r for r in reviews(session, "open") if r.survey.id == survey_id]
        assert row.raised and row.ticket.id == ticket_id
        with pytest.raises(NotPermitted):
            csat.do_review(session, desk.agent, survey_id, "done")
        lead_actor = accounts.agent_actor(session.get(Agent, lead_id))
        done = csat.do_review(session, lead_actor, survey_id, "called the customer")
        session.commit()
        assert done.review_state == "done" and done.reviewed_by_id == lead_id


def test_summary_figures(desk: Desk) -> None:
    start = utcnow() - timedelta(seconds=1)
    answered = [5, 4, 4, 2, 1]
    ids = [_asked(desk)[1] for _ in range(len(answered) + 2)]  # two never answered
    for survey_id, score in zip(ids, answered, strict=False):
        _answer(desk, survey_id, score)
    end = utcnow() + timedelta(seconds=1)
    with desk.factory() as session:
        figures = csat_summary(session, start, end, team_id=desk.team_id)
        assert figures["asked"] == 7 and figures["answered"] == 5
        assert figures["distribution"] == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
        assert figures["average"] == 3.2
        assert figures["csat_percent"] == 60.0
        assert figures["response_rate"] == round(5 / 7, 4)
        assert figures["low"] == 2 and figures["open_reviews"] == 2
        other_team = csat_summary(session, start, end, team_id=desk.team_id + 10_000)
        assert other_team["asked"] == 0 and other_team["average"] is None
        before = csat_summary(session, start - timedelta(days=2), start, desk.team_id)
        assert before["asked"] == 0 and before["csat_percent"] is None


def test_the_guard_redacts_a_seed_phrase_in_the_comment(desk: Desk) -> None:
    _, survey_id = _asked(desk)
    stored = _answer(desk, survey_id, 4, f"fine. my words: {SEED}")
    assert "abandon ability" not in (stored.comment or "")
    assert "[removed: seed phrase]" in (stored.comment or "")
    assert "abandon ability" not in (desk.surveys(stored.ticket_id)[0].comment or "")


@pytest.mark.parametrize(("text", "score", "comment"), REPLIES["cases"])
def test_reading_a_rating_from_chat_text(text: str, score: int | None, comment: str) -> None:
    parsed = parse_answer(text)
    assert parsed == ((score, comment) if score is not None else None)


def test_answer_from_text_records_on_the_open_survey(desk: Desk) -> None:
    ticket_id = desk.ticket(locale="zh-CN", channel=Channel.telegram, actor=desk.agent)
    with desk.factory() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert not answer_from_text(session, ticket, "5 非常好", "telegram")  # not asked yet
        assert "1 到 5" in survey_prompt(ticket) and f"#{ticket_id}" in survey_prompt(ticket)
    assert desk.surveys(ticket_id) == []
    desk.solve(ticket_id)
    with desk.factory() as session:
        csat.request_survey(session, {"ticket_id": ticket_id})
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert not answer_from_text(session, ticket, "5000 USDT still missing", "telegram")
        assert answer_from_text(session, ticket, "5 非常好", "telegram")
        session.commit()
    (survey,) = desk.surveys(ticket_id)
    assert (survey.score, survey.comment, survey.answer_channel) == (5, "非常好", "telegram")
    assert survey.channel == "telegram"
