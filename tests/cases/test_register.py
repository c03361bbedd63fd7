"""The case register: references, steps in order with actor and time, linked tickets, who sees
a case, and that no client (the ORM or plain SQL) can change or remove a step."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, agent_actor, customer_actor
from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case, CaseEvent, CaseKind, RegisterIsAppendOnly
from ledgerdesk.core.errors import InvalidInput, NotFound
from tests.conftest import make_agent, make_customer, make_team, make_ticket


def _case(session: Session, kind: CaseKind = CaseKind.complaint) -> Case:
    customer = make_customer(session)
    ticket = make_ticket(session, customer)
    return register.do_open_case(
        session,
        customer_actor(customer),
        register.NewCase(
            kind=kind, customer_id=customer.id, subject="Fees charged twice", ticket_id=ticket.id
        ),
    )


def test_a_case_opens_with_a_reference_and_its_received_step(db_session: Session) -> None:
    case = _case(db_session)
    assert case.reference.startswith(f"CMP-{case.received_at.year}-")
    other = _case(db_session, CaseKind.scam_report)
    assert other.reference.startswith("SCM-") and other.reference != case.reference
    (first,) = register.steps(db_session, case)
    assert (first.seq, first.step, first.actor_type) == (1, "received", "customer")
    register.record_step(db_session, case, SYSTEM, "acknowledged", {"by": "mail"})
    assert [s.step for s in register.steps(db_session, case)] == ["received", "acknowledged"]


def test_bad_subject_or_language_is_refused(db_session: Session) -> None:
    customer = make_customer(db_session)
    for subject, language in (("", "en"), ("x" * 301, "en"), ("ok", "fr")):
        with pytest.raises(InvalidInput):
            register.do_open_case(
                db_session,
                SYSTEM,
                register.NewCase(
                    kind=CaseKind.complaint,
                    customer_id=customer.id,
                    subject=subject,
                    language=language,
                ),
            )


def test_linked_tickets_and_who_sees_a_case(db_session: Session) -> None:
    case = _case(db_session)
    extra = make_ticket(db_session)
    assert register.do_link_ticket(db_session, SYSTEM, case, extra.id)
    assert not register.do_link_ticket(db_session, SYSTEM, case, extra.id)
    assert register.linked_ticket_ids(db_session, case) == [case.ticket_id, extra.id]
    team = make_team(db_session)
    case.team_id = team.id
    member = make_agent(db_session, Role.agent, [team])
    outsider = make_agent(db_session, Role.agent, [make_team(db_session)])
    lead = make_agent(db_session, Role.lead)
    assert register.access_case(db_session, agent_actor(member), case.id) is case
    assert register.access_case(db_session, agent_actor(lead), case.id) is case
    with pytest.raises(NotFound):
        register.access_case(db_session, agent_actor(outsider), case.id)
    with pytest.raises(NotFound):
        register.access_case(db_session, customer_actor(make_customer(db_session)), case.id)


def test_the_register_is_append_only(db_session: Session) -> None:
    case = _case(db_session)
    (first,) = register.steps(db_session, case)
    first.step = "forged"
    with pytest.raises(RegisterIsAppendOnly):
        db_session.flush()
    db_session.rollback()
    case = _case(db_session)
    for statement in (
        update(CaseEvent).where(CaseEvent.case_id == case.id).values(step="forged"),
        delete(CaseEvent).where(CaseEvent.case_id == case.id),
        text("UPDATE case_events SET at = at WHERE case_id = :c").bindparams(c=case.id),
    ):
        nested = db_session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(statement)
        nested.rollback()
    assert [s.step for s in register.steps(db_session, case)] == ["received"]


def test_the_working_teams_are_found_by_name_then_tier(db_session: Session) -> None:
    from ledgerdesk.accounts import services as accounts
    from ledgerdesk.accounts.models import Tier

    security = accounts.do_create_team(db_session, SYSTEM, name="security desk", tier=Tier.l2)
    found = register.team_for(db_session, "security")
    # An earlier test's team may already be called "Security…"; the name wins over the tier.
    assert found is not None
    team = db_session.get(type(security), found)
    assert team is not None and team.name.casefold().startswith("security")
