"""Ticket services on SQLite and PostgreSQL: every change writes its event, status rules hold,
permissions are checked, and reads are scoped to what the actor may see."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    TicketClosed,
    TooLarge,
)
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as svc
from ledgerdesk.tickets.attachments import AttachmentIn, read_blob
from ledgerdesk.tickets.merge import do_merge
from ledgerdesk.tickets.models import MessageKind, Priority, Status, Ticket
from ledgerdesk.tickets.tags import do_tag, do_untag
from tests.conftest import actor_of, make_agent, make_customer, make_team, make_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def actions(session: Session, ticket: Ticket) -> list[str]:
    return [e.action for e in queries.ticket_events(session, ticket)]


def test_create_writes_ticket_message_and_event(db_session: Session) -> None:
    customer = make_customer(db_session)
    ticket = make_ticket(
        db_session, customer, subject="充值未到账 USDT", body="我充值的USDT还没到账"
    )
    assert ticket.status == Status.new
    assert ticket.language == "zh"
    messages = queries.ticket_messages(db_session, SYSTEM, ticket)
    assert [m.author_customer_id for m in messages] == [customer.id]
    events = queries.ticket_events(db_session, ticket)
    assert [e.action for e in events] == ["ticket.created"]
    assert events[0].actor_kind.value == "customer"
    assert events[0].after is not None and events[0].after["subject"] == "充值未到账 USDT"


def test_agent_opened_ticket_keeps_customer_as_author(db_session: Session) -> None:
    agent = make_agent(db_session)
    customer = make_customer(db_session)
    ticket = make_ticket(
        db_session, customer, actor=actor_of(agent), priority=Priority.high, tags=["VIP", "usdt"]
    )
    message = queries.ticket_messages(db_session, SYSTEM, ticket)[0]
    assert message.author_customer_id == customer.id
    assert ticket.priority == Priority.high
    assert [t.name for t in ticket.tags] == ["usdt", "vip"]


def test_customer_cannot_route_or_open_for_someone_else(db_session: Session) -> None:
    alice, bob = make_customer(db_session), make_customer(db_session)
    with pytest.raises(NotPermitted):
        make_ticket(db_session, bob, actor=customer_actor(alice))
    with pytest.raises(NotPermitted):
        make_ticket(db_session, alice, priority=Priority.urgent)


@pytest.mark.parametrize(("subject", "body"), [("", "x"), ("  ", "x"), ("x", ""), ("x" * 301, "x")])
def test_create_rejects_bad_text(db_session: Session, subject: str, body: str) -> None:
    with pytest.raises(InvalidInput):
        make_ticket(db_session, subject=subject, body=body)


def test_agent_reply_opens_and_times_first_reply(db_session: Session) -> None:
    agent = make_agent(db_session)
    ticket = make_ticket(db_session)
    svc.do_agent_reply(db_session, actor_of(agent), ticket, "Please share the TxID.")
    assert ticket.status == Status.open
    first = ticket.first_reply_at
    assert first is not None
    svc.do_agent_reply(db_session, actor_of(agent), ticket, "Thanks", status=Status.pending)
    assert ticket.status == Status.pending
    assert ticket.first_reply_at == first
    assert actions(db_session, ticket) == [
        "ticket.created",
        "message.public",
        "ticket.status_changed",
        "message.public",
        "ticket.status_changed",
    ]


def test_note_is_hidden_from_customer_and_does_not_count_as_reply(db_session: Session) -> None:
    agent = make_agent(db_session)
    customer = make_customer(db_session)
    ticket = make_ticket(db_session, customer)
    svc.do_add_note(db_session, actor_of(agent), ticket, "Checked chain: 12 confirmations")
    assert ticket.first_reply_at is None
    assert ticket.status == Status.new
    seen_by_customer = queries.ticket_messages(db_session, customer_actor(customer), ticket)
    assert all(m.kind == MessageKind.public for m in seen_by_customer)
    assert len(queries.ticket_messages(db_session, actor_of(agent), ticket)) == 2


@pytest.mark.parametrize("start", [Status.pending, Status.on_hold, Status.solved])
def test_customer_reply_reopens(db_session: Session, start: Status) -> None:
    agent = make_agent(db_session)
    customer = make_customer(db_session)
    ticket = make_ticket(db_session, customer)
    svc.do_set_status(db_session, actor_of(agent), ticket, start)
    svc.do_customer_reply(db_session, customer_actor(customer), ticket, "Still not arrived")
    assert ticket.status == Status.open
    assert ticket.solved_at is None
    last = queries.ticket_events(db_session, ticket)[-1]
    assert last.action == "ticket.status_changed"
    assert last.after == {"status": "open", "reason": "customer_reply"}


def test_closed_is_final(db_session: Session) -> None:
    agent = make_agent(db_session, Role.lead)
    customer = make_customer(db_session)
    ticket = make_ticket(db_session, customer)
    with pytest.raises(InvalidTransition):
        svc.do_set_status(db_session, actor_of(agent), ticket, Status.closed)
    svc.do_set_status(db_session, actor_of(agent), ticket, Status.solved)
    assert ticket.solved_at is not None
    svc.do_set_status(db_session, actor_of(agent), ticket, Status.closed)
    assert ticket.closed_at is not None
    for attempt in (
        lambda: svc.do_customer_reply(db_session, customer_actor(customer), ticket, "hello?"),
        lambda: svc.do_agent_reply(db_session, actor_of(agent), ticket, "hi"),
        lambda: svc.do_set_status(db_session, actor_of(agent), ticket, Status.open),
        lambda: svc.do_set_priority(db_session, actor_of(agent), ticket, Priority.high),
        lambda: do_tag(db_session, actor_of(agent), ticket, ["x"]),
    ):
        with pytest.raises(TicketClosed):
            attempt()


def test_cannot_return_to_new(db_session: Session) -> None:
    agent = make_agent(db_session)
    ticket = make_ticket(db_session)
    svc.do_set_status(db_session, actor_of(agent), ticket, Status.open)
    with pytest.raises(InvalidTransition):
        svc.do_set_status(db_session, actor_of(agent), ticket, Status.new)


def test_priority_and_tags_record_events(db_session: Session) -> None:
    agent = make_agent(db_session)
    ticket = make_ticket(db_session)
    svc.do_set_priority(db_session, actor_of(agent), ticket, Priority.urgent)
    assert do_tag(db_session, actor_of(agent), ticket, ["Withdrawal", "trc20", "trc20"]) == [
        "trc20",
        "withdrawal",
    ]
    assert do_tag(db_session, actor_of(agent), ticket, ["trc20"]) == []
    assert do_untag(db_session, actor_of(agent), ticket, ["trc20", "nope"]) == ["trc20"]
    assert [t.name for t in ticket.tags] == ["withdrawal"]
    events = queries.ticket_events(db_session, ticket)[1:]
    assert [(e.action, e.before, e.after) for e in events] == [
        ("ticket.priority_changed", {"priority": "normal"}, {"priority": "urgent"}),
        ("ticket.tagged", None, {"tags": ["trc20", "withdrawal"]}),
        ("ticket.untagged", {"tags": ["trc20"]}, None),
    ]
    with pytest.raises(InvalidInput):
        do_tag(db_session, actor_of(agent), ticket, ["has space"])


def test_assignment_rules(db_session: Session) -> None:
    team = make_team(db_session)
    agent, other = make_agent(db_session, teams=[team]), make_agent(db_session, teams=[team])
    lead = make_agent(db_session, Role.lead)
    ticket = make_ticket(db_session)
    svc.do_assign(db_session, actor_of(agent), ticket, agent_id=agent.id, team_id=team.id)
    assert (ticket.assignee_id, ticket.team_id) == (agent.id, team.id)
    with pytest.raises(NotPermitted):
        svc.do_assign(db_session, actor_of(agent), ticket, agent_id=other.id)
    svc.do_assign(db_session, actor_of(lead), ticket, agent_id=other.id)
    assert ticket.assignee_id == other.id
    with pytest.raises(InvalidInput):
        svc.do_assign(db_session, actor_of(lead), ticket, agent_id=999_999)
    with pytest.raises(InvalidInput):
        svc.do_assign(db_session, actor_of(lead), ticket, team_id=999_999)
    assigned = [
        e for e in queries.ticket_events(db_session, ticket) if e.action == "ticket.assigned"
    ]
    assert [(e.before, e.after) for e in assigned] == [
        ({"assignee_id": None}, {"assignee_id": agent.id}),
        ({"assignee_id": agent.id}, {"assignee_id": other.id}),
    ]


def test_visibility_by_team(db_session: Session) -> None:
    l1, security = make_team(db_session), make_team(db_session)
    l1_agent = make_agent(db_session, teams=[l1])
    lead = make_agent(db_session, Role.lead)
    ticket = make_ticket(db_session)
    svc.do_assign(db_session, actor_of(lead), ticket, team_id=security.id)
    with pytest.raises(NotFound):
        svc.access_ticket(db_session, actor_of(l1_agent), ticket.id)
    assert svc.access_ticket(db_session, actor_of(lead), ticket.id) is ticket
    svc.do_assign(db_session, actor_of(lead), ticket, agent_id=l1_agent.id)
    assert svc.access_ticket(db_session, actor_of(l1_agent), ticket.id).id == ticket.id


def test_customer_sees_only_own_tickets(db_session: Session) -> None:
    alice, bob = make_customer(db_session), make_customer(db_session)
    mine = make_ticket(db_session, alice)
    theirs = make_ticket(db_session, bob)
    with pytest.raises(NotFound):
        svc.access_ticket(db_session, customer_actor(alice), theirs.id)
    with pytest.raises(NotFound):
        svc.do_customer_reply(db_session, customer_actor(alice), theirs, "hi")
    items, total = queries.list_tickets(db_session, customer_actor(alice), queries.TicketFilter())
    assert [t.id for t in items] == [mine.id] and total == 1


def test_merge_moves_messages_and_closes_source(db_session: Session) -> None:
    lead = make_agent(db_session, Role.lead)
    customer = make_customer(db_session)
    target = make_ticket(db_session, customer, subject="Withdrawal stuck")
    source = make_ticket(
        db_session,
        customer,
        subject="Withdrawal stuck again",
        tags=[],
        body="Second message about the same withdrawal",
    )
    do_tag(db_session, actor_of(lead), source, ["dup"])
    do_merge(db_session, actor_of(lead), source, target)
    assert source.status == Status.closed and source.merged_into_id == target.id
    bodies = [m.body for m in queries.ticket_messages(db_session, SYSTEM, target)]
    assert "Second message about the same withdrawal" in bodies and len(bodies) == 2
    assert [t.name for t in target.tags] == ["dup"]
    assert actions(db_session, target)[-1] == "ticket.merged"
    assert "ticket.merged_into" in actions(db_session, source)


def test_merge_refuses_other_customer_and_agents(db_session: Session) -> None:
    lead, agent = make_agent(db_session, Role.lead), make_agent(db_session)
    one, two = make_ticket(db_session), make_ticket(db_session)
    with pytest.raises(InvalidInput):
        do_merge(db_session, actor_of(lead), one, two)
    with pytest.raises(InvalidInput):
        do_merge(db_session, actor_of(lead), one, one)
    with pytest.raises(NotPermitted):
        do_merge(db_session, actor_of(agent), one, two)


def test_attachments_are_checked_and_stored_by_hash(db_session: Session) -> None:
    customer = make_customer(db_session)
    ticket = make_ticket(
        db_session,
        customer,
        attachments=[AttachmentIn("../../etc/screen shot.png", "application/octet-stream", PNG)],
    )
    message = queries.ticket_messages(db_session, SYSTEM, ticket)[0]
    (attachment,) = message.attachments
    assert attachment.filename == "screen shot.png"
    assert attachment.content_type == "image/png"
    assert read_blob(attachment.sha256) == PNG
    for bad, error in [
        (AttachmentIn("empty.png", "image/png", b""), InvalidInput),
        (AttachmentIn("x.exe", "application/octet-stream", b"MZ\x90\x00"), InvalidInput),
        (AttachmentIn("big.txt", "text/plain", b"a" * (10 * 1024 * 1024 + 1)), TooLarge),
        (AttachmentIn("latin1.txt", "text/plain", "café".encode("latin-1")), InvalidInput),
    ]:
        with pytest.raises(error):
            svc.do_customer_reply(db_session, customer_actor(customer), ticket, "see file", [bad])


def test_list_filters_and_counts(db_session: Session) -> None:
    team = make_team(db_session)
    lead = make_agent(db_session, Role.lead, teams=[team])
    customer = make_customer(db_session, email="filter-target@example.com")
    a = make_ticket(
        db_session, customer, subject="ERC20 withdrawal pending", body="1000 USDT since noon"
    )
    b = make_ticket(db_session, subject="Cannot log in", body="验证码收不到")
    svc.do_assign(db_session, actor_of(lead), a, agent_id=lead.id, team_id=team.id)
    svc.do_set_priority(db_session, actor_of(lead), b, Priority.urgent)
    do_tag(db_session, actor_of(lead), b, ["login"])

    def ids(**kwargs: object) -> list[int]:
        items, _ = queries.list_tickets(db_session, actor_of(lead), queries.TicketFilter(**kwargs))
        return [t.id for t in items]

    assert a.id in ids(assignee_id=lead.id) and b.id not in ids(assignee_id=lead.id)
    assert ids(team_id=team.id) == [a.id]
    assert b.id in ids(priority=Priority.urgent) and a.id not in ids(priority=Priority.urgent)
    assert ids(tag="login") == [b.id]
    assert ids(text="erc20 WITHDRAWAL") == [a.id]
    assert ids(text="验证码") == [b.id]
    assert ids(text="filter-target@") == [a.id]
    assert ids(text=f"#{b.id}") == [b.id]
    # Wildcard characters are literal: "100%_\\" must not match "1000 USDT" (scoped to this
    # test's team: other tests' tickets on the shared database may well say "100%").
    assert ids(text="1000 USDT", team_id=team.id) == [a.id]
    assert ids(text="100%_\\", team_id=team.id) == []
    counts = queries.view_counts(db_session, actor_of(lead))
    assert counts["mine"] >= 1 and counts[f"team:{team.id}"] == 1
    assert counts["open"] >= counts["unassigned"]


def test_pagination(db_session: Session) -> None:
    customer = make_customer(db_session)
    made = [make_ticket(db_session, customer, subject=f"t{i}").id for i in range(5)]
    actor = customer_actor(customer)
    first, total = queries.list_tickets(db_session, actor, queries.TicketFilter(), per_page=2)
    second, _ = queries.list_tickets(db_session, actor, queries.TicketFilter(), page=3, per_page=2)
    assert total == 5 and len(first) == 2 and len(second) == 1
    assert {t.id for t in first} | {t.id for t in second} <= set(made)
    with pytest.raises(InvalidInput):
        queries.list_tickets(db_session, actor, queries.TicketFilter(), page=0)


def test_events_are_never_rewritten(db_session: Session) -> None:
    agent = make_agent(db_session)
    ticket = make_ticket(db_session)
    svc.do_agent_reply(db_session, actor_of(agent), ticket, "hi", status=Status.solved)
    before = [(e.id, e.action, e.after) for e in queries.ticket_events(db_session, ticket)]
    svc.do_customer_reply(db_session, customer_actor(ticket.requester), ticket, "thanks, but…")
    after = [(e.id, e.action, e.after) for e in queries.ticket_events(db_session, ticket)]
    assert after[: len(before)] == before
    assert len(after) == len(before) + 2  # the reply and the reopening
