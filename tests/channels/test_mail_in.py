"""do_receive_mail on SQLite and PostgreSQL: new tickets, threading by headers / subject /
reply address, the requester-only rule, merged and closed tickets, reports, loops,
duplicates, attachments and size."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM, find_customer_by_email
from ledgerdesk.channels import mail_in
from ledgerdesk.channels.mail_in import clean_subject, do_receive_mail
from ledgerdesk.channels.models import InboundMail, MailAddress, MailMessageId
from ledgerdesk.channels.reply_token import reply_address
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Attachment, Channel, Event, Message, Status, Ticket
from tests.channels.mail_in_helpers import mail, record_outgoing, sample
from tests.conftest import unique
from tests.tickets.test_api import PNG

pytestmark = pytest.mark.usefixtures("desk_mail")


@pytest.fixture
def desk_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERDESK_MAIL_FROM", "Example Support <support@example.test>")
    monkeypatch.setenv("LEDGERDESK_MAIL_MAX_BYTES", str(200 * 1024))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def address() -> str:
    return f"{unique('cust')}@example.com"


def receive(session: Session, raw: bytes) -> mail_in.InboundResult:
    return do_receive_mail(session, raw, source="test")


def messages_of(session: Session, ticket_id: int) -> list[Message]:
    return list(
        session.scalars(select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id))
    )


def test_new_mail_opens_an_email_ticket(db_session: Session) -> None:
    sender = address()
    result = receive(db_session, mail(f"Li Wei <{sender}>", "Re: 提现未到账", "我的提现还没到账。"))
    assert result.outcome == "ticket"
    ticket = db_session.get(Ticket, result.ticket_id)
    assert ticket is not None and ticket.channel == Channel.email
    assert ticket.subject == "提现未到账"
    assert ticket.requester.email == sender and ticket.requester.name == "Li Wei"
    assert messages_of(db_session, ticket.id)[0].body == "我的提现还没到账。"
    row = db_session.scalar(select(InboundMail).where(InboundMail.message_id == result.message_id))
    assert row is not None and row.outcome == "ticket" and row.ticket_id == ticket.id
    stored = db_session.scalar(
        select(MailMessageId).where(MailMessageId.message_id == result.message_id)
    )
    assert stored is not None and stored.direction == "in" and stored.ticket_id == ticket.id


def test_reply_threads_by_headers_subject_and_reply_address(db_session: Session) -> None:
    sender = address()
    first = receive(db_session, mail(sender, "Deposit missing"))
    ticket_id = first.ticket_id
    assert ticket_id is not None
    ticket = db_session.get(Ticket, ticket_id)
    assert ticket is not None
    tickets.do_set_status(db_session, SYSTEM, ticket, Status.solved)
    ours = record_outgoing(db_session, ticket_id)
    by_headers = receive(
        db_session, mail(sender, "Re: anything", "Still missing.", in_reply_to=ours)
    )
    assert (by_headers.outcome, by_headers.ticket_id) == ("reply", ticket_id)
    assert ticket.status == Status.open  # a customer reply reopens a solved ticket
    mangled = f"回复: RE: Fwd: [#{ticket_id}] Deposit missing"
    by_subject = receive(db_session, mail(sender, mangled, "Any news?"))
    assert (by_subject.outcome, by_subject.ticket_id) == ("reply", ticket_id)
    by_token = receive(
        db_session, mail(sender, "hello", "Token only.", to=reply_address(ticket_id))
    )
    assert (by_token.outcome, by_token.ticket_id) == ("reply", ticket_id)
    bodies = [m.body for m in messages_of(db_session, ticket_id)]
    assert bodies[-3:] == ["Still missing.", "Any news?", "Token only."]
    # A reply to our reply's reply: the Message-ID we received also threads.
    again = receive(db_session, mail(sender, "x", "Third.", references=f"<{first.message_id}>"))
    assert again.ticket_id == ticket_id


def test_a_stranger_cannot_write_into_someone_elses_ticket(db_session: Session) -> None:
    owner, stranger = address(), address()
    ticket_id = receive(db_session, mail(owner, "My account")).ticket_id
    ours = record_outgoing(db_session, ticket_id or 0)
    for raw in (
        mail(stranger, f"Re: [#{ticket_id}] My account", "Injected?"),
        mail(stranger, "Re: hi", "Injected?", in_reply_to=ours),
        mail(stranger, "hi", "Injected?", to=reply_address(ticket_id or 0)),
    ):
        result = receive(db_session, raw)
        assert result.outcome == "ticket" and result.ticket_id != ticket_id
        notes = [m for m in messages_of(db_session, result.ticket_id or 0) if m.kind == "note"]
        assert f"#{ticket_id}" in notes[0].body
    assert [m.body for m in messages_of(db_session, ticket_id or 0)][-1] != "Injected?"


def test_merged_ticket_forwards_and_closed_ticket_opens_a_follow_up(db_session: Session) -> None:
    from ledgerdesk.tickets.merge import do_merge

    sender = address()
    source = receive(db_session, mail(sender, "one")).ticket_id or 0
    target = receive(db_session, mail(sender, "two")).ticket_id or 0
    merge_actor = SYSTEM
    do_merge(
        db_session,
        merge_actor,
        db_session.get(Ticket, source),
        db_session.get(Ticket, target),
    )
    result = receive(db_session, mail(sender, f"Re: [#{source}] one", "to the merged one"))
    assert (result.outcome, result.ticket_id) == ("reply", target)
    closed = db_session.get(Ticket, target)
    assert closed is not None
    closed.status = Status.closed
    db_session.flush()
    follow = receive(db_session, mail(sender, f"Re: [#{target}] two", "after closing"))
    assert follow.outcome == "ticket" and follow.ticket_id not in (source, target)
    notes = [m.body for m in messages_of(db_session, follow.ticket_id or 0) if m.kind == "note"]
    assert notes == [f"Follow-up to closed ticket #{target}."]


def test_duplicate_delivery_is_stored_once(db_session: Session) -> None:
    raw = mail(address(), "Twice")
    first, second = receive(db_session, raw), receive(db_session, raw)
    assert first.outcome == "ticket" and second.outcome == "duplicate"
    count = db_session.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.subject == "Twice")
    )
    rows = db_session.scalars(
        select(InboundMail.outcome).where(InboundMail.message_id == first.message_id)
    ).all()
    assert count == 1 and sorted(rows) == ["duplicate", "ticket"]
    # Without a Message-ID the content identifies it.
    bare = b"From: " + address().encode() + b"\r\nSubject: no id\r\n\r\nhello\r\n"
    assert [receive(db_session, bare).outcome for _ in range(2)] == ["ticket", "duplicate"]


def test_message_ids_the_guard_would_change_stay_distinct(db_session: Session) -> None:
    """A 64-hex-digit id looks like a private key to the guard; two such mails are still two
    mails, and a reply to one threads to it."""
    sender = address()
    ids = [secrets.token_hex(32) + "@mx.example.net" for _ in range(2)]
    first, second = (receive(db_session, mail(sender, f"n{i}", message_id=ids[i])) for i in (0, 1))
    assert (first.outcome, second.outcome) == ("ticket", "ticket")
    assert first.message_id != second.message_id and ids[0] not in first.message_id
    reply = receive(db_session, mail(sender, "Re:", "answer", in_reply_to=ids[1]))
    assert (reply.outcome, reply.ticket_id) == ("reply", second.ticket_id)


def test_bounce_marks_the_address_and_notes_the_ticket(db_session: Session) -> None:
    customer = address()
    ticket_id = receive(db_session, mail(customer, "Lost access")).ticket_id or 0
    ours = record_outgoing(db_session, ticket_id)
    before = db_session.scalar(select(func.count()).select_from(Ticket))
    result = receive(
        db_session, sample("bounce.eml", customer=customer, ticket=ticket_id, original_id=ours)
    )
    assert (result.outcome, result.ticket_id) == ("bounce", ticket_id)
    row = db_session.scalar(select(MailAddress).where(MailAddress.address == customer))
    assert row is not None and row.bounced_at is not None and "5.1.1" in row.bounce_detail
    assert db_session.scalar(select(func.count()).select_from(Ticket)) == before
    actions = db_session.scalars(select(Event.action).where(Event.ticket_id == ticket_id)).all()
    assert "mail.bounced" in actions
    # Writing in again clears the flag.
    receive(db_session, mail(customer, f"Re: [#{ticket_id}] Lost access", "I am back."))
    assert row.bounced_at is None


def test_feedback_report_marks_the_complainer(db_session: Session) -> None:
    customer = address()
    ticket_id = receive(db_session, mail(customer, "Spam?")).ticket_id or 0
    ours = record_outgoing(db_session, ticket_id)
    result = receive(
        db_session, sample("feedback.eml", customer=customer, ticket=ticket_id, original_id=ours)
    )
    assert (result.outcome, result.ticket_id) == ("feedback_report", ticket_id)
    row = db_session.scalar(select(MailAddress).where(MailAddress.address == customer))
    assert row is not None and row.complained_at is not None and row.bounced_at is None


def test_auto_reply_and_loops_open_nothing(db_session: Session) -> None:
    customer = address()
    ticket_id = receive(db_session, mail(customer, "Question")).ticket_id or 0
    ours = record_outgoing(db_session, ticket_id)
    before = len(messages_of(db_session, ticket_id))
    raw = sample(
        "auto_reply.eml",
        customer=customer,
        ticket=ticket_id,
        original_id=ours,
        reply_to=reply_address(ticket_id),
    )
    assert receive(db_session, raw).outcome == "auto_reply"
    looped = [
        mail(customer, "x", headers={"X-Loop": "support@example.test"}),
        mail("Example Support <support@example.test>", "our own mail"),
        mail(reply_address(ticket_id), "from a token address"),
        mail(customer, "echo of ours", message_id=ours),
    ]
    assert [receive(db_session, raw).outcome for raw in looped] == ["loop"] * 4
    assert len(messages_of(db_session, ticket_id)) == before


def test_a_flood_from_one_address_is_a_loop(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail_in, "LOOP_MAX_MAILS", 3)
    sender = address()
    outcomes = [receive(db_session, mail(sender, f"n{i}")).outcome for i in range(5)]
    assert outcomes == ["ticket", "ticket", "ticket", "loop", "loop"]


def test_attachments_kept_or_named_and_size_limit(db_session: Session) -> None:
    raw = mail(
        address(),
        "Screenshot",
        "See attached.",
        attachments=[
            ("shot.png", "image/png", PNG),
            ("tool.exe", "application/x-msdownload", b"MZ\x90"),
        ],
    )
    result = receive(db_session, raw)
    assert result.outcome == "ticket"
    message = messages_of(db_session, result.ticket_id or 0)[0]
    files = db_session.scalars(select(Attachment).where(Attachment.message_id == message.id)).all()
    assert [f.filename for f in files] == ["shot.png"]
    assert "See attached." in message.body and "tool.exe" in message.body
    big = mail(address(), "Huge", "x" * (300 * 1024))
    too_big = receive(db_session, big)
    assert too_big.outcome == "rejected" and "limit" in too_big.detail


def test_quote_only_reply_keeps_the_full_text(db_session: Session) -> None:
    sender = address()
    ticket_id = receive(db_session, mail(sender, "Question")).ticket_id
    body = "On Sun, 6 Dec 2026 at 10:00, Support <support@example.test> wrote:\n> Hello"
    result = receive(db_session, mail(sender, f"Re: [#{ticket_id}] Question", body))
    assert result.outcome == "reply"
    assert "> Hello" in messages_of(db_session, ticket_id or 0)[-1].body


def test_secrets_in_mail_are_guarded(db_session: Session) -> None:
    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    result = receive(db_session, mail(address(), "help", f"my seed is {phrase}"))
    body = messages_of(db_session, result.ticket_id or 0)[0].body
    assert "absorb abstract" not in body


def test_sender_without_address_is_rejected_and_logged(db_session: Session) -> None:
    result = receive(
        db_session,
        b"Subject: no sender\r\nMessage-ID: <x-" + unique().encode() + b"@y>\r\n\r\nhi\r\n",
    )
    assert result.outcome == "rejected"
    row = db_session.scalar(select(InboundMail).where(InboundMail.message_id == result.message_id))
    assert row is not None and row.outcome == "rejected"


def test_existing_customer_name_is_not_renamed_by_a_from_header(db_session: Session) -> None:
    sender = address()
    receive(db_session, mail(f"Alice <{sender}>", "first"))
    receive(db_session, mail(f"Mallory <{sender}>", "second"))
    customer = find_customer_by_email(db_session, sender)
    assert customer is not None and customer.name == "Alice"


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        ("回复: RE: Fwd: [#12] 提现未到账", "提现未到账"),
        ("AW: WG: Re[2]: hello", "hello"),
        ("答复：回覆: 转发: FW: Re: order", "order"),
        ("Refund: please", "Refund: please"),
    ],
)
def test_clean_subject(subject: str, clean: str) -> None:
    assert clean_subject(subject) == clean
