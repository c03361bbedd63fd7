"""Chat services on real databases: every message numbered, stored once per client id, seen
only by who may see it; replay, marks, the visitor's list, the queue and the offline form."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer, Role
from ledgerdesk.accounts.services import SYSTEM, agent_actor, customer_actor
from ledgerdesk.chat import services as chat
from ledgerdesk.chat.models import ChatConversation
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import InvalidInput, NotFound, TicketClosed, TooLarge
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.checks import DuplicateMessage
from ledgerdesk.tickets.merge import do_merge
from ledgerdesk.tickets.models import Channel, Message, MessageKind, Status, Ticket
from tests.chat.support import chat_settings, email_visitor, mailed_code
from tests.conftest import make_agent, make_customer, make_ticket, unique

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# A BIP-39 phrase: the guard must redact it wherever a person typed it.
PHRASE = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def seqs(session: Session, ticket_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Message.seq).where(Message.ticket_id == ticket_id).order_by(Message.id)
        )
    )


def open_chat(session: Session, visitor: chat.Visitor, text: str = "Deposit missing") -> chat.Ack:
    return chat.send_customer_message(session, visitor, None, unique("open"), text)


# --- numbering and duplicates ----------------------------------------------------------


def test_every_message_of_every_ticket_gets_the_next_seq(db_session: Session) -> None:
    customer = make_customer(db_session)
    ticket = make_ticket(db_session, customer)
    agent = make_agent(db_session, Role.admin)
    assert ticket.last_seq == 1
    tickets.do_add_message(db_session, customer_actor(customer), ticket, "more detail")
    tickets.do_add_note(db_session, agent_actor(agent), ticket, "internal")
    tickets.do_agent_reply(db_session, agent_actor(agent), ticket, "answer")
    # A secret in the customer's words adds the desk's warning: numbered too.
    tickets.do_add_message(db_session, customer_actor(customer), ticket, f"my seed {PHRASE}")
    db_session.flush()
    assert seqs(db_session, ticket.id) == [1, 2, 3, 4, 5, 6]
    db_session.refresh(ticket)
    assert ticket.last_seq == 6


def test_add_message_with_a_known_client_id_raises_duplicate(db_session: Session) -> None:
    customer = make_customer(db_session)
    ticket = make_ticket(db_session, customer)
    actor = customer_actor(customer)
    first = tickets.do_add_message(db_session, actor, ticket, "once", client_id="cid-0000001")
    with pytest.raises(DuplicateMessage) as raised:
        tickets.do_add_message(db_session, actor, ticket, "once", client_id="cid-0000001")
    assert raised.value.message.id == first.id


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space ok", "ünïcode-id", ""])
def test_client_ids_are_checked(db_session: Session, bad: str) -> None:
    visitor, _ = email_visitor(db_session)
    with pytest.raises(InvalidInput) as raised:
        chat.send_customer_message(db_session, visitor, None, bad, "hello")
    assert raised.value.field == "client_id"


def test_the_same_client_id_twice_is_stored_once(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    opened = chat.send_customer_message(db_session, visitor, None, "open-000001", "Hello")
    again = chat.send_customer_message(db_session, visitor, None, "open-000001", "Hello")
    assert not opened.duplicate and again.duplicate
    assert (again.conversation, again.seq, again.message_id) == (
        opened.conversation,
        1,
        opened.message_id,
    )
    sent = chat.send_customer_message(db_session, visitor, opened.conversation, "msg-0000001", "x")
    resent = chat.send_customer_message(
        db_session, visitor, opened.conversation, "msg-0000001", "x"
    )
    assert (sent.seq, sent.duplicate, resent.seq, resent.duplicate) == (2, False, 2, True)
    assert resent.message_id == sent.message_id
    count = db_session.scalar(
        select(func.count(Message.id)).where(Message.ticket_id == opened.conversation)
    )
    assert count == 2
    tickets_of_visitor = db_session.scalar(
        select(func.count(ChatConversation.ticket_id)).where(
            ChatConversation.visitor_id == visitor.id
        )
    )
    assert tickets_of_visitor == 1
    # The resend took no number: the next message is 3.
    nxt = chat.send_customer_message(db_session, visitor, opened.conversation, "msg-0000002", "y")
    assert nxt.seq == 3


def test_a_client_id_is_per_conversation(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    one, two = open_chat(db_session, visitor), open_chat(db_session, visitor)
    a = chat.send_customer_message(db_session, visitor, one.conversation, "same-000001", "a")
    b = chat.send_customer_message(db_session, visitor, two.conversation, "same-000001", "b")
    assert not a.duplicate and not b.duplicate and a.message_id != b.message_id


def test_agent_messages_are_stored_once_too(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    opened = open_chat(db_session, visitor)
    agent = agent_actor(make_agent(db_session, Role.admin))
    first = chat.send_agent_message(db_session, agent, opened.conversation, "agent-00001", "Hi")
    again = chat.send_agent_message(db_session, agent, opened.conversation, "agent-00001", "Hi")
    note = chat.send_agent_message(
        db_session, agent, opened.conversation, "agent-00002", "check", kind=MessageKind.note
    )
    assert (first.seq, again.seq, again.duplicate, note.seq) == (2, 2, True, 3)
    ticket = db_session.get(Ticket, opened.conversation)
    assert ticket is not None and ticket.status == Status.open and ticket.first_reply_at


def test_a_chat_ticket_is_a_ticket(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    text = "First line is the subject " + "x" * 100 + "\nsecond line"
    opened = chat.send_customer_message(
        db_session, visitor, None, "open-000002", text, page_url="https://ex.example/deposit"
    )
    ticket = db_session.get(Ticket, opened.conversation)
    assert ticket is not None
    assert ticket.channel == Channel.chat and ticket.requester_id == visitor.customer_id
    assert ticket.subject == text.splitlines()[0][:80]
    conversation = db_session.get(ChatConversation, ticket.id)
    assert conversation is not None and conversation.visitor_id == visitor.id
    assert conversation.page_url == "https://ex.example/deposit" and not conversation.offline


def test_page_url_must_be_a_web_address_and_is_guarded(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    with pytest.raises(InvalidInput) as raised:
        chat.send_customer_message(
            db_session, visitor, None, "open-000003", "hi", page_url="javascript:alert(1)"
        )
    assert raised.value.field == "page_url"
    opened = chat.send_customer_message(
        db_session,
        visitor,
        None,
        "open-000004",
        "hi",
        page_url="https://ex.example/?q=" + PHRASE.replace(" ", "+"),
    )
    conversation = db_session.get(ChatConversation, opened.conversation)
    assert conversation is not None and "absorb" not in conversation.page_url


def test_message_text_limits_and_files_only(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    with chat_settings(LEDGERDESK_CHAT_MAX_MESSAGE_CHARS="10"):
        with pytest.raises(TooLarge, match="longer than 10 characters"):
            chat.send_customer_message(db_session, visitor, None, "open-000005", "x" * 11)
        with pytest.raises(InvalidInput, match="empty"):
            chat.send_customer_message(db_session, visitor, None, "open-000006", "   ")
    files = [AttachmentIn("shot.png", "image/png", PNG)]
    opened = chat.send_customer_message(db_session, visitor, None, "open-000007", "", files)
    item = chat.items_after(db_session, opened.conversation, 0, audience="customer")[0]
    assert item["body"] == "📎 shot.png"
    assert [a["filename"] for a in item["attachments"]] == ["shot.png"]


def test_secrets_in_chat_messages_are_redacted_before_storage(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    opened = chat.send_customer_message(db_session, visitor, None, "open-000008", PHRASE)
    items = chat.items_after(db_session, opened.conversation, 0, audience="customer")
    assert "absorb" not in items[0]["body"]
    assert items[1]["author"]["kind"] == "system"  # the desk's warning, seq 2


def test_a_closed_conversation_takes_no_more_messages(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    opened = open_chat(db_session, visitor)
    before = chat.send_customer_message(
        db_session, visitor, opened.conversation, "bye-0000001", "x"
    )
    ticket = db_session.get(Ticket, opened.conversation)
    assert ticket is not None
    tickets.do_set_status(db_session, SYSTEM, ticket, Status.solved)
    tickets.do_set_status(db_session, SYSTEM, ticket, Status.closed)
    with pytest.raises(TicketClosed):
        chat.send_customer_message(db_session, visitor, ticket.id, "late-000001", "hello?")
    # A resend of what was stored before the close (its ack was lost) still gets the ack.
    again = chat.send_customer_message(db_session, visitor, ticket.id, "bye-0000001", "x")
    assert again.duplicate and (again.seq, again.message_id) == (before.seq, before.message_id)
    opening = chat.send_customer_message(db_session, visitor, None, opened.client_id, "x")
    assert opening.duplicate and opening.seq == 1


# --- access ------------------------------------------------------------------------------


def test_who_may_see_a_conversation(db_session: Session) -> None:
    email = f"{unique('owner')}@example.com"
    owner, _ = email_visitor(db_session, email)
    opened = open_chat(db_session, owner)
    assert chat.can_access(db_session, owner, opened.conversation).id == opened.conversation
    # Another unverified visitor naming the same address: not theirs.
    sibling, _ = email_visitor(db_session, email)
    with pytest.raises(NotFound):
        chat.can_access(db_session, sibling, opened.conversation)
    with pytest.raises(NotFound):
        chat.send_customer_message(db_session, sibling, opened.conversation, "x-00000001", "hi")
    # Another customer, verified or not: never.
    stranger, _ = email_visitor(db_session)
    verified_stranger = chat.Visitor(stranger.id, stranger.customer_id, "email", True)
    for who in (stranger, verified_stranger):
        with pytest.raises(NotFound):
            chat.can_access(db_session, who, opened.conversation)
    # Once the sibling proves the address, it sees all of the customer's chats.
    chat.start_verification(db_session, sibling, "en")
    proven = chat.verify(db_session, sibling, mailed_code(db_session, email))
    assert chat.can_access(db_session, proven, opened.conversation)
    # A portal ticket of the same customer is not a conversation.
    portal = make_ticket(db_session, db_session.get(Customer, owner.customer_id))
    with pytest.raises(NotFound):
        chat.can_access(db_session, proven, portal.id)
    with pytest.raises(NotFound):
        chat.can_access(db_session, proven, 2**31 - 1)


def test_agents_reach_chats_by_the_console_rules(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    opened = open_chat(db_session, visitor)
    ticket = db_session.get(Ticket, opened.conversation)
    assert ticket is not None
    from tests.conftest import make_team

    elsewhere = make_team(db_session)
    tickets.do_assign(db_session, SYSTEM, ticket, team_id=elsewhere.id)
    outsider = agent_actor(make_agent(db_session, Role.agent))
    with pytest.raises(NotFound):
        chat.send_agent_message(db_session, outsider, ticket.id, "agent-00003", "hi")
    member = agent_actor(make_agent(db_session, Role.agent, [elsewhere]))
    assert chat.send_agent_message(db_session, member, ticket.id, "agent-00004", "hi").seq == 2
    with pytest.raises(Exception, match="Only agents"):
        chat.send_agent_message(
            db_session, customer_actor(make_customer(db_session)), ticket.id, "c-00000001", "x"
        )


# --- replay and state -------------------------------------------------------------------


def _conversation_with_a_note(session: Session) -> tuple[chat.Visitor, int]:
    visitor, _ = email_visitor(session)
    opened = open_chat(session, visitor)
    agent = agent_actor(make_agent(session, Role.admin))
    chat.send_agent_message(
        session, agent, opened.conversation, "agent-n0001", "secret note", kind=MessageKind.note
    )
    chat.send_agent_message(session, agent, opened.conversation, "agent-r0001", "Reply one")
    chat.send_customer_message(session, visitor, opened.conversation, "cust-000001", "Thanks")
    chat.send_agent_message(
        session, agent, opened.conversation, "agent-n0002", "note two", kind=MessageKind.note
    )
    return visitor, opened.conversation


def test_notes_never_reach_customers(db_session: Session) -> None:
    _, conversation = _conversation_with_a_note(db_session)
    customer_items = chat.items_after(db_session, conversation, 0, audience="customer")
    assert [i["seq"] for i in customer_items] == [1, 3, 4]
    assert all(i["kind"] == "public" for i in customer_items)
    assert "secret note" not in str(customer_items)
    agent_items = chat.items_after(db_session, conversation, 0, audience="agent")
    assert [(i["seq"], i["kind"]) for i in agent_items] == [
        (1, "public"),
        (2, "note"),
        (3, "public"),
        (4, "public"),
        (5, "note"),
    ]
    # The customer's state ends at the last message they can see.
    assert chat.conversation_state(db_session, conversation, "customer")["last_seq"] == 4
    assert chat.conversation_state(db_session, conversation)["last_seq"] == 5


def test_items_after_replays_the_rest_in_order(db_session: Session) -> None:
    _, conversation = _conversation_with_a_note(db_session)
    rest = chat.items_after(db_session, conversation, 1, audience="customer")
    assert [i["seq"] for i in rest] == [3, 4]
    assert chat.items_after(db_session, conversation, 4, audience="customer") == []
    page = chat.items_after(db_session, conversation, 0, audience="agent", limit=2)
    assert [i["seq"] for i in page] == [1, 2]
    item = rest[0]
    assert item["type"] == "message" and item["conversation"] == conversation
    assert item["author"]["kind"] == "agent" and item["author"]["name"]
    assert item["created_at"].endswith("Z") and item["client_id"] == "agent-r0001"
    assert rest[1]["author"] == {"kind": "customer", "name": "Visitor"}
    with pytest.raises(InvalidInput):
        chat.items_after(db_session, conversation, 0, audience="everyone")


def test_marks_only_move_forward(db_session: Session) -> None:
    _, conversation = _conversation_with_a_note(db_session)
    assert chat.mark(db_session, conversation, "agent", "delivered", 3) == {
        "customer_delivered": 0,
        "customer_read": 0,
        "agent_delivered": 3,
        "agent_read": 0,
    }
    assert chat.mark(db_session, conversation, "agent", "delivered", 2) is None
    assert chat.mark(db_session, conversation, "agent", "delivered", 3) is None
    marks = chat.mark(db_session, conversation, "agent", "read", 99)  # capped at the last seq
    assert marks is not None and (marks["agent_read"], marks["agent_delivered"]) == (5, 5)
    # The customer's marks stop at what they can see (seq 5 is a note).
    marks = chat.mark(db_session, conversation, "customer", "read", 5)
    assert marks is not None and (marks["customer_read"], marks["customer_delivered"]) == (4, 4)
    assert chat.conversation_state(db_session, conversation)["marks"] == marks
    with pytest.raises(InvalidInput):
        chat.mark(db_session, conversation, "bot", "read", 1)
    with pytest.raises(InvalidInput):
        chat.mark(db_session, conversation, "agent", "seen", 1)
    with pytest.raises(NotFound):
        chat.mark(db_session, 2**31 - 1, "agent", "read", 1)
    # A ticket that is not a chat has no marks to move.
    assert chat.mark(db_session, make_ticket(db_session).id, "agent", "read", 1) is None


def test_conversation_lists(db_session: Session) -> None:
    email = f"{unique('lists')}@example.com"
    first, _ = email_visitor(db_session, email)
    second, _ = email_visitor(db_session, email)
    with frozen_at(datetime(2027, 3, 1, 9)):
        a = open_chat(db_session, first, "Older")
    with frozen_at(datetime(2027, 3, 1, 10)):
        b = open_chat(db_session, second, "Newer")
    assert [c["conversation"] for c in chat.list_conversations(db_session, first)] == [
        a.conversation
    ]
    proven = chat.Visitor(second.id, second.customer_id, "email", True)
    listed = chat.list_conversations(db_session, proven)
    assert [c["conversation"] for c in listed] == [b.conversation, a.conversation]
    assert listed[0] == {
        "conversation": b.conversation,
        "subject": "Newer",
        "status": "new",
        "last_seq": 1,
        "updated_at": "2027-03-01T10:00:00Z",
    }


# --- queue --------------------------------------------------------------------------------


def test_queue_position_and_expected_wait(db_session: Session) -> None:
    agent = agent_actor(make_agent(db_session, Role.admin))
    base = datetime(2030, 1, 7, 9)
    answered = []
    for minutes, wait in ((0, 60), (1, 120), (2, 600)):
        visitor, _ = email_visitor(db_session)
        with frozen_at(base + timedelta(minutes=minutes)):
            opened = open_chat(db_session, visitor)
        with frozen_at(base + timedelta(minutes=minutes, seconds=wait)):
            chat.send_agent_message(db_session, agent, opened.conversation, unique("a"), "hi")
        answered.append(opened.conversation)
    waiting = []
    for minutes in (10, 11):
        visitor, _ = email_visitor(db_session)
        with frozen_at(base + timedelta(minutes=minutes)):
            waiting.append(open_chat(db_session, visitor).conversation)
    # Everything waiting before this test (other tests' committed chats) counts too.
    ahead = chat.queue_status(db_session, waiting[0])["position"] - 1
    second = chat.queue_status(db_session, waiting[1], now=base + timedelta(minutes=12))
    assert second["position"] == ahead + 2 and second["open"] is True
    assert second["next_open"] is None
    assert second["expected_wait_seconds"] is not None and second["expected_wait_seconds"] > 0
    assert chat.queue_status(db_session, answered[0])["position"] is None
    assert chat.queue_status(db_session, None)["position"] is None
    # An agent's note does not answer; a public reply does, and the queue moves up.
    chat.send_agent_message(
        db_session, agent, waiting[0], unique("n"), "looking", kind=MessageKind.note
    )
    assert chat.queue_status(db_session, waiting[1])["position"] == ahead + 2
    chat.send_agent_message(db_session, agent, waiting[0], unique("r"), "here")
    assert chat.queue_status(db_session, waiting[1])["position"] == ahead + 1


def test_expected_wait_is_the_median_first_reply_times_the_position(db_session: Session) -> None:
    from ledgerdesk.chat.queue import median_first_reply_seconds

    before = median_first_reply_seconds(db_session)
    agent = agent_actor(make_agent(db_session, Role.admin))
    base = datetime(2031, 1, 7, 9)
    for minutes, wait in ((0, 90), (1, 90), (2, 90), (3, 90), (4, 90)):
        visitor, _ = email_visitor(db_session)
        with frozen_at(base + timedelta(minutes=minutes)):
            opened = open_chat(db_session, visitor)
        with frozen_at(base + timedelta(minutes=minutes, seconds=wait)):
            chat.send_agent_message(db_session, agent, opened.conversation, unique("a"), "hi")
    if before is None:  # only these answered chats: the median is exactly theirs
        assert median_first_reply_seconds(db_session) == 90
    visitor, _ = email_visitor(db_session)
    with frozen_at(base + timedelta(hours=1)):
        opened = open_chat(db_session, visitor)
    status = chat.queue_status(db_session, opened.conversation)
    median = median_first_reply_seconds(db_session)
    assert median is not None
    assert status["expected_wait_seconds"] == round(median * status["position"])
    # Agents on the console share the chats ahead: with three, a round is three chats.
    shared = chat.queue_status(db_session, opened.conversation, agents_online=3)
    rounds = -(-status["position"] // 3)
    assert shared["agents_online"] == 3
    assert shared["expected_wait_seconds"] == round(median * rounds)


def test_queue_status_outside_business_hours(db_session: Session) -> None:
    with chat_settings(LEDGERDESK_CHAT_HOURS="mon-fri 09:00-18:00", LEDGERDESK_CHAT_TIMEZONE="UTC"):
        closed = chat.queue_status(db_session, None, now=datetime(2027, 3, 6, 12))  # Saturday
        opened = chat.queue_status(db_session, None, now=datetime(2027, 3, 8, 12))
    assert closed["open"] is False and closed["next_open"] == "2027-03-08T09:00:00Z"
    assert opened["open"] is True and opened["next_open"] is None


def test_console_chat_queue_waiting_first(db_session: Session) -> None:
    lead = agent_actor(make_agent(db_session, Role.admin))
    base = datetime(2032, 5, 3, 9)
    rows, visitors = {}, {}
    for name, minutes in (("answered", 0), ("old", 1), ("new", 2)):
        visitors[name], _ = email_visitor(db_session)
        with frozen_at(base + timedelta(minutes=minutes)):
            rows[name] = open_chat(db_session, visitors[name], name).conversation
    with frozen_at(base + timedelta(minutes=5)):
        chat.send_agent_message(db_session, lead, rows["answered"], unique("a"), "done")
    with frozen_at(base + timedelta(minutes=6)):
        chat.send_agent_message(db_session, lead, rows["old"], unique("a"), "first answer")
    # "old" asks again after the answer: waiting since that new question.
    old_visitor = visitors["old"]
    with frozen_at(base + timedelta(minutes=8)):
        chat.send_customer_message(db_session, old_visitor, rows["old"], unique("c"), "and?")
    with frozen_at(base + timedelta(minutes=9)):
        chat.send_customer_message(db_session, old_visitor, rows["old"], unique("c"), "hello?")
    queue = [
        r for r in chat.chat_queue(db_session, lead, limit=500) if r["ticket_id"] in rows.values()
    ]
    assert [r["ticket_id"] for r in queue] == [rows["new"], rows["old"], rows["answered"]]
    assert queue[0]["waiting_since"] == "2032-05-03T09:02:00Z"
    assert queue[1]["waiting_since"] == "2032-05-03T09:08:00Z"
    assert queue[2]["waiting_since"] is None
    assert queue[1]["last_seq"] == 4 and queue[1]["status"] == "open"
    assert queue[1]["customer"] == "Visitor"
    # Agents see only what the console shows them; closed chats leave the queue.
    answered = db_session.get(Ticket, rows["answered"])
    assert answered is not None
    tickets.do_set_status(db_session, SYSTEM, answered, Status.solved)
    tickets.do_set_status(db_session, SYSTEM, answered, Status.closed)
    ids = {r["ticket_id"] for r in chat.chat_queue(db_session, lead, limit=500)}
    assert rows["answered"] not in ids and rows["new"] in ids


# --- offline form and merges ------------------------------------------------------------


def test_offline_form_opens_a_chat_ticket_answered_by_e_mail(db_session: Session) -> None:
    known = make_customer(db_session, name="Known Name")
    ticket = chat.open_offline_ticket(
        db_session, known.email, "Someone Else", "Where is my BTC?", "zh-CN", "https://ex.example/"
    )
    assert ticket.channel == Channel.chat and ticket.requester_id == known.id
    assert known.name == "Known Name"
    conversation = db_session.get(ChatConversation, ticket.id)
    assert conversation is not None and conversation.offline and conversation.visitor_id is None
    # It does not stand in the live queue.
    assert chat.queue_status(db_session, ticket.id)["position"] is None
    # An agent's public reply is e-mailed, as for every ticket.
    agent = agent_actor(make_agent(db_session, Role.admin))
    chat.send_agent_message(db_session, agent, ticket.id, "agent-off01", "We checked")
    from ledgerdesk.jobs.models import OutboxEntry

    topics = list(db_session.scalars(select(OutboxEntry.topic)))
    assert "mail.ticket_reply" in topics
    fresh = chat.open_offline_ticket(
        db_session, f"{unique('off')}@example.com", PHRASE, "Hello", None
    )
    customer = db_session.get(Customer, fresh.requester_id)
    assert customer is not None and "absorb" not in customer.name
    with pytest.raises(InvalidInput):
        chat.open_offline_ticket(db_session, "not-an-address", "", "Hello", None)


def test_a_merge_numbers_the_moved_messages_after_the_targets(db_session: Session) -> None:
    visitor, _ = email_visitor(db_session)
    source = open_chat(db_session, visitor)
    chat.send_customer_message(db_session, visitor, source.conversation, "same-id-0001", "s2")
    target = open_chat(db_session, visitor)
    chat.send_customer_message(db_session, visitor, target.conversation, "same-id-0001", "t2")
    lead = agent_actor(make_agent(db_session, Role.lead))
    src, dst = (db_session.get(Ticket, t.conversation) for t in (source, target))
    assert src is not None and dst is not None
    do_merge(db_session, lead, src, dst)
    db_session.flush()
    rows = db_session.execute(
        select(Message.seq, Message.body, Message.client_id)
        .where(Message.ticket_id == dst.id)
        .order_by(Message.seq)
    ).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert [r.body for r in rows][2:] == ["Deposit missing", "s2"]
    # The moved copy of a client id the target already had is dropped.
    assert [r.client_id for r in rows].count("same-id-0001") == 1
    assert dst.last_seq == 4
    nxt = chat.send_customer_message(db_session, visitor, dst.id, "after-merge1", "next")
    assert nxt.seq == 5
