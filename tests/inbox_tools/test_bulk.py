"""Bulk actions through the ordinary services: one event per changed ticket, a permission
check per ticket, and a count of what changed, was already so, or was refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.tickets import bulk
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Event, Status, Ticket
from tests.conftest import actor_of, make_agent, make_customer, make_team, make_ticket


def _events(db: Session, ticket_ids: list[int], action: str) -> dict[int, int]:
    rows = db.execute(
        select(Event.ticket_id, func.count())
        .where(Event.ticket_id.in_(ticket_ids), Event.action == action)
        .group_by(Event.ticket_id)
    ).all()
    return {int(t): int(n) for t, n in rows}


def test_lead_bulk_assigns_with_one_event_each(db_session: Session) -> None:
    team, other_team = make_team(db_session), make_team(db_session)
    lead = actor_of(make_agent(db_session, Role.lead, [team]))
    target = make_agent(db_session, Role.agent, [team])
    mine = [make_ticket(db_session, team_id=team.id, actor=lead) for _ in range(3)]
    already = make_ticket(db_session, team_id=team.id, actor=lead)
    tickets.do_assign(db_session, lead, already, agent_id=target.id)
    ids = [t.id for t in mine] + [already.id]

    result = bulk.do_bulk_assign(db_session, lead, ids, target.id)

    assert sorted(result.changed) == sorted(t.id for t in mine)
    assert result.unchanged == [already.id] and result.refused == []
    assert _events(db_session, ids, "ticket.assigned") == {i: 1 for i in ids}
    assert all(db_session.get(Ticket, i).assignee_id == target.id for i in ids)  # type: ignore[union-attr]
    # a plain agent can take tickets but not give them to someone else; and a ticket of a
    # team they are not in is not found for them
    agent = actor_of(make_agent(db_session, Role.agent, [team]))
    hidden = make_ticket(db_session, team_id=other_team.id, actor=lead)
    refused = bulk.do_bulk_assign(db_session, agent, [mine[0].id, hidden.id], target.id)
    assert refused.changed == [] and refused.unchanged == [mine[0].id]
    taken = bulk.do_bulk_assign(db_session, agent, [mine[0].id, hidden.id], agent.id)
    assert taken.changed == [mine[0].id]
    assert [i for i, _ in taken.refused] == [hidden.id]
    assert "not found" in taken.refused[0][1]
    someone_else = make_agent(db_session, Role.agent, [team])
    refused = bulk.do_bulk_assign(db_session, agent, [mine[1].id], someone_else.id)
    assert [i for i, _ in refused.refused] == [mine[1].id]
    assert db_session.get(Ticket, mine[1].id).assignee_id == target.id  # type: ignore[union-attr]


def test_bulk_status_tag_and_team(db_session: Session) -> None:
    team = make_team(db_session)
    lead = actor_of(make_agent(db_session, Role.lead, [team]))
    a, b, c = (make_ticket(db_session, actor=lead) for _ in range(3))
    tickets.do_set_status(db_session, lead, c, Status.solved)
    tickets.do_set_status(db_session, lead, c, Status.closed)

    solved = bulk.do_bulk_status(db_session, lead, [a.id, b.id, c.id], Status.pending)
    assert sorted(solved.changed) == sorted([a.id, b.id])
    assert [i for i, _ in solved.refused] == [c.id]  # closed tickets do not change
    tagged = bulk.do_bulk_tag(db_session, lead, [a.id, b.id], "Outage-TRON")
    assert sorted(tagged.changed) == sorted([a.id, b.id])
    assert {t.name for t in a.tags} == {"outage-tron"}
    again = bulk.do_bulk_tag(db_session, lead, [a.id], "outage-tron")
    assert again.unchanged == [a.id]
    assert _events(db_session, [a.id, b.id], "ticket.tagged") == {a.id: 1, b.id: 1}
    moved = bulk.do_bulk_team(db_session, lead, [a.id, b.id], team.id)
    assert sorted(moved.changed) == sorted([a.id, b.id]) and a.team_id == team.id
    with pytest.raises(InvalidInput):
        bulk.do_bulk_tag(db_session, lead, [a.id], "not a tag!")
    with pytest.raises(InvalidInput):
        bulk.do_bulk_status(db_session, lead, [], Status.open)
    with pytest.raises(InvalidInput):
        bulk.do_bulk_status(db_session, lead, list(range(1, bulk.MAX_BULK + 2)), Status.open)


def test_bulk_merge_into_the_oldest_or_a_chosen_one(db_session: Session) -> None:
    lead = actor_of(make_agent(db_session, Role.lead))
    customer, stranger = make_customer(db_session), make_customer(db_session)
    start = datetime(2026, 4, 1, 8, 0)
    made = []
    for n in range(3):
        with frozen_at(start + timedelta(minutes=n)):
            made.append(make_ticket(db_session, customer, subject=f"Deposit {n}"))
    theirs = make_ticket(db_session, stranger)
    oldest = made[0]
    into, result = bulk.do_bulk_merge(
        db_session, lead, [made[2].id, theirs.id, made[1].id, oldest.id]
    )
    assert into == oldest.id
    assert sorted(result.changed) == sorted([made[1].id, made[2].id])
    assert [i for i, _ in result.refused] == [theirs.id]  # another customer's ticket
    assert made[1].status == Status.closed and made[1].merged_into_id == oldest.id
    assert _events(db_session, [oldest.id], "ticket.merged") == {oldest.id: 2}

    x, y = make_ticket(db_session, customer), make_ticket(db_session, customer)
    into, result = bulk.do_bulk_merge(db_session, lead, [x.id, y.id], target_id=y.id)
    assert into == y.id and result.changed == [x.id]
    with pytest.raises(InvalidInput):
        bulk.do_bulk_merge(db_session, lead, [x.id, y.id], target_id=oldest.id)
    with pytest.raises(InvalidInput):
        bulk.do_bulk_merge(db_session, lead, [y.id])
    agent = actor_of(make_agent(db_session))
    p, q = make_ticket(db_session, customer), make_ticket(db_session, customer)
    _, refused = bulk.do_bulk_merge(db_session, agent, [p.id, q.id])
    assert refused.changed == [] and len(refused.refused) == 1  # merging is for leads
