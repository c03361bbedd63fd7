"""Agent notifications: assigned to you, customer replied, mentioned in a note. Each is queued
with its change, created once however often its job runs, e-mailed once (real local SMTP
server), and shown only to its own agent on /console/notifications."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.channels.mail import text_of
from ledgerdesk.channels.mentions import Candidate, mentioned
from ledgerdesk.channels.models import Notification
from ledgerdesk.channels.notifications import EMAIL_TOPIC, do_mark_all_read, notify_agents
from ledgerdesk.channels.notifications_mail import email_agent
from ledgerdesk.channels.outgoing import AGENT_NOTICE_TOPIC, recording_history
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Ticket
from tests.channels.smtp import PUBLIC_URL, SmtpServer
from tests.conftest import PASSWORD, make_agent, make_customer, make_team, make_ticket, unique

TOPICS = (AGENT_NOTICE_TOPIC, EMAIL_TOPIC)


@dataclass
class Team:
    factory: sessionmaker[Session]
    lead: Agent
    ana: Agent  # "Ana Lima", in the team
    wei: Agent  # "张伟", in the team
    outsider: Agent  # in another team: cannot see the team's tickets
    team_id: int

    def actor(self, agent: Agent) -> Actor:
        with self.factory() as session:
            return accounts.agent_actor(session.get_one(Agent, agent.id))

    def ticket(self) -> tuple[int, Actor]:
        with self.factory() as session:
            customer = make_customer(session)
            ticket = make_ticket(session, customer, subject="BTC withdrawal stuck 提币卡住")
            tickets.do_assign(session, SYSTEM, ticket, team_id=self.team_id)
            session.commit()
            return ticket.id, accounts.customer_actor(customer)

    def act(self, ticket_id: int, change: Any) -> None:
        with self.factory() as session:
            change(session, session.get_one(Ticket, ticket_id))
            session.commit()

    def rows(self, agent: Agent) -> list[Notification]:
        with self.factory() as session:
            query = select(Notification).where(Notification.agent_id == agent.id)
            return list(session.scalars(query.order_by(Notification.id)))

    def jobs(self) -> list[OutboxEntry]:
        with self.factory() as session:
            return list(session.scalars(select(OutboxEntry).where(OutboxEntry.topic.in_(TOPICS))))


@pytest.fixture
def team(app: Any) -> Iterator[Team]:
    factory: sessionmaker[Session] = app.state.sessionmaker
    with factory() as session:
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
        one, other = make_team(session), make_team(session)
        lead = make_agent(session, Role.lead, [one])
        ana = make_agent(session, Role.agent, [one], email=f"{unique('ana.lima')}@desk.test")
        ana.name = unique("Ana Lima")
        wei = make_agent(session, Role.agent, [one])
        wei.name = "张伟" + "".join("甲乙丙丁戊己庚辛壬癸"[int(c, 16) % 10] for c in unique()[-4:])
        outsider = make_agent(session, Role.agent, [other])
        session.commit()
        found = Team(factory, lead, ana, wei, outsider, one.id)
    yield found
    with factory() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.id > mark))
        session.commit()


def drain(factory: sessionmaker[Session], timeout: float = 15.0) -> None:
    """Run jobs until none of ours is left: a notification's e-mail is a job its first job
    queues, and with a ``client`` open the app's embedded worker may be running one of them
    (its row disappears only after its commit)."""
    deadline = time.monotonic() + timeout
    while True:
        run_pending(factory)
        with factory() as session:
            left = session.scalar(select(func.count()).where(OutboxEntry.topic.in_(TOPICS)))
        if not left:
            return
        assert time.monotonic() < deadline, f"{left} notification jobs still queued"
        time.sleep(0.05)


def _rerun(team: Team) -> None:
    """Run every notification job again by hand, as a worker crashing after its commit would."""
    with team.factory() as session:
        rows = list(session.scalars(select(Notification)))
        for row in rows:
            email_agent(session, {"notification_id": row.id})
        session.commit()


def test_assigned_to_you_once_with_one_email(
    team: Team, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, _ = team.ticket()
    lead = team.actor(team.lead)
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, lead, t, agent_id=team.ana.id))
    (job,) = [j for j in team.jobs() if j.topic == AGENT_NOTICE_TOPIC]
    drain(team.factory)
    with team.factory() as session:  # the job once more, by hand
        notify_agents(session, job.payload)
        session.commit()
    _rerun(team)
    (row,) = team.rows(team.ana)
    assert row.kind == "assigned" and row.ticket_id == ticket_id
    assert row.actor_agent_id == team.lead.id and row.emailed_at is not None and row.read_at is None
    (mail,) = smtp_server.inbox.wait_for(team.ana.email)
    assert " ".join(mail["Subject"].split()) == (
        f"{team.lead.name} assigned ticket #{ticket_id} to you: BTC withdrawal stuck 提币卡住"
    )
    assert f"{PUBLIC_URL}/console/tickets/{ticket_id}" in text_of(mail)
    assert mail.get_body(preferencelist=("html",)) is not None
    assert [(j.topic, j.payload, j.last_error) for j in team.jobs()] == []


def test_taking_a_ticket_yourself_notifies_nobody(team: Team) -> None:
    ticket_id, _ = team.ticket()
    ana = team.actor(team.ana)
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, ana, t, agent_id=team.ana.id))
    assert [(j.topic, j.payload, j.last_error) for j in team.jobs()] == []
    drain(team.factory)
    assert team.rows(team.ana) == []


def test_customer_reply_tells_the_assignee_only(
    team: Team, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, customer = team.ticket()
    team.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "hello?"))
    assert team.jobs() == []  # unassigned: nobody (see channels/notifications.py)
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, SYSTEM, t, agent_id=team.wei.id))
    team.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "TXID 0xabc"))
    drain(team.factory)
    _rerun(team)
    kinds = [r.kind for r in team.rows(team.wei)]
    assert kinds == ["assigned", "customer_replied"]
    assert team.rows(team.ana) == [] and team.rows(team.lead) == []
    mails = smtp_server.inbox.wait_for(team.wei.email, count=2)
    assert len(mails) == 2 and "TXID 0xabc" in text_of(mails[1])
    assert mails[1]["Subject"].startswith(f"The customer replied on ticket #{ticket_id}")

    # More replies while that one is unread: no more notifications; once read, a new one.
    team.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "hello??"))
    drain(team.factory)
    assert len(team.rows(team.wei)) == 2
    with team.factory() as session:
        do_mark_all_read(session, team.wei.id)
        session.commit()
    team.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "found it"))
    drain(team.factory)
    assert [r.kind for r in team.rows(team.wei)][-1] == "customer_replied"
    assert len(team.rows(team.wei)) == 3
    assert len(smtp_server.inbox.wait_for(team.wei.email, count=3)) == 3


def test_mentions_in_a_note_tell_those_who_may_see_the_ticket(
    team: Team, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, _ = team.ticket()
    lead = team.actor(team.lead)
    local = team.outsider.email.split("@")[0]
    note = (
        f"@{team.ana.name.upper()} please check, @{team.wei.name}看一下; "
        f"@{local} cannot see it; and @{team.lead.name} is me."
    )
    team.act(ticket_id, lambda s, t: tickets.do_add_note(s, lead, t, note))
    drain(team.factory)
    _rerun(team)
    assert [r.kind for r in team.rows(team.ana)] == ["mentioned"]
    assert [r.kind for r in team.rows(team.wei)] == ["mentioned"]
    assert team.rows(team.outsider) == [] and team.rows(team.lead) == []
    (mail,) = smtp_server.inbox.wait_for(team.wei.email)
    assert "please check" in text_of(mail)


def test_notes_without_mentions_and_public_replies_queue_nothing(team: Team) -> None:
    ticket_id, _ = team.ticket()
    lead = team.actor(team.lead)
    team.act(ticket_id, lambda s, t: tickets.do_add_note(s, lead, t, "KYC looks fine"))
    team.act(ticket_id, lambda s, t: tickets.do_agent_reply(s, lead, t, f"@{team.ana.name}"))
    assert [(j.topic, j.payload, j.last_error) for j in team.jobs()] == []


def test_recorded_history_notifies_nobody(team: Team) -> None:
    ticket_id, customer = team.ticket()
    with team.factory() as session, recording_history(session):
        ticket = session.get_one(Ticket, ticket_id)
        lead = accounts.agent_actor(session.get_one(Agent, team.lead.id))
        tickets.do_assign(session, lead, ticket, agent_id=team.ana.id)
        tickets.do_customer_reply(session, customer, ticket, "old reply")
        tickets.do_add_note(session, lead, ticket, f"@{team.ana.name} old note")
        session.commit()
    assert [(j.topic, j.payload, j.last_error) for j in team.jobs()] == []


def test_reassigned_before_the_job_ran_tells_only_the_new_assignee(team: Team) -> None:
    ticket_id, _ = team.ticket()
    lead = team.actor(team.lead)
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, lead, t, agent_id=team.ana.id))
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, lead, t, agent_id=team.wei.id))
    drain(team.factory)
    assert team.rows(team.ana) == []
    assert [r.kind for r in team.rows(team.wei)] == ["assigned"]


# --- the console page over HTTP ----------------------------------------------------------


def _login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_page_lists_own_notifications_and_marks_them_read(client: TestClient, team: Team) -> None:
    ticket_id, customer = team.ticket()
    lead = team.actor(team.lead)
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, lead, t, agent_id=team.ana.id))
    team.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "any news"))
    drain(team.factory)
    older, newer = team.rows(team.ana)
    _login(client, team.ana.email)
    assert 'id="bell-count">2<' in client.get("/console/notifications/bell").text
    page = client.get("/console/notifications").text
    assert page.index(f"notification-{newer.id}") < page.index(f"notification-{older.id}")
    shown = re.sub(r"<[^>]*>", " ", page)  # what a person reads, without the markup
    assert "customer_replied" not in shown and f"assigned ticket #{ticket_id} to you" in shown
    opened = client.get(f"/console/notifications/{older.id}/open", follow_redirects=False)
    assert opened.headers["location"] == f"/console/tickets/{ticket_id}"
    assert 'id="bell-count">1<' in client.get("/console/notifications/bell").text
    assert client.post("/console/notifications/read-all", follow_redirects=False).status_code == 303
    bell = client.get("/console/notifications/bell", follow_redirects=False)
    assert bell.status_code == 200 and 'id="bell"' in bell.text and "bell-count" not in bell.text
    assert "bell-count" not in client.get("/console/notifications/bell").text

    client.post("/console/logout")
    _login(client, team.wei.email)
    assert client.post(f"/console/notifications/{newer.id}/read").status_code == 404
    assert client.get(f"/console/notifications/{newer.id}/open").status_code == 404
    assert f"notification-{newer.id}" not in client.get("/console/notifications").text


def test_page_and_bell_need_a_signed_in_agent(client: TestClient) -> None:
    response = client.get("/console/notifications", follow_redirects=False)
    assert response.status_code == 303 and "/console/login" in response.headers["location"]
    assert client.post("/console/notifications/read-all", follow_redirects=False).status_code == 303
    bell = client.get("/console/notifications/bell", follow_redirects=False)
    assert bell.status_code == 200 and 'id="bell"' in bell.text and "bell-count" not in bell.text


# --- mention parsing ------------------------------------------------------------------------

AGENTS = [
    Candidate(1, "Ana Lima", "ana.lima@desk.test"),
    Candidate(2, "Ana", "ana@desk.test"),
    Candidate(3, "张伟", "zhang.wei@desk.test"),
    Candidate(4, "Anabel Chen", "bel@desk.test"),
    Candidate(5, "李娜", "lina@desk.test"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Ana Lima please look", [1]),  # the longest name wins
        ("@ana, and @ANA.LIMA too", [2, 1]),  # case-insensitive; e-mail local part
        ("@ana  lima", [1]),  # spaces typed twice
        ("@张伟请看一下", [3]),  # Chinese runs on without a space
        ("请@李娜和@张伟看看", [5, 3]),
        ("write to ana@desk.test", []),  # an e-mail address is no mention
        ("@anab is nobody", []),  # a name must end at a word boundary
        ("@Anabel Chen!", [4]),
        ("@bel.", [4]),
        ("no mention @ all", []),
        ("@ＡＮＡ fullwidth", [2]),  # NFKC folds fullwidth letters
    ],
)
def test_mention_parsing(text: str, expected: list[int]) -> None:
    assert mentioned(text, AGENTS) == expected


def test_an_agent_turns_off_e_mail_for_a_kind(
    client: TestClient, team: Team, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    _login(client, team.ana.email)
    page = client.get("/console/notifications").text
    assert page.count('name="email"') == 5 and page.count(" checked") == 5  # one per kind
    saved = client.post(
        "/console/notifications/settings",
        data={"email": ["customer_replied", "mentioned"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get("/console/notifications").text
    assert 'value="assigned">' in page and 'value="mentioned" checked>' in page
    refused = client.post("/console/notifications/settings", data={"email": ["everything"]})
    assert refused.status_code == 422

    ticket_id, customer = team.ticket()
    lead = team.actor(team.lead)
    team.act(ticket_id, lambda s, t: tickets.do_assign(s, lead, t, agent_id=team.ana.id))
    team.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "news?"))
    drain(team.factory)
    assert [r.kind for r in team.rows(team.ana)] == ["assigned", "customer_replied"]
    (mail,) = smtp_server.inbox.wait_for(team.ana.email)  # the reply only
    assert mail["Subject"].startswith("The customer replied")
    assert [r.emailed_at is None for r in team.rows(team.ana)] == [True, False]
