"""Our sent mail and the inbound side agree: the customer's client answers the mail we sent
(only its In-Reply-To, or only the Reply-To token, pointing back), the answer lands on the
ticket and tells its assignee; our own mail coming back is recognised as a loop."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from sqlalchemy import select

from ledgerdesk.accounts.models import Agent
from ledgerdesk.channels.mail_in import do_receive_mail
from ledgerdesk.channels.models import Notification
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Message, Ticket
from tests.channels.smtp import PointMail, SmtpServer
from tests.channels.test_ticket_mail import Desk, desk, reply

__all__ = ["desk"]


def _answer(sent: EmailMessage, email: str, *, subject: str, to: str, threaded: bool) -> bytes:
    """What a mail client sends when the customer answers ``sent``."""
    answer = EmailMessage()
    answer["From"] = email
    answer["To"] = to
    answer["Subject"] = subject
    answer["Message-ID"] = make_msgid(domain="mail.example.com")
    if threaded:
        answer["In-Reply-To"] = sent["Message-ID"]
        answer["References"] = sent["Message-ID"]
    answer.set_content("The TXID is 0x5e1f…; sent from my phone.\n\n> earlier text\n")
    return bytes(answer)


def test_the_customer_answers_our_mail_and_it_lands_on_the_ticket(
    desk: Desk, smtp_server: SmtpServer, configure_mail: PointMail
) -> None:
    configure_mail(smtp_server.port, LEDGERDESK_MAIL_INBOUND_TOKEN="t" * 32)
    ticket_id, email = desk.ticket()
    desk.act(
        ticket_id, lambda s, t: tickets.do_assign(s, desk.agent, t, agent_id=_another_agent(desk))
    )
    desk.act(ticket_id, reply(desk, "Please send the TXID."))
    run_pending(desk.factory)
    (sent,) = smtp_server.inbox.wait_for(email)
    reply_to = parseaddr(str(sent["Reply-To"]))[1]

    by_headers = _answer(sent, email, subject="Re: something else", to="x@y.test", threaded=True)
    by_token = _answer(sent, email, subject="hello", to=reply_to, threaded=False)
    with desk.factory() as session:
        first = do_receive_mail(session, by_headers, source="hook")
        second = do_receive_mail(session, by_token, source="hook")
        looped = do_receive_mail(session, bytes(sent), source="hook")  # our own mail back
        session.commit()
    assert (first.outcome, first.ticket_id) == ("reply", ticket_id)
    assert (second.outcome, second.ticket_id) == ("reply", ticket_id)
    assert looped.outcome == "loop"
    with desk.factory() as session:
        texts = session.scalars(select(Message.body).where(Message.ticket_id == ticket_id))
        assert sum("The TXID is 0x5e1f" in text for text in texts) == 2
        ticket = session.get_one(Ticket, ticket_id)
        assignee = ticket.assignee_id
    while run_pending(desk.factory):
        pass
    with desk.factory() as session:
        kinds = session.scalars(
            select(Notification.kind).where(
                Notification.agent_id == assignee, Notification.ticket_id == ticket_id
            )
        )
        # assigned by someone else; the two answers make one "customer replied" while unread
        assert sorted(kinds) == ["assigned", "customer_replied"]


def _another_agent(desk: Desk) -> int:
    """Another agent to assign the ticket to (the desk's agent is an admin: it assigns)."""
    from tests.conftest import make_agent

    with desk.factory() as session:
        agent = make_agent(session)
        session.commit()
        assert isinstance(agent, Agent)
        return agent.id
