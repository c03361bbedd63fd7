"""End to end: the SLA job finds a breach and, through the hook wired at the composition root,
the ticket goes up one tier; the escalation reads in the ticket's history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.composition import load_handlers
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.i18n import set_locale
from ledgerdesk.sla import services as sla
from ledgerdesk.sla.escalation import on_sla_breach
from ledgerdesk.sla.hooks import ON_BREACH
from ledgerdesk.sla.schemas import PolicyIn
from ledgerdesk.sla.tasks import run_check
from ledgerdesk.tickets.models import Event, Priority
from ledgerdesk.tickets.timeline import history
from tests.conftest import actor_of, make_agent, make_team, make_ticket

START = datetime(2026, 12, 7, 2, 0)


def test_a_breach_found_by_the_job_escalates_the_ticket(db_session: Session) -> None:
    load_handlers()
    load_handlers()  # twice, as several entry points do: the hook is registered once
    assert ON_BREACH.count(on_sla_breach) == 1
    first_line, second_line = make_team(db_session, Tier.l1), make_team(db_session, Tier.l2)
    admin = make_agent(db_session, Role.admin, [first_line])
    make_agent(db_session, Role.lead, [second_line])
    policy = PolicyIn(
        name="Breach test", team_ids=[first_line.id], first_reply=30, hours="calendar"
    )
    sla.do_create_policy(db_session, actor_of(admin), policy)
    with frozen_at(START):
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=first_line.id)
        assert ticket.priority == Priority.normal
    with frozen_at(datetime(2026, 12, 7, 2, 31)):
        assert run_check(db_session)[1] == 1  # one breach
    db_session.refresh(ticket)
    assert ticket.team_id == second_line.id and ticket.priority == Priority.high
    events = list(
        db_session.scalars(select(Event).where(Event.ticket_id == ticket.id).order_by(Event.id))
    )
    actions = [e.action for e in events]
    assert actions.index("sla.breached") < actions.index("ticket.escalated")
    set_locale("en")
    lines = [line.action for line in history(db_session, events)]
    assert "SLA breached" in lines and "Escalated to the next tier" in lines
