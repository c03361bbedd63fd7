"""Tiered escalation: L1 -> L2 -> specialist and back, by hand (console and API), on an SLA
breach (``on_sla_breach`` called as the SLA job calls it) and by a routing rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role, Team, Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.ai.triage import TriageResult
from ledgerdesk.channels.models import Notification
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import InvalidInput, InvalidTransition, NotPermitted
from ledgerdesk.routing import services as routing
from ledgerdesk.sla import escalation as esc
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets import timeline
from ledgerdesk.tickets.models import Event, Message, Priority, Status, Ticket
from tests.conftest import PASSWORD, actor_of, bearer, make_agent, make_team, make_ticket


def _tiers(session: Session) -> tuple[Team, Team, Team]:
    """Three teams wired L1 -> L2 -> specialist explicitly (other tests' teams exist too)."""
    l1, l2 = make_team(session), make_team(session, Tier.l2)
    spec = make_team(session, Tier.specialist)
    l1.escalation_team_id = l2.id
    l2.escalation_team_id = spec.id
    session.flush()
    return l1, l2, spec


def _events(session: Session, ticket: Ticket, action: str) -> list[Event]:
    query = select(Event).where(Event.ticket_id == ticket.id, Event.action == action)
    return list(session.scalars(query.order_by(Event.id)))


def test_escalate_moves_up_raises_priority_unassigns_and_tells_the_leads(
    db_session: Session,
) -> None:
    l1, l2, _ = _tiers(db_session)
    agent = make_agent(db_session, Role.agent, [l1])
    lead = make_agent(db_session, Role.lead, [l2])
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id, agent_id=agent.id)
    tickets.do_set_priority(db_session, SYSTEM, ticket, Priority.high)

    row = esc.do_escalate(db_session, actor_of(agent), ticket, "  Needs a wallet engineer  ")

    assert (ticket.team_id, ticket.priority, ticket.assignee_id) == (l2.id, Priority.urgent, None)
    assert (row.from_team_id, row.from_tier, row.to_tier) == (l1.id, "L1", "L2")
    (event,) = _events(db_session, ticket, "ticket.escalated")
    assert event.before == {
        "team_id": l1.id,
        "tier": "L1",
        "priority": "high",
        "assignee_id": agent.id,
    }
    assert event.after is not None
    assert event.after["reason"] == "Needs a wallet engineer"
    assert (event.after["team_id"], event.after["tier"], event.after["priority"]) == (
        l2.id,
        "L2",
        "urgent",
    )
    # the usual events too, for webhooks, reports and the SLA clocks
    assert _events(db_session, ticket, "ticket.team_changed")[-1].after == {"team_id": l2.id}
    assert _events(db_session, ticket, "ticket.priority_changed")[-1].after == {
        "priority": "urgent"
    }
    assert _events(db_session, ticket, "ticket.assigned")[-1].after == {"assignee_id": None}
    told = db_session.scalars(select(Notification).where(Notification.ticket_id == ticket.id)).all()
    assert [(n.agent_id, n.kind) for n in told] == [(lead.id, "escalated")]
    # the history says it in words
    lines = timeline.history(db_session, _events(db_session, ticket, "ticket.escalated"))
    assert lines[0].action == "Escalated to the next tier"
    assert {c.field for c in lines[0].changes} >= {"Team", "Tier", "Priority", "Reason"}


def test_priority_never_lowered_and_a_member_stays_assigned(db_session: Session) -> None:
    l1, l2, _ = _tiers(db_session)
    both = make_agent(db_session, Role.agent, [l1, l2])
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id, agent_id=both.id)
    tickets.do_set_priority(db_session, SYSTEM, ticket, Priority.urgent)
    esc.do_escalate(db_session, actor_of(both), ticket, "deep dive")
    assert (ticket.priority, ticket.assignee_id) == (Priority.urgent, both.id)


def test_reason_required_by_hand_and_nothing_above_specialist(db_session: Session) -> None:
    l1, _, spec = _tiers(db_session)
    agent = make_agent(db_session, Role.agent, [l1])
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id)
    with pytest.raises(InvalidInput, match="Say why"):
        esc.do_escalate(db_session, actor_of(agent), ticket, "   ")
    esc.do_escalate(db_session, SYSTEM, ticket, "one")
    esc.do_escalate(db_session, SYSTEM, ticket, "two")
    assert ticket.team_id == spec.id
    with pytest.raises(InvalidTransition, match="highest tier"):
        esc.do_escalate(db_session, SYSTEM, ticket, "three")


def test_next_tier_without_a_chosen_team_is_the_first_team_of_that_tier(
    db_session: Session,
) -> None:
    l1 = make_team(db_session)
    make_team(db_session, Tier.l2)
    first_l2 = db_session.scalar(
        select(Team).where(Team.tier == Tier.l2).order_by(Team.id).limit(1)
    )
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id)
    assert esc.next_team(db_session, ticket) == first_l2


def test_back_to_l1_returns_to_the_first_team_after_two_escalations(db_session: Session) -> None:
    l1, _, spec = _tiers(db_session)
    specialist = make_agent(db_session, Role.agent, [spec])
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id)
    esc.do_escalate(db_session, SYSTEM, ticket, "to L2")
    esc.do_escalate(db_session, SYSTEM, ticket, "to specialist")
    tickets.do_assign(db_session, SYSTEM, ticket, agent_id=specialist.id)
    esc.do_deescalate(db_session, actor_of(specialist), ticket)
    assert (ticket.team_id, ticket.assignee_id) == (l1.id, None)
    (event,) = _events(db_session, ticket, "ticket.deescalated")
    assert event.before is not None and event.after is not None
    assert (event.before["tier"], event.after["tier"]) == ("specialist", "L1")
    assert esc.open_escalation(db_session, ticket) is None
    with pytest.raises(InvalidTransition):
        esc.do_deescalate(db_session, SYSTEM, ticket)


def test_sla_breach_escalates_once_per_tier(db_session: Session) -> None:
    l1, l2, spec = _tiers(db_session)
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id)
    with frozen_at(datetime(2026, 3, 2, 9, 0)):
        esc.on_sla_breach(db_session, ticket, "first_reply")
        esc.on_sla_breach(db_session, ticket, "first_reply")  # the job ran twice: no second move
    assert ticket.team_id == l2.id
    (event,) = _events(db_session, ticket, "ticket.escalated")
    assert event.actor_kind.value == "system"
    assert event.after is not None
    assert (event.after["trigger"], event.after["sla_target"]) == ("sla_breach", "first_reply")
    assert event.created_at == datetime(2026, 3, 2, 9, 0)
    # a later breach at L2 goes one more tier up, once
    esc.on_sla_breach(db_session, ticket, "resolution")
    esc.on_sla_breach(db_session, ticket, "resolution")
    assert ticket.team_id == spec.id
    # brought back to L1, a new breach does not escalate from L1 a second time
    esc.do_deescalate(db_session, SYSTEM, ticket)
    esc.on_sla_breach(db_session, ticket, "next_reply")
    assert ticket.team_id == l1.id
    lines = timeline.history(db_session, _events(db_session, ticket, "ticket.escalated"))
    assert [c.after for c in lines[0].changes if c.field == "Cause"] == [
        "An SLA target was breached"
    ]


def test_sla_breach_leaves_a_solved_ticket_alone(db_session: Session) -> None:
    l1, _, _ = _tiers(db_session)
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id)
    tickets.do_set_status(db_session, SYSTEM, ticket, Status.solved, notify=False)
    esc.on_sla_breach(db_session, ticket, "resolution")
    assert ticket.team_id == l1.id


def test_a_routing_rule_escalates_once(db_session: Session) -> None:
    l1, l2, _ = _tiers(db_session)
    admin = make_agent(db_session, Role.admin)
    rule = routing.do_create_rule(
        db_session, actor_of(admin), routing.RuleIn(name="Escalate compromised", escalate=True)
    )
    assert rule.escalate
    ticket = make_ticket(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=l1.id)
    decision = routing.route([rule], _result(), vip=False, l1_team=None)
    assert decision.escalate == "Escalate compromised"
    esc.escalate_by_rule(db_session, ticket, "Escalate compromised")
    esc.escalate_by_rule(db_session, ticket, "Escalate compromised")
    assert ticket.team_id == l2.id
    (event,) = _events(db_session, ticket, "ticket.escalated")
    assert event.after is not None and event.after["trigger"] == "routing_rule"


def test_a_rule_with_only_escalate_is_valid_and_none_is_not(db_session: Session) -> None:
    admin = make_agent(db_session, Role.admin)
    with pytest.raises(InvalidInput, match="must do something"):
        routing.do_create_rule(db_session, actor_of(admin), routing.RuleIn(name="Nothing"))


def _result() -> TriageResult:
    return TriageResult(
        language="en",
        language_confidence=0.99,
        label="account_compromised",
        confidence=0.9,
        intent="account_compromised",
        alternatives=[],
        sentiment="negative",
        sentiment_confidence=0.8,
        distressed=False,
        distressed_confidence=0.1,
        amount_usd=0.0,
        priority="normal",
    )


def test_team_escalation_setting_is_for_admins_and_goes_up(db_session: Session) -> None:
    l1, l2, _ = _tiers(db_session)
    admin, lead = make_agent(db_session, Role.admin), make_agent(db_session, Role.lead)
    with pytest.raises(NotPermitted):
        esc.do_set_escalation_team(db_session, actor_of(lead), l1, None)
    with pytest.raises(InvalidInput, match="higher tier"):
        esc.do_set_escalation_team(db_session, actor_of(admin), l2, l1.id)
    esc.do_set_escalation_team(db_session, actor_of(admin), l1, None)
    assert l1.escalation_team_id is None


# --- API and console ------------------------------------------------------------------------


def _committed_tiers(app: Any) -> dict[str, int]:
    with app.state.sessionmaker() as session:
        l1, l2, spec = _tiers(session)
        agent = make_agent(session, Role.agent, [l1])
        lead = make_agent(session, Role.lead, [l2])
        from ledgerdesk.accounts.tokens import do_create_api_token

        token = do_create_api_token(session, SYSTEM, agent, "t")
        ticket = make_ticket(session)
        tickets.do_assign(session, SYSTEM, ticket, team_id=l1.id, agent_id=agent.id)
        session.commit()
        return {
            "l1": l1.id,
            "l2": l2.id,
            "spec": spec.id,
            "ticket": ticket.id,
            "agent_email": agent.email,  # type: ignore[dict-item]
            "token": token,  # type: ignore[dict-item]
            "lead": lead.id,
        }


def test_api_escalate_and_deescalate(client: TestClient, app: Any) -> None:
    w = _committed_tiers(app)
    headers = bearer(str(w["token"]))
    url = f"/api/v1/tickets/{w['ticket']}"
    refused = client.post(f"{url}/escalate", json={"reason": ""}, headers=headers)
    assert refused.status_code == 422
    answer = client.post(f"{url}/escalate", json={"reason": "KYC mismatch"}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["to_team_id"], answer.json()["to_tier"]) == (w["l2"], "L2")
    # the agent (L1 only, unassigned now) no longer sees the ticket
    assert client.post(f"{url}/deescalate", headers=headers).status_code == 404
    with app.state.sessionmaker() as session:
        ticket = session.get_one(Ticket, w["ticket"])
        assert (ticket.team_id, ticket.priority) == (w["l2"], Priority.high)
        esc.do_deescalate(session, SYSTEM, ticket)
        session.commit()
    again = client.post(f"{url}/deescalate", headers=headers)
    assert again.status_code == 409


def test_console_escalate_button_with_reason(client: TestClient, app: Any) -> None:
    w = _committed_tiers(app)
    login = client.post(
        "/console/login",
        data={"email": w["agent_email"], "password": PASSWORD},
        follow_redirects=False,
    )
    assert login.status_code == 303
    panel = client.get(f"/console/tickets/{w['ticket']}/escalation")
    assert panel.status_code == 200 and 'id="escalate-form"' in panel.text
    empty = client.post(
        f"/console/tickets/{w['ticket']}/escalate", data={"reason": ""}, follow_redirects=True
    )
    assert "Say why the ticket is escalated" in empty.text
    done = client.post(
        f"/console/tickets/{w['ticket']}/escalate",
        data={"reason": "Chain issue"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/inbox"  # out of the L1 agent's sight now
    with app.state.sessionmaker() as session:
        ticket = session.get_one(Ticket, w["ticket"])
        assert ticket.team_id == w["l2"]
        told = session.scalars(
            select(Notification).where(
                Notification.ticket_id == ticket.id, Notification.kind == "escalated"
            )
        )
        assert [n.agent_id for n in told] == [w["lead"]]


def test_triage_applies_an_escalating_rule(db_session: Session) -> None:
    l1, l2, _ = _tiers(db_session)
    admin = make_agent(db_session, Role.admin)
    routing.do_create_rule(
        db_session,
        actor_of(admin),
        routing.RuleIn(name="Hacked: up", intents=["account_compromised"], escalate=True),
    )
    ticket = make_ticket(
        db_session,
        actor=SYSTEM,
        subject="Account hacked",
        body="My account was hacked, someone withdrew all my BTC and changed my email",
        team_id=l1.id,
    )
    message_id = db_session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
    assert message_id is not None
    prediction = routing.triage_message(db_session, message_id)
    assert prediction is not None and prediction.intent == "account_compromised"
    assert ticket.team_id == l2.id
    (event,) = _events(db_session, ticket, "ticket.escalated")
    assert event.after is not None
    assert (event.after["trigger"], event.after["reason"]) == ("routing_rule", "Hacked: up")


def test_the_rule_api_and_form_carry_escalate(client: TestClient, seeded: dict[str, Any]) -> None:
    headers = bearer(seeded["admin_token"])
    body = {"name": "Escalate KYC", "intents": ["kyc_verification"], "escalate": True}
    created = client.post("/api/v1/routing/rules", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["escalate"] is True
    rule_id = created.json()["id"]
    assert client.delete(f"/api/v1/routing/rules/{rule_id}", headers=headers).status_code == 204


def test_admin_page_sets_a_teams_next_tier(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    with app.state.sessionmaker() as session:
        l1, l2 = make_team(session), make_team(session, Tier.l2)
        session.commit()
        l1_id, l2_id = l1.id, l2.id
    data = {"email": seeded["admin"].email, "password": PASSWORD}
    assert client.post("/console/login", data=data).status_code == 200
    page = client.get("/console/escalation")
    assert page.status_code == 200 and f'id="escalation-{l1_id}"' in page.text
    down = client.post(f"/console/escalation/{l2_id}", data={"escalation_team_id": str(l1_id)})
    assert "A team escalates to a team of a higher tier" in down.text
    saved = client.post(f"/console/escalation/{l1_id}", data={"escalation_team_id": str(l2_id)})
    assert "Saved" in saved.text
    with app.state.sessionmaker() as session:
        assert session.get_one(Team, l1_id).escalation_team_id == l2_id
        assert session.get_one(Team, l2_id).escalation_team_id is None
    agent = {"email": seeded["agent"].email, "password": PASSWORD}
    client.post("/console/logout")
    client.post("/console/login", data=agent)
    assert client.get("/console/escalation").status_code == 403
