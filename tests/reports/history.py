"""A small fixed history with a frozen clock, and its figures worked out by hand.

Team T, agents A and B, five tickets (times UTC, March 2020):

- t1 portal/en, opened 03-02 09:00; A replies 09:30 (1800 s) and solves 11:00 (7200 s): one touch.
- t2 email/zh-CN, opened 03-02 10:00; B's note 10:05 (not a reply); B replies 12:00 (7200 s);
  the customer writes 13:00; B replies 14:00 and solves 15:00 (18000 s): two replies.
- t3 chat/en, opened 03-03 08:00; A replies 08:10 (600 s), solves 08:20; the customer reopens
  03-04 09:00; A replies 09:30 and solves 10:00 (93600 s from opening; one reopen).
- t4 portal/en, opened 03-03 12:00, never answered (backlog, 2 days old on 03-05 12:00).
- t5 portal/zh-CN, opened 03-04 12:30; A replies 13:30 (3600 s) and sets pending (backlog,
  under a day old).

Now is 03-05 12:00. Over 03-02..03-04: first reply times [600, 1800, 3600, 7200] → median
2700, p90 at 2.7 → 3600 + 0.7·3600 = 6120. Resolution times (t1, t2, t3) [7200, 18000, 93600]
→ median 18000, p90 at 1.8 → 18000 + 0.8·75600 = 78480. One touch 1 of 3; reopened 1 of 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Agent, Role, Team
from ledgerdesk.channels.models import CsatSurvey
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.kb.models import DeflectionAttempt, DeflectionOutcome
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, Status, Ticket
from tests.conftest import make_agent, make_customer, make_team, unique

NOW = datetime(2020, 3, 5, 12, 0)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2020, 3, day, hour, minute)


@dataclass
class History:
    team: Team
    a: Agent
    b: Agent
    lead: Agent
    tickets: dict[str, Ticket]


def build(session: Session, *, extras: bool = True) -> History:
    """The history above (``extras``: also SLA clocks, surveys and deflection attempts)."""
    team = make_team(session)
    a, b = make_agent(session, teams=[team]), make_agent(session, teams=[team])
    lead = make_agent(session, Role.lead, [team])
    ta, tb, tl = accounts.agent_actor(a), accounts.agent_actor(b), accounts.agent_actor(lead)
    made: dict[str, Ticket] = {}

    def open_ticket(name: str, when: datetime, channel: Channel, language: str) -> Ticket:
        customer = make_customer(session)
        with frozen_at(when):
            ticket = tickets.do_create_ticket(
                session,
                tl,
                customer,
                tickets.NewTicket(
                    subject=f"{name} deposit",
                    body="Where is my USDT?",
                    channel=channel,
                    language=language,
                    team_id=team.id,
                ),
            )
        made[name] = ticket
        return ticket

    def customer_says(ticket: Ticket, when: datetime) -> None:
        with frozen_at(when):
            tickets.do_customer_reply(
                session, accounts.customer_actor(ticket.requester), ticket, "Any news?"
            )

    def reply(
        actor: accounts.Actor, ticket: Ticket, when: datetime, status: Status | None = None
    ) -> None:
        with frozen_at(when):
            tickets.do_agent_reply(session, actor, ticket, "We are checking.", status=status)

    def set_status(actor: accounts.Actor, ticket: Ticket, when: datetime, status: Status) -> None:
        with frozen_at(when):
            tickets.do_set_status(session, actor, ticket, status)

    t1 = open_ticket("t1", at(2, 9), Channel.portal, "en")
    reply(ta, t1, at(2, 9, 30))
    set_status(ta, t1, at(2, 11), Status.solved)
    t2 = open_ticket("t2", at(2, 10), Channel.email, "zh-CN")
    with frozen_at(at(2, 10, 5)):
        tickets.do_add_note(session, tb, t2, "checking the chain")
    reply(tb, t2, at(2, 12))
    customer_says(t2, at(2, 13))
    reply(tb, t2, at(2, 14))
    set_status(tb, t2, at(2, 15), Status.solved)
    t3 = open_ticket("t3", at(3, 8), Channel.chat, "en")
    reply(ta, t3, at(3, 8, 10))
    set_status(ta, t3, at(3, 8, 20), Status.solved)
    customer_says(t3, at(4, 9))
    reply(ta, t3, at(4, 9, 30))
    set_status(ta, t3, at(4, 10), Status.solved)
    open_ticket("t4", at(3, 12), Channel.portal, "en")
    t5 = open_ticket("t5", at(4, 12, 30), Channel.portal, "zh-CN")
    reply(ta, t5, at(4, 13, 30), status=Status.pending)
    session.flush()
    if extras:
        _extras(session, made)
    return History(team, a, b, lead, made)


def _extras(session: Session, made: dict[str, Ticket]) -> None:
    t1, t2, t4 = made["t1"], made["t2"], made["t4"]
    session.add_all(
        [
            SlaTarget(
                ticket_id=t1.id,
                target="first_reply",
                started_at=at(2, 9),
                completed_at=at(2, 9, 30),
            ),
            SlaTarget(
                ticket_id=t1.id, target="resolution", started_at=at(2, 9), completed_at=at(2, 11)
            ),
            SlaTarget(
                ticket_id=t2.id,
                target="first_reply",
                started_at=at(2, 10),
                breached_at=at(2, 11),
                completed_at=at(2, 12),
            ),
            SlaTarget(
                ticket_id=t4.id, target="first_reply", started_at=at(3, 12), due_at=at(3, 13)
            ),
            CsatSurvey(
                ticket_id=t1.id,
                channel="email",
                requested_at=at(2, 12),
                score=5,
                answered_at=at(2, 13),
            ),
            CsatSurvey(
                ticket_id=t2.id,
                channel="email",
                requested_at=at(2, 16),
                score=2,
                answered_at=at(2, 17),
            ),
        ]
    )
    for outcome in (
        DeflectionOutcome.deflected,
        DeflectionOutcome.deflected,
        DeflectionOutcome.ticket_created,
    ):
        session.add(
            DeflectionAttempt(
                token=unique("tok"),
                query="usdt",
                suggested_article_ids=[],
                outcome=outcome,
                created_at=at(3, 9),
                updated_at=at(3, 9),
            )
        )
    session.flush()
