"""Committed messages are published by the session hooks, whatever path wrote them; nothing
is published for a rollback; chat tickets also hint the desk's queue and their status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts.services import customer_actor
from ledgerdesk.chat import publish
from ledgerdesk.chat.bus import Bus, Event
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.checks import DuplicateMessage
from ledgerdesk.tickets.models import Channel, MessageKind, Status
from tests.conftest import actor_of, make_agent, make_customer, make_ticket


class RecordingBus(Bus):
    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[str, Event]] = []

    def publish(self, topic: str, event: Event) -> None:
        self.published.append((topic, event))

    def take(self) -> list[tuple[str, Event]]:
        taken, self.published = self.published, []
        return taken


@pytest.fixture
def hooked(engine: Engine) -> Iterator[tuple[sessionmaker[Session], RecordingBus]]:
    factory = make_sessionmaker(engine)
    bus = RecordingBus()
    publish.install(factory, bus)
    yield factory, bus


def _messages(published: list[tuple[str, Event]]) -> list[tuple[str, Any, Any]]:
    return [(t, e["seq"], e["body"]) for t, e in published if e["type"] == "message"]


def test_a_committed_chat_message_is_published_after_commit(
    hooked: tuple[sessionmaker[Session], RecordingBus],
) -> None:
    factory, bus = hooked
    with factory() as session:
        customer = make_customer(session)
        ticket = make_ticket(
            session,
            customer,
            channel=Channel.chat,
            body="我的USDT充值没到账",
            client_id="open-0001",
        )
        assert bus.published == []  # nothing before the commit
        session.commit()
        topic = f"t:{ticket.id}"
        published = bus.take()
        assert _messages(published) == [(topic, 1, "我的USDT充值没到账")]
        item = published[0][1]
        assert item["conversation"] == ticket.id and item["client_id"] == "open-0001"
        assert item["author"] == {"kind": "customer", "name": customer.name}
        assert ("desk", {"type": "queue"}) in published

        agent = make_agent(session)
        attachment = AttachmentIn("receipt.txt", "text/plain", b"tx 0xabc confirmed")
        tickets.do_add_message(
            session, actor_of(agent), ticket, "Checking now", attachments=[attachment]
        )
        tickets.do_add_message(
            session, actor_of(agent), ticket, "internal: looks fine", kind=MessageKind.note
        )
        session.commit()
        published = bus.take()
        assert _messages(published) == [
            (topic, 2, "Checking now"),
            (topic, 3, "internal: looks fine"),
        ]
        reply = published[0][1]
        assert reply["author"] == {"kind": "agent", "name": agent.name}
        assert [a["filename"] for a in reply["attachments"]] == ["receipt.txt"]
        assert published[1][1]["kind"] == "note"
        assert (topic, {"type": "status", "conversation": ticket.id, "status": "open"}) in published
        assert ("desk", {"type": "queue"}) in published


def test_nothing_is_published_for_a_rollback_or_a_rolled_back_savepoint(
    hooked: tuple[sessionmaker[Session], RecordingBus],
) -> None:
    factory, bus = hooked
    with factory() as session:
        customer = make_customer(session)
        ticket = make_ticket(session, customer, channel=Channel.chat)
        session.commit()
        bus.take()
        actor = customer_actor(customer)
        tickets.do_add_message(session, actor, ticket, "first try")
        session.rollback()
        assert bus.take() == []
        # A resend: the duplicate's savepoint rolls back, the outer message still publishes.
        tickets.do_add_message(session, actor, ticket, "kept", client_id="client-0001")
        with pytest.raises(DuplicateMessage), session.begin_nested():
            tickets.do_add_message(session, actor, ticket, "kept", client_id="client-0001")
        session.commit()
        assert _messages(bus.take()) == [(f"t:{ticket.id}", 2, "kept")]


def test_other_channels_publish_messages_but_no_queue_hint(
    hooked: tuple[sessionmaker[Session], RecordingBus],
) -> None:
    factory, bus = hooked
    with factory() as session:
        ticket = make_ticket(session, channel=Channel.portal)
        session.commit()
        published = bus.take()
        assert [t for t, _ in published] == [f"t:{ticket.id}"]
        tickets.do_set_status(session, actor_of(make_agent(session)), ticket, Status.pending)
        session.commit()
        assert bus.take() == []  # status events are for chat conversations


def test_a_message_added_in_a_released_savepoint_is_published_once_at_the_commit(
    hooked: tuple[sessionmaker[Session], RecordingBus],
) -> None:
    """Releasing a savepoint fires the session's commit events too; only the outermost
    commit publishes (the chat services add every message inside a savepoint)."""
    factory, bus = hooked
    with factory() as session:
        customer = make_customer(session)
        ticket = make_ticket(session, customer, channel=Channel.chat)
        session.commit()
        bus.take()
        with session.begin_nested():
            tickets.do_add_message(session, customer_actor(customer), ticket, "in a savepoint")
        assert bus.published == []
        session.commit()
        assert _messages(bus.take()) == [(f"t:{ticket.id}", 2, "in a savepoint")]


def test_items_built_from_memory_match_the_stored_messages(
    hooked: tuple[sessionmaker[Session], RecordingBus],
) -> None:
    """A commit builds the items of the messages it wrote from the objects in hand where it
    can (issue 19): they must equal what the database replays, attachments, authors and the
    guard's automatic answer included."""
    from ledgerdesk.chat.services import items_after

    factory, bus = hooked
    seed = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    with factory() as session:
        customer = make_customer(session)
        ticket = make_ticket(session, customer, channel=Channel.chat, client_id="open-0002")
        agent = make_agent(session)
        tickets.do_add_message(session, actor_of(agent), ticket, "Looking", client_id="a-000001")
        tickets.do_add_message(
            session,
            actor_of(agent),
            ticket,
            "with a file",
            attachments=[AttachmentIn("tx.txt", "text/plain", b"tx 0xabc")],
        )
        tickets.do_add_message(session, actor_of(agent), ticket, "note", kind=MessageKind.note)
        tickets.do_add_message(session, customer_actor(customer), ticket, f"my words {seed}")
        session.commit()
        published = [e for _, e in bus.take() if e["type"] == "message"]
    with factory() as session:
        stored = items_after(session, ticket.id, 0, audience="agent")
    assert len(stored) == 6  # opening, three by the agent, the customer's, the guard's answer
    assert published == stored
